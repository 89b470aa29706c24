export * from './transport.js';
export * from './memory-transport.js';
export * from './conmon-client.js';
export * from '../arc-client.js';
