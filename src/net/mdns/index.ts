export * from './packets.js';
export * from './transport.js';
export * from './memory-transport.js';
export * from './answer.js';
export * from './cache.js';
export * from './responder.js';
export * from './browser.js';
