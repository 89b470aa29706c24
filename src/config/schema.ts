// Every device setting, declared once: CLI flag, environment variable, config-file key, default,
// parser and help text all come from this table. Precedence: defaults < config file <
// environment (INFERNO_*) < command-line flags.
import { ConfigError } from '../core/errors.js';
import { isLevel, LOG_LEVELS } from '../log.js';
import type { LogFormat, LogLevel } from '../log.js';

import { SUPPORTED_SAMPLE_RATES } from '../core/media-time.js';
import { TX_SOURCE_HELP, parseTxSource } from '../audio-io/sources.js';
import type { TxSourceSpec } from '../audio-io/sources.js';
import { parseSubscribeArg } from '../core/rx/subscribe-arg.js';
import { formatRxSink, parseRxSink } from '../audio-io/sinks.js';
import { ALSA_MAP_HELP, DEFAULT_ALSA_BUFFER_FRAMES, DEFAULT_ALSA_PERIOD_FRAMES, parseAlsaMap } from '../audio-io/alsa-config.js';
import { MAX_FRAMES_PER_PACKET, MIN_FRAMES_PER_PACKET } from '../core/flows/limits.js';

export { SUPPORTED_SAMPLE_RATES };
/** Highest RX or TX channel count: 32 flows of 8 channels would allow 256, but lists and meters are
 * sized for 128 (the LX-DANTE ceiling); raising it is a one-line change. */
export const MAX_CHANNELS = 128;
/** Latency range in ns. Real devices go down to 150 µs (LX-DANTE, PROTOCOL.md §3.9); below 250 µs a
 * non-realtime Linux host cannot keep up, and 40 ms is the largest Dante latency setting. */
export const MIN_LATENCY_NS = 250_000;
export const MAX_LATENCY_NS = 40_000_000;
export const DEFAULT_LATENCY_NS = 10_000_000;
export const CLOCK_SOURCES = ['ptp', 'local', 'usrvclock', 'phc'] as const;

export type ClockSource = (typeof CLOCK_SOURCES)[number];
/** `--ptp-version both` runs a v1 and a v2 port (see src/clock/ptp-clock.ts). */
export const PTP_VERSIONS = ['1', '2', 'both'] as const;
export type PtpVersionSetting = (typeof PTP_VERSIONS)[number];
export const PTP_MODES = ['auto', 'leader', 'follower'] as const;
/** `--rx-socket`: auto uses the native helper's recvmmsg sockets when loaded; dgram forces
 *  node:dgram (one event per datagram: the slower path, kept to compare and as a way out). */
export const RX_SOCKETS = ['auto', 'dgram'] as const;
export type RxSocketSetting = (typeof RX_SOCKETS)[number];
export type PtpModeSetting = (typeof PTP_MODES)[number];
/** Default PTP version: Dante devices speak PTPv1 out of the box; v2 only with AES67 enabled. */
export const DEFAULT_PTP_VERSION: PtpVersionSetting = '1';
/** Default priority1: above Dante hardware's 249 (PROTOCOL.md §7.2), so we never take over by default. */
export const DEFAULT_PTP_PRIORITY1 = 251;
export const DEFAULT_PTP_PRIORITY2 = 128;

/** `--clock` value: a source, with an optional `:PATH` for usrvclock and phc. */
export interface ClockSetting {
  source: ClockSource;
  path?: string;
}

const CLOCK_ACCEPTED = 'ptp, local, usrvclock[:PATH], phc:/dev/ptpN';

export function parseClockSetting(raw: unknown): ClockSetting {
  const s = str('clock', raw, CLOCK_ACCEPTED);
  const m = /^(ptp|local|usrvclock|phc)(?::(.+))?$/.exec(s);
  if (!m || ((m[1] === 'ptp' || m[1] === 'local') && m[2] !== undefined)) throw new ConfigError('clock', raw, CLOCK_ACCEPTED);
  return m[2] === undefined ? { source: m[1] as ClockSource } : { source: m[1] as ClockSource, path: m[2] };
}

