// `inferno capture`: a receive-only device (inferno2pipe's job, PROTOCOL.md §10) writing
// interleaved s32le of its RX channels to a FIFO or file. Routes come from `--subscribe` (or a
// controller). Output is clocked by the media clock (`local`: this host's CLOCK_TAI): frames are
// written continuously from start, at now − RX latency, with zeros where nothing arrived — unlike
// inferno2pipe, whose output is driven by arriving packets and stops while nothing arrives.
import { statSync, writeFileSync } from 'node:fs';
import { resolveDeviceConfig } from '../config/device-config.js';
import { loadSettings } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import { recorderConfig } from '../audio-io/recorder/capture-options.js';
import { DeviceEngine } from '../engine/device.js';
import { configureLogging } from '../log.js';

const HELP = `Usage: inferno capture -n N -o PATH [--subscribe N=CH@DEV]... [--duration S] [device options]

Receive-only device: writes interleaved signed 32-bit little-endian samples of RX channels 1..N
to PATH (a FIFO is opened when its reader appears; anything else is created or truncated).

  -n, --channels N      RX channels to capture (default 2)
  -o, --output PATH     FIFO or file to write
      --duration S      stop after S seconds (default: until Ctrl-C)
      --quiet           no progress line
      --format F        raw (default: s32le as above), wav, w64 or rf64 (WAV that becomes RF64
                        past 4 GiB); files carry the channel names (bext, iXML, LIST/INFO)
      --bits B          16, 24 or 32 for wav/w64/rf64 (default 24; 16 and 24 keep the top bits)
      --split-every X   start a new file every duration (30s, 10m, 1h) or size (500MB, 2GB),
                        gapless; files are named PATH-DEVICE-YYYYmmdd-HHMMSS.EXT (UTC)
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
      format: { type: 'string' },
      bits: { type: 'string' },
      'split-every': { type: 'string' },
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
    const recording = v.format !== undefined && v.format !== 'raw';
    const settings = { ...parsed.settings, rxChannels: channels, rxSink: recording ? 'none' : `${isFifo ? 'fifo' : 'file'}:${output}` };
    // Receive-only: no TX channels are advertised (inferno2pipe v0.5 does the same).
    const resolved = { ...resolveDeviceConfig(settings), txChannels: 0, txChannelNames: [] };
    if (!parsed.settings.name) resolved.name = `${resolved.name}-capture`.slice(0, 31);
    const recorder = recorderConfig(v, output, isFifo, resolved);
    // The receive worker builds the recorder sink from this (config reaches workers as plain data).
    if (recorder) Object.assign(resolved, { recorder });
    config = resolved;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`inferno capture: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  // The recorder never overwrites (a restarted receive worker continues in PATH-2.EXT), so the
  // one truncation `-o PATH` promises happens here, once per run.
  const rec = (config as { recorder?: { path: string; split?: unknown } }).recorder;
  if (rec && !rec.split) {
    try {
      writeFileSync(rec.path, '');
    } catch (err) {
      process.stderr.write(`inferno capture: cannot write ${rec.path}: ${(err as Error).message}\n`);
      return 1;
    }
  }
  const device = await DeviceEngine.start(config);
  const started = Date.now();
  const receive = () => (device.status().receive ?? {}) as ReceiveStatus;
  const recorderError = () => (receive() as { recorder?: { error?: string } }).recorder?.error;
  let failed = false;
  const progress = setInterval(() => {
    // A write error (full disk, ...) ends the take: the recorder has already closed the file.
    if (recorderError() && !failed) {
      failed = true;
      void stopRef(1);
    }
    if (quiet) return;
    const r = receive();
    const peaks = (r.peakDbfs ?? []).map((p) => (p === null ? '  -inf' : p.toFixed(1).padStart(6))).join(' ');
    const missing = (r.channels ?? []).reduce((a, c) => a + c.missingFrames, 0);
    process.stderr.write(`\r${((Date.now() - started) / 1000).toFixed(1)} s  ${r.deliveredFrames ?? 0} frames  peak dBFS [${peaks}]  lost ${r.lostPackets ?? 0} pkts  missing ${missing} frames `);
  }, 500);

  let stopRef: (code: number) => Promise<void> = async () => {};
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
      const error = recorderError();
      if (error) process.stderr.write(`inferno capture: ${error}\n`);
      resolve(error ? 1 : code);
    };
    stopRef = stop;
    if (Number.isFinite(duration)) setTimeout(() => void stop(0), duration * 1000);
    process.on('SIGINT', () => void stop(0));
    process.on('SIGTERM', () => void stop(0));
    device.on('fatal', () => void stop(1));
  });
}
