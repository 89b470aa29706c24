// The control plane's socket-owning services (PROTOCOL.md §3, §4).
export * from './transport.js';
export * from './counters.js';
export * from './device-control.js';
export * from './arc-server.js';
export * from './cmc-server.js';
export * from './conmon-server.js';
export * from './heartbeat-sender.js';
export * from './control-plane.js';