const oneOf = <T extends string>(setting: string, raw: unknown, values: readonly T[]): T => {
  const s = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!(values as readonly string[]).includes(s)) throw new ConfigError(setting, raw, values.join(', '));
  return s as T;
};

export interface HttpListen {
  host: string;
  port: number;
}

/** Fully parsed settings, before network resolution (bindIp may be an interface name). */
export interface Settings {
  bindIp?: string;
  deviceId?: string;
  name?: string;
  sampleRate: number;
  rxChannels: number;
  txChannels: number;
  rxLatencyNs: number;
  txLatencyNs: number;
  /** Frames per packet asked of unicast transmitters; 0 = from the RX latency (a quarter of it, at most 32 by default). */
  rxFpp: number;
  processId: number;
  altPort?: number;
  clock: ClockSetting;
  clockPath?: string;
  ptpVersion: PtpVersionSetting;
  ptpMode: PtpModeSetting;
  ptpPriority1: number;
  ptpPriority2: number;
  ptpDomain: number;
  http?: HttpListen;
  /** Base directory of the saved state; the device's files go into `<stateDir>/<device id>/`. */
  stateDir?: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** What the transmitter sends (audio-io/sources.ts). */
  txSource: TxSourceSpec;
  /** Significant bits of the TX source: dither only on flows narrower than this (§6.2). */
  txSourceBits: 16 | 24 | 32;
  /** Transmit and receive workers at SCHED_FIFO (they sleep only, never spin there). */
  realtime: boolean;
  /** Busy-wait this long before each packet deadline instead of sleeping (not with --realtime). */
  txSpinUs: number;
  /** Where received audio goes: none, fifo:PATH or file:PATH. */
  rxSink: string;
  /** RX flow sockets: the native helper's batched reads when loaded (auto), or node:dgram. */
  rxSocket: RxSocketSetting;
  /** Subscriptions made at start: `N=CHANNEL@DEVICE`. */
  subscribe?: string[];
  /** `--rx-sink alsa:PCM`: the RX channel of each PCM channel (0 = silent); unset = all in order. */
  alsaMap?: number[];
  /** `--tx-source alsa:PCM`: the TX channel each capture PCM channel feeds (0 = unused). */
  alsaTxMap?: number[];
  /** ALSA period and buffer size asked for (the PCM grants the nearest). */
  alsaPeriodFrames: number;
  alsaBufferFrames: number;
}

export interface SettingSpec {
  key: keyof Settings;
  /** Long flag without dashes, e.g. `bind-ip`. */
  flag: string;
  /** Environment variable, e.g. `INFERNO_BIND_IP`. */
  env: string;
  /** Config-file key (snake_case, like the environment variable without its prefix). */
  file: string;
  /** Value placeholder for --help. */
  arg: string;
  help: string;
  /** Default as shown in --help. */
  defaultText: string;
  default?: Settings[keyof Settings];
  /** The flag may be repeated; parse gets every value. */
  multiple?: boolean;
  parse(raw: unknown): Settings[keyof Settings];
}

function intIn(setting: string, raw: unknown, min: number, max: number, accepted?: string): number {
  const s = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const n = /^-?\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(setting, raw, accepted ?? `an integer from ${min} to ${max}`);
  }
  return n;
}

function str(setting: string, raw: unknown, accepted: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ConfigError(setting, raw, accepted);
  return raw.trim();
}

/** Dante names: 1–31 bytes of letters, digits and hyphens, not starting or ending with a hyphen
 * (Dante Controller ignores devices with longer names, PROTOCOL.md §2.4). */
export function validDanteName(s: string): boolean {
  return Buffer.byteLength(s) <= 31 && /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(s);
}

