// Structured logging: human-readable lines on a terminal, one JSON object per line with
// `--log-format json`. Every thread configures its own copy (workers get the settings in
// workerData), so nothing here is shared between threads.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'pretty' | 'json';
export type LogFields = Record<string, unknown>;

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];
const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, silent: 100 };

export interface LogSettings {
  level: LogLevel;
  format: LogFormat;
}

export interface Logger {
  trace(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
  child(component: string): Logger;
}

type Sink = (line: string) => void;

const state: { settings: LogSettings; sink: Sink } = {
  settings: {
    level: isLevel(process.env.INFERNO_LOG_LEVEL) ? process.env.INFERNO_LOG_LEVEL : 'info',
    format: process.env.INFERNO_LOG_FORMAT === 'json' ? 'json' : 'pretty',
  },
  sink: (line) => process.stderr.write(line + '\n'),
};

export function isLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v);
}

export function configureLogging(settings: Partial<LogSettings>, sink?: Sink): void {
  state.settings = { ...state.settings, ...settings };
  if (sink) state.sink = sink;
}

export function logSettings(): LogSettings {
  return { ...state.settings };
}

function fmtValue(v: unknown): string {
  if (typeof v === 'string') return /[\s="]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Error) return JSON.stringify(v.stack ?? v.message);
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
}

function emit(level: LogLevel, component: string, msg: string, fields?: LogFields): void {
  const time = new Date().toISOString();
  if (state.settings.format === 'json') {
    const rec: LogFields = { time, level, component, msg, ...fields };
    for (const [k, v] of Object.entries(rec)) {
      if (v instanceof Error) rec[k] = { message: v.message, stack: v.stack };
    }
    state.sink(JSON.stringify(rec, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));
    return;
  }
  let line = `${time} ${level.toUpperCase().padEnd(5)} [${component}] ${msg}`;
  if (fields) for (const [k, v] of Object.entries(fields)) line += ` ${k}=${fmtValue(v)}`;
  state.sink(line);
}

export function getLogger(component: string): Logger {
  const at = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (RANK[level] >= RANK[state.settings.level]) emit(level, component, msg, fields);
  };
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    enabled: (level) => RANK[level] >= RANK[state.settings.level],
    child: (sub) => getLogger(`${component}.${sub}`),
  };
}
