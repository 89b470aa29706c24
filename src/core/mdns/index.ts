export * from './names.js';
export * from './txt.js';
export * from './records.js';
export * from './dante.js';
export * from './parse.js';
export * from './diff.js';