export function parseHttpListen(setting: string, raw: unknown): HttpListen {
  const s = str(setting, raw, 'PORT or HOST:PORT');
  const m = /^(?:(.+):)?(\d+)$/.exec(s);
  if (!m) throw new ConfigError(setting, raw, 'PORT or HOST:PORT (e.g. 127.0.0.1:8080)');
  const host = m[1] ? m[1].replace(/^\[(.*)\]$/, '$1') : '127.0.0.1';
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new ConfigError(setting, raw, 'a port from 1 to 65535');
  return { host, port };
}

const latency = (key: 'rxLatencyNs' | 'txLatencyNs', flag: string, env: string, what: string): SettingSpec => ({
  key,
  flag,
  env,
  file: env.replace(/^INFERNO_/, '').toLowerCase(),
  arg: 'NS',
  help: `${what} latency in nanoseconds`,
  defaultText: String(DEFAULT_LATENCY_NS),
  default: DEFAULT_LATENCY_NS,
  parse: (raw) => intIn(flag, raw, MIN_LATENCY_NS, MAX_LATENCY_NS, `nanoseconds from ${MIN_LATENCY_NS} to ${MAX_LATENCY_NS}`),
});

const channels = (key: 'rxChannels' | 'txChannels', flag: string, env: string, what: string): SettingSpec => ({
  key,
  flag,
  env,
  file: env.replace(/^INFERNO_/, '').toLowerCase(),
  arg: 'N',
  help: `number of ${what} channels`,
  defaultText: '2',
  default: 2,
  parse: (raw) => intIn(flag, raw, 1, MAX_CHANNELS),
});

