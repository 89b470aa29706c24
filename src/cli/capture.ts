// `inferno capture`: a receive-only device (inferno2pipe's job, PROTOCOL.md §10) writing
// interleaved s32le of its RX channels to a FIFO or file. Routes come from `--subscribe` (or a
// controller). Output is clocked by the media clock (`local`: this host's CLOCK_TAI): frames are
// written continuously from start, at now − RX latency, with zeros where nothing arrived — unlike
// inferno2pipe, whose output is driven by arriving packets and stops while nothing arrives.
import { statSync } from 'node:fs';
import { resolveDeviceConfig } from '../config/device-config.js';
import { loadSettings } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import { DeviceEngine } from '../engine/device.js';
import { configureLogging } from '../log.js';

const HELP = `Usage: inferno capture -n N -o PATH [--subscribe N=CH@DEV]... [--duration S] [device options]

Receive-only device: writes interleaved signed 32-bit little-endian samples of RX channels 1..N
to PATH (a FIFO is opened when its reader appears; anything else is created or truncated).

  -n, --channels N      RX channels to capture (default 2)
  -o, --output PATH     FIFO or file to write
      --duration S      stop after S seconds (default: until Ctrl-C)
      --quiet           no progress line
  Device options (--bind-ip, --name, --rx-latency-ns, --subscribe, ...) as for \`inferno --help\`.
`;

interface ReceiveStatus {
  deliveredFrames?: number;
  lostPackets?: number;
  lostFrames?: number;
  malformed?: number;
  latencyNs?: number;
  latency?: { achievedNs?: number; configuredNs?: number };
  channels?: { rx: number; missingFrames: number; zeroFilled: number }[];
  peakDbfs?: (number | null)[];
  subscriptions?: { rx: number; status: number }[];
  packets?: number;
}

export async function runCapture(argv: string[]): Promise<number> {
  let config;
  let duration = Infinity;
  let quiet = false;
  try {
    const parsed = loadSettings(argv, process.env, {
      channels: { type: 'string', short: 'n' },
      output: { type: 'string', short: 'o' },
      duration: { type: 'string' },
      quiet: { type: 'boolean' },
    });
    if (parsed.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const v = parsed.values;
    const output = v.output as string | undefined;
    if (!output) throw new ConfigError('output', output, 'a FIFO or file path (-o PATH)');
    const channels = v.channels === undefined ? 2 : Number(v.channels);
    if (!Number.isInteger(channels) || channels < 1 || channels > 128) throw new ConfigError('channels', v.channels, 'an integer from 1 to 128');
    if (v.duration !== undefined) {
      duration = Number(v.duration);
      if (!(duration > 0)) throw new ConfigError('duration', v.duration, 'a positive number of seconds');
    }
    quiet = v.quiet === true || !process.stderr.isTTY;
    let isFifo = false;
    try {
      isFifo = statSync(output).isFIFO();
    } catch { /* a new file */ }
    configureLogging({ level: parsed.settings.logLevel, format: parsed.settings.logFormat });
    const settings = { ...parsed.settings, rxChannels: channels, rxSink: `${isFifo ? 'fifo' : 'file'}:${output}` };
    // Receive-only: no TX channels are advertised (inferno2pipe v0.5 does the same).
    config = { ...resolveDeviceConfig(settings), txChannels: 0, txChannelNames: [] };
    if (!parsed.settings.name) config.name = `${config.name}-capture`.slice(0, 31);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`inferno capture: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  const device = await DeviceEngine.start(config);
  const started = Date.now();
  const receive = () => (device.status().receive ?? {}) as ReceiveStatus;
  const progress = setInterval(() => {
    if (quiet) return;
    const r = receive();
    const peaks = (r.peakDbfs ?? []).map((p) => (p === null ? '  -inf' : p.toFixed(1).padStart(6))).join(' ');
    const missing = (r.channels ?? []).reduce((a, c) => a + c.missingFrames, 0);
    process.stderr.write(`\r${((Date.now() - started) / 1000).toFixed(1)} s  ${r.deliveredFrames ?? 0} frames  peak dBFS [${peaks}]  lost ${r.lostPackets ?? 0} pkts  missing ${missing} frames `);
  }, 500);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (code: number) => {
      if (stopping) return;
      stopping = true;
      clearInterval(progress);
      const r = receive();
      if (!quiet) process.stderr.write('\n');
      // Final report, one JSON line, for scripts.
      process.stderr.write(`capture summary ${JSON.stringify({ seconds: (Date.now() - started) / 1000, ...r })}\n`);
      await device.stop();
      resolve(code);
    };
    if (Number.isFinite(duration)) setTimeout(() => void stop(0), duration * 1000);
    process.on('SIGINT', () => void stop(0));
    process.on('SIGTERM', () => void stop(0));
    device.on('fatal', () => void stop(1));
  });
}
