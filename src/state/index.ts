// Device control state and its saved form (PROTOCOL.md §8, extended).
export * from './device-state.js';
export * from './saved-state.js';
export * from './state-store.js';
export * from './device-defaults.js';
