// Argument parsing and value parsers for `inferno ctl`. Every bad value throws ConfigError, which
// the CLI prints on one line (argument, value, what is accepted) and exits with status 2.
import { parseArgs } from 'node:util';
import { isIPv4 } from 'node:net';
import { ConfigError } from '../../core/errors.js';
import { MAX_NAME_BYTES } from '../../core/arc/index.js';
import { splitAtDevice } from '../../core/mdns/names.js';

export const COMMANDS = ['list', 'channels', 'subscribe', 'unsubscribe', 'rename', 'rename-channel', 'set', 'identify'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Default wait for discovery and for each ARC reply. */
export const DEFAULT_TIMEOUT_MS = 1500;

export interface CtlOptions {
  command?: CommandName;
  operands: string[];
  interface?: string;
  timeoutMs: number;
  json: boolean;
  help: boolean;
}

export function parseCtlArgs(argv: string[]): CtlOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        interface: { type: 'string', short: 'i' },
        timeout: { type: 'string', short: 't' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    const m = /'(-{1,2}[^']+)'/.exec((err as Error).message);
    throw new ConfigError('option', m ? m[1] : argv.join(' '), '--interface IFACE|IP, --timeout MS, --json, --help');
  }
  const [first, ...operands] = parsed.positionals;
  const out: CtlOptions = {
    operands,
    timeoutMs: parsed.values.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseTimeout(parsed.values.timeout),
    json: parsed.values.json === true,
    help: parsed.values.help === true,
  };
  if (parsed.values.interface !== undefined) out.interface = parsed.values.interface;
  if (first !== undefined) {
    if (!(COMMANDS as readonly string[]).includes(first)) throw new ConfigError('command', first, COMMANDS.join(', '));
    out.command = first as CommandName;
  }
  return out;
}

function parseTimeout(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 50 || n > 60000) throw new ConfigError('--timeout', raw, 'milliseconds from 50 to 60000');
  return n;
}

/** Checks the operand count; `names` label them in the message. */
export function operands(o: CtlOptions, names: string[]): string[] {
  if (o.operands.length !== names.length) {
    throw new ConfigError(`arguments of '${o.command}'`, o.operands.join(' '), names.join(' '));
  }
  return o.operands;
}

export type DeviceSpec = { kind: 'name'; name: string } | { kind: 'address'; ip: string; arcPort?: number };

/** DEVICE: a device name, or IP[:arcport]. */
export function parseDeviceSpec(raw: string, what = 'DEVICE'): DeviceSpec {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d+))?$/.exec(raw);
  if (m) {
    const port = m[2] === undefined ? undefined : Number(m[2]);
    if (!isIPv4(m[1]!) || (port !== undefined && (port < 1 || port > 65535))) {
      throw new ConfigError(what, raw, 'a device name or IPv4[:ARC port]');
    }
    return port === undefined ? { kind: 'address', ip: m[1]! } : { kind: 'address', ip: m[1]!, arcPort: port };
  }
  if (raw === '' || Buffer.byteLength(raw) > MAX_NAME_BYTES) throw new ConfigError(what, raw, 'a device name (1-31 bytes) or IPv4[:ARC port]');
  return { kind: 'name', name: raw };
}

/** A channel or device name to send to a device: 1–31 bytes (§3.4, §3.11). */
export function parseName(raw: string, what: string): string {
  if (raw === '' || Buffer.byteLength(raw) > MAX_NAME_BYTES) throw new ConfigError(what, raw, `a name of 1-${MAX_NAME_BYTES} bytes`);
  return raw;
}

/** Device names as Dante Controller accepts them (a valid DNS label). */
export function parseDeviceName(raw: string): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,29}[A-Za-z0-9])?$/.test(raw)) {
    throw new ConfigError('NEWNAME', raw, '1-31 letters, digits and hyphens, not starting or ending with a hyphen');
  }
  return raw;
}

export function parseSubscriptionSource(raw: string): { channel: string; device: string } {
  const parts = splitAtDevice(raw);
  if (!parts) throw new ConfigError('TXCHANNEL@TXDEVICE', raw, 'a TX channel name, @, and a device name (e.g. 01@stage-box)');
  return { channel: parseName(parts.name, 'TXCHANNEL'), device: parseName(parts.device, 'TXDEVICE') };
}

/** Latency: `5ms`, `500us` (or `µs`), `1.5ms`, or plain nanoseconds. */
export function parseLatency(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|us|µs|ns)?$/i.exec(raw.trim());
  const scale = { ms: 1e6, us: 1e3, 'µs': 1e3, ns: 1 }[(m?.[2] ?? 'ns').toLowerCase()] ?? 1;
  const ns = m ? Math.round(Number(m[1]) * scale) : NaN;
  if (!Number.isInteger(ns) || ns <= 0 || ns > 0xffffffff) throw new ConfigError('latency', raw, 'a duration such as 1ms, 500us or 2000000 (ns)');
  return ns;
}

export const DANTE_SAMPLE_RATES = [44100, 48000, 88200, 96000, 176400, 192000] as const;
export const DANTE_ENCODINGS = [16, 24, 32] as const;

/** Sample rate in Hz: `48000`, `48k`, `44.1k`, `96kHz`. */
export function parseSampleRate(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(k|khz|hz)?$/i.exec(raw.trim());
  const hz = m ? Math.round(Number(m[1]) * (m[2] && m[2].toLowerCase().startsWith('k') ? 1000 : 1)) : NaN;
  if (!(DANTE_SAMPLE_RATES as readonly number[]).includes(hz)) throw new ConfigError('sample-rate', raw, DANTE_SAMPLE_RATES.join(', ') + ' (Hz; 48k also accepted)');
  return hz;
}

/** Encoding in bits: `24`, `pcm24`. */
export function parseEncoding(raw: string): number {
  const m = /^(?:pcm)?(\d+)$/i.exec(raw.trim());
  const bits = m ? Number(m[1]) : NaN;
  if (!(DANTE_ENCODINGS as readonly number[]).includes(bits)) throw new ConfigError('encoding', raw, DANTE_ENCODINGS.join(', ') + ' (bits)');
  return bits;
}
