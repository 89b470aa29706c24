// Public library API of inferno-aoip.
export { getLogger, configureLogging } from './log.js';
export type { Logger, LogLevel, LogFormat, LogSettings } from './log.js';