export const SETTINGS: readonly SettingSpec[] = [
  {
    key: 'bindIp', flag: 'bind-ip', env: 'INFERNO_BIND_IP', file: 'bind_ip', arg: 'IP|IFACE',
    help: 'IPv4 address or interface name for every socket and mDNS',
    defaultText: 'IPv4 of the default-route interface',
    parse: (raw) => str('bind-ip', raw, 'an IPv4 address of this host or an interface name'),
  },
  {
    key: 'deviceId', flag: 'device-id', env: 'INFERNO_DEVICE_ID', file: 'device_id', arg: 'HEX16',
    help: 'device id (16 hex digits); also the key of the saved state',
    defaultText: '0000 + IP + process id',
    parse: (raw) => {
      const s = str('device-id', raw, 'exactly 16 hexadecimal digits');
      if (!/^[0-9a-fA-F]{16}$/.test(s)) throw new ConfigError('device-id', raw, 'exactly 16 hexadecimal digits');
      return s.toLowerCase();
    },
  },
  {
    key: 'name', flag: 'name', env: 'INFERNO_NAME', file: 'name', arg: 'NAME',
    help: 'device name shown in controllers',
    defaultText: 'inferno-<IP as 8 hex digits>',
    parse: (raw) => {
      const s = str('name', raw, '1-31 letters, digits and hyphens');
      if (!validDanteName(s)) throw new ConfigError('name', raw, '1-31 letters, digits and hyphens, not starting or ending with a hyphen');
      return s;
    },
  },
  {
    key: 'sampleRate', flag: 'sample-rate', env: 'INFERNO_SAMPLE_RATE', file: 'sample_rate', arg: 'HZ',
    help: 'sample rate', defaultText: '48000', default: 48000,
    parse: (raw) => {
      const n = Number(typeof raw === 'string' ? raw.trim() : raw);
      if (!(SUPPORTED_SAMPLE_RATES as readonly number[]).includes(n)) {
        throw new ConfigError('sample-rate', raw, SUPPORTED_SAMPLE_RATES.join(', '));
      }
      return n;
    },
  },
  channels('rxChannels', 'rx-channels', 'INFERNO_RX_CHANNELS', 'receive'),
  channels('txChannels', 'tx-channels', 'INFERNO_TX_CHANNELS', 'transmit'),
  latency('rxLatencyNs', 'rx-latency-ns', 'INFERNO_RX_LATENCY_NS', 'receive'),
  latency('txLatencyNs', 'tx-latency-ns', 'INFERNO_TX_LATENCY_NS', 'transmit'),
  {
    key: 'rxFpp', flag: 'rx-fpp', env: 'INFERNO_RX_FPP', file: 'rx_fpp', arg: 'N',
    help: `frames per packet to ask unicast transmitters for, kept within each one's advertised min..max `
      + `(0 = a quarter of the RX latency, capped by the transmitter's max)`,
    defaultText: '0', default: 0,
    parse: (raw) => {
      const accepted = `0 (automatic) or ${MIN_FRAMES_PER_PACKET} to ${MAX_FRAMES_PER_PACKET}`;
      const n = intIn('rx-fpp', raw, 0, MAX_FRAMES_PER_PACKET, accepted);
      if (n !== 0 && n < MIN_FRAMES_PER_PACKET) throw new ConfigError('rx-fpp', raw, accepted);
      return n;
    },
  },
  {
    key: 'processId', flag: 'process-id', env: 'INFERNO_PROCESS_ID', file: 'process_id', arg: 'N',
    help: 'process id, unique per IP when several devices share one', defaultText: '0', default: 0,
    parse: (raw) => intIn('process-id', raw, 0, 65535),
  },
  {
    key: 'altPort', flag: 'alt-port', env: 'INFERNO_ALT_PORT', file: 'alt_port', arg: 'PORT',
    help: 'base of the four device ports (ARC=P, CMC=P+1, flows=P+2, info=P+3)',
    defaultText: 'unset (4440, 8800, 4455, 8700)',
    parse: (raw) => intIn('alt-port', raw, 1024, 65532),
  },
  {
    key: 'clock', flag: 'clock', env: 'INFERNO_CLOCK', file: 'clock', arg: 'SOURCE',
    help: 'media clock: ptp = built-in PTP follower/leader; local = this host\'s CLOCK_TAI, free-running; '
      + 'usrvclock[:PATH] = overlay pushed by a PTP daemon; phc:/dev/ptpN = a PTP hardware clock a daemon disciplines',
    defaultText: 'ptp', default: { source: 'ptp' },
    parse: (raw) => parseClockSetting(raw),
  },
  {
    key: 'clockPath', flag: 'clock-path', env: 'INFERNO_CLOCK_PATH', file: 'clock_path', arg: 'PATH',
    help: 'usrvclock socket or PTP hardware clock device for external clock sources',
    defaultText: 'unset',
    parse: (raw) => str('clock-path', raw, 'a file path'),
  },
  {
    key: 'ptpVersion', flag: 'ptp-version', env: 'INFERNO_PTP_VERSION', file: 'ptp_version', arg: '1|2|both',
    help: 'PTP version with --clock ptp: 1 = IEEE 1588-2002 as Dante uses by default; 2 = 1588-2008 (AES67); '
      + 'both = a port of each: follow the leader found (v1 preferred when both have one) and lead the other version with that time',
    defaultText: DEFAULT_PTP_VERSION, default: DEFAULT_PTP_VERSION,
    parse: (raw) => oneOf('ptp-version', raw, PTP_VERSIONS),
  },
  {
    key: 'ptpMode', flag: 'ptp-mode', env: 'INFERNO_PTP_MODE', file: 'ptp_mode', arg: 'MODE',
    help: 'PTP role: auto = best-master algorithm; leader = always lead; follower = never lead',
    defaultText: 'auto', default: 'auto',
    parse: (raw) => oneOf('ptp-mode', raw, PTP_MODES),
  },
  {
    key: 'ptpPriority1', flag: 'ptp-priority1', env: 'INFERNO_PTP_PRIORITY1', file: 'ptp_priority1', arg: 'N',
    help: 'PTPv2 priority1 (lower wins); in PTPv1, 127 or less sets the preferred-leader flag',
    defaultText: String(DEFAULT_PTP_PRIORITY1), default: DEFAULT_PTP_PRIORITY1,
    parse: (raw) => intIn('ptp-priority1', raw, 0, 255),
  },
  {
    key: 'ptpPriority2', flag: 'ptp-priority2', env: 'INFERNO_PTP_PRIORITY2', file: 'ptp_priority2', arg: 'N',
    help: 'PTPv2 priority2 (lower wins among equal clocks); PTPv1 has no equivalent',
    defaultText: String(DEFAULT_PTP_PRIORITY2), default: DEFAULT_PTP_PRIORITY2,
    parse: (raw) => intIn('ptp-priority2', raw, 0, 255),
  },
  {
    key: 'ptpDomain', flag: 'ptp-domain', env: 'INFERNO_PTP_DOMAIN', file: 'ptp_domain', arg: 'N',
    help: 'PTP domain: v2 domainNumber 0-127; v1 uses subdomain _DFLT for 0 and _ALT1.._ALT3 for 1-3',
    defaultText: '0', default: 0,
    parse: (raw) => intIn('ptp-domain', raw, 0, 127),
  },
  {
    key: 'http', flag: 'http', env: 'INFERNO_HTTP', file: 'http', arg: '[HOST:]PORT',
    help: 'serve GET /status (JSON) and GET /metrics (Prometheus) here',
    defaultText: 'off (host defaults to 127.0.0.1)',
    parse: (raw) => parseHttpListen('http', raw),
  },
  {
    key: 'stateDir', flag: 'state-dir', env: 'INFERNO_STATE_DIR', file: 'state_dir', arg: 'DIR',
    help: 'where names, subscriptions and settings changed by controllers are saved (in DIR/<device id>/)',
    defaultText: '$XDG_STATE_HOME/inferno-aoip or ~/.local/state/inferno-aoip',
    parse: (raw) => str('state-dir', raw, 'a directory path'),
  },
  {
    key: 'txSource', flag: 'tx-source', env: 'INFERNO_TX_SOURCE', file: 'tx_source', arg: 'SOURCE',
    help: `what TX channels carry: ${TX_SOURCE_HELP} (fifo/file: interleaved s32le frames of all TX channels; a file loops)`,
    defaultText: 'silence', default: { kind: 'silence' },
    parse: (raw) => parseTxSource(raw),
  },
  {
    key: 'txSourceBits', flag: 'tx-source-bits', env: 'INFERNO_TX_SOURCE_BITS', file: 'tx_source_bits', arg: 'BITS',
    help: 'significant bits of the TX source (16, 24, 32): flows narrower than this are dithered',
    defaultText: '24', default: 24,
    parse: (raw) => {
      const n = intIn('tx-source-bits', raw, 16, 32, '16, 24 or 32');
      if (n !== 16 && n !== 24 && n !== 32) throw new ConfigError('tx-source-bits', raw, '16, 24 or 32');
      return n;
    },
  },
  {
    key: 'realtime', flag: 'realtime', env: 'INFERNO_REALTIME', file: 'realtime', arg: 'BOOL',
    help: 'run the transmit and receive workers at SCHED_FIFO (needs CAP_SYS_NICE; the transmitter then never spins)',
    defaultText: 'false', default: false,
    parse: (raw) => {
      const s = String(raw).trim().toLowerCase();
      if (['1', 'true', 'yes', 'on', ''].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      throw new ConfigError('realtime', raw, 'true or false');
    },
  },
  {
    key: 'txSpinUs', flag: 'tx-spin-us', env: 'INFERNO_TX_SPIN_US', file: 'tx_spin_us', arg: 'US',
    help: 'busy-wait this many microseconds before each packet deadline (0 = sleep only)',
    defaultText: '100', default: 100,
    parse: (raw) => intIn('tx-spin-us', raw, 0, 5000),
  },
  {
    key: 'logLevel', flag: 'log-level', env: 'INFERNO_LOG_LEVEL', file: 'log_level', arg: 'LEVEL',
    help: `log level: ${LOG_LEVELS.join(', ')}`, defaultText: 'info', default: 'info',
    parse: (raw) => {
      if (!isLevel(raw)) throw new ConfigError('log-level', raw, LOG_LEVELS.join(', '));
      return raw;
    },
  },
  {
    key: 'logFormat', flag: 'log-format', env: 'INFERNO_LOG_FORMAT', file: 'log_format', arg: 'FORMAT',
    help: 'log format: pretty (human-readable) or json (one object per line)',
    defaultText: 'pretty', default: 'pretty',
    parse: (raw) => {
      if (raw !== 'pretty' && raw !== 'json') throw new ConfigError('log-format', raw, 'pretty, json');
      return raw;
    },
  },
  {
    key: 'rxSink', flag: 'rx-sink', env: 'INFERNO_RX_SINK', file: 'rx_sink', arg: 'SINK',
    help: 'received audio: none, fifo:PATH or file:PATH (interleaved s32le of all RX channels), or alsa:PCM (a sound card, see --alsa-map)',
    defaultText: 'none', default: 'none',
    parse: (raw) => formatRxSink(parseRxSink(raw)),
  },
  {
    key: 'rxSocket', flag: 'rx-socket', env: 'INFERNO_RX_SOCKET', file: 'rx_socket', arg: 'KIND',
    help: 'RX flow sockets: auto (batched native reads when the native helper is loaded, else node:dgram) or dgram',
    defaultText: 'auto', default: 'auto',
    parse: (raw) => oneOf('rx-socket', raw, RX_SOCKETS),
  },
  {
    key: 'alsaMap', flag: 'alsa-map', env: 'INFERNO_ALSA_MAP', file: 'alsa_map', arg: 'CHANNELS',
    help: `with --rx-sink alsa:PCM, the RX channel played on each PCM channel: ${ALSA_MAP_HELP}`,
    defaultText: 'every RX channel in order',
    parse: (raw) => parseAlsaMap('alsa-map', raw, MAX_CHANNELS),
  },
  {
    key: 'alsaTxMap', flag: 'alsa-tx-map', env: 'INFERNO_ALSA_TX_MAP', file: 'alsa_tx_map', arg: 'CHANNELS',
    help: `with --tx-source alsa:PCM, the TX channel each captured PCM channel feeds: ${ALSA_MAP_HELP}; a TX channel at most once`,
    defaultText: 'every TX channel in order',
    parse: (raw) => parseAlsaMap('alsa-tx-map', raw, MAX_CHANNELS, true),
  },
  {
    key: 'alsaPeriodFrames', flag: 'alsa-period-frames', env: 'INFERNO_ALSA_PERIOD_FRAMES', file: 'alsa_period_frames', arg: 'N',
    help: 'ALSA period size asked for, in frames (the PCM grants the nearest; /status shows it)',
    defaultText: String(DEFAULT_ALSA_PERIOD_FRAMES), default: DEFAULT_ALSA_PERIOD_FRAMES,
    parse: (raw) => intIn('alsa-period-frames', raw, 16, 65536),
  },
  {
    key: 'alsaBufferFrames', flag: 'alsa-buffer-frames', env: 'INFERNO_ALSA_BUFFER_FRAMES', file: 'alsa_buffer_frames', arg: 'N',
    help: 'ALSA buffer size asked for, in frames (at least two periods; playback starts when it is full)',
    defaultText: String(DEFAULT_ALSA_BUFFER_FRAMES), default: DEFAULT_ALSA_BUFFER_FRAMES,
    parse: (raw) => intIn('alsa-buffer-frames', raw, 32, 262144),
  },
  {
    key: 'subscribe', flag: 'subscribe', env: 'INFERNO_SUBSCRIBE', file: 'subscribe', arg: 'N=CH@DEV',
    help: 'subscribe RX channel N to TX channel CH of device DEV at start (repeatable; `.` = this device)',
    defaultText: 'none', multiple: true,
    parse: (raw) => {
      const list = (Array.isArray(raw) ? raw : [raw]).flatMap((r) => String(r).split(',')).map((x) => x.trim()).filter(Boolean);
      for (const x of list) parseSubscribeArg(x);
      return list;
    },
  },
];
