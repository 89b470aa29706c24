// Pure PTP core: codecs, best-master comparison, servo and port state machines (no I/O).
export * from './time.js';
export * from './version.js';
export * from './identity.js';
export * from './v1-messages.js';
export * from './v2-messages.js';
export * from './bmca-v1.js';
export * from './bmca-v2.js';
export * from './overlay.js';
export * from './servo.js';
export * from './delay-filter.js';
export * from './types.js';
export type { ParsedMessage, PtpProtocol } from './protocol.js';
export * from './v1-protocol.js';
export * from './v2-protocol.js';
export * from './port.js';
export * from './ports.js';
