// The program version, in one place for the CLI, /status and the conmon info messages.
export const VERSION = '0.1.0';
