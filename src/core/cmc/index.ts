export * from './control-header.js';
export * from './register.js';
export * from './handler.js';
