export * from './flow-table.js';
export * from './records.js';
export * from './schedule.js';
