export * from './dither.js';
export * from './packet.js';
