// Checks of a device's captured RX output (FIFO read by the test) against the pattern of the TX
// channels its RX channels are subscribed to, summed over channels, for the end-to-end tests.
import type { ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { checkChannel, fifoLatencies, mediaNow, sleep } from './e2e-devices.js';
import type { ChannelCheck, FifoCapture } from './e2e-devices.js';
import type { LanHost } from './netns.js';

export interface CaptureSummary {
  frames: number;
  checked: number;
  mismatches: number;
  /** Zero samples where the pattern is not zero, after `from`. */
  dropouts: number;
  startupZeros: number;
  /** Reader latency (samples): min and median of chunk arrival − media time after its last frame. */
  latency: { min: number; median: number; max: number };
}

/** Per-channel checks of a capture, and their sums. */
export interface CaptureCheck extends CaptureSummary {
  channels: ChannelCheck[];
}

/**
 * `map[k]` is the TX channel (1-based) whose pattern RX channel k + 1 must carry; frame k of the
 * capture is at media time `t0 + k`, and samples are checked from media time `from` on.
 */
export function summarizeCapture(cap: FifoCapture, map: readonly number[], opts: { bits: number; t0: number; from: number }): CaptureCheck {
  const s = cap.samples();
  const n = map.length;
  const channels = map.map((tx, i) => checkChannel(s, n, i + 1, tx, opts.bits, opts.t0, opts.from));
  const lat = fifoLatencies(cap, n, opts.t0, opts.from);
  const total = (k: 'checked' | 'mismatches' | 'zeros' | 'startupZeros') => channels.reduce((a, c) => a + c[k], 0);
  return {
    channels,
    frames: Math.floor(s.length / n),
    checked: total('checked'),
    mismatches: total('mismatches'),
    dropouts: total('zeros'),
    startupZeros: total('startupZeros'),
    latency: lat.length ? { min: lat[0]!, median: lat[Math.floor(lat.length / 2)]!, max: lat[lat.length - 1]! } : { min: NaN, median: NaN, max: NaN },
  };
}

/**
 * Asserts per channel: something received, no wrong sample, and after `from` no dropout, or with
 * `counted` (zeros the device counted per RX channel) no more zeros than counted.
 */
export function assertCapture(t: ExecutionContext, label: string, c: CaptureCheck, from: number, counted?: { perChannel: readonly number[]; until: number }): void {
  for (const r of c.channels) {
    t.true(r.first >= 0, `${label} RX ${r.rx} received something`);
    t.is(r.mismatches, 0, `${label} RX ${r.rx}: no wrong sample (${r.mismatches} of ${r.checked}) ${JSON.stringify(r.firstBad)}`);
    const runs = JSON.stringify(r.zeroRuns.slice(0, 5).map(([m, n]) => [m - from, n]));
    if (counted) {
      // The device's counters cover the output up to `until` (media time) when they were read.
      const zeros = zerosBefore(r.zeroRuns, counted.until);
      t.true(zeros <= counted.perChannel[r.rx - 1]!, `${label} RX ${r.rx}: every zero counted (${zeros} zeros, ${counted.perChannel[r.rx - 1]} counted; runs [start − from, length]: ${runs})`);
    } else {
      t.is(r.zeros, 0, `${label} RX ${r.rx}: no dropout after settling (zero runs [start − from, length]: ${runs})`);
    }
  }
}

/** Zero samples in runs [start, length] at media times before `until`. */
export function zerosBefore(runs: readonly (readonly [number, number])[], until: number): number {
  return runs.reduce((a, [start, n]) => a + Math.max(0, Math.min(n, until - start)), 0);
}

export interface CatFifoCapture extends FifoCapture {
  /** Stops the reader for `ms` (SIGSTOP/SIGCONT): the FIFO fills up and the sink's writes block. */
  pauseFor(ms: number): Promise<void>;
  /** Resumes the reader if a pause was cut short by a failure. */
  release(): void;
}

/**
 * A FIFO at `path` copied to `path.raw` by `cat`: a reader that keeps up on a loaded machine (a
 * Node reader needs an event-loop turn per 64 KiB) and that the test can stop. No chunk times.
 */
export function readFifoWithCat(path: string): CatFifoCapture {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed`);
  const out = openSync(`${path}.raw`, 'w');
  const cat = spawn('cat', [path], { stdio: ['ignore', out, 'inherit'] });
  closeSync(out);
  const closed = new Promise<void>((res) => cat.once('exit', () => res()));
  let stopped = false;
  const signal = (s: NodeJS.Signals) => { try { process.kill(cat.pid!, s); } catch { /* exited */ } };
  return {
    chunks: [],
    closed,
    samples() {
      const d = readFileSync(`${path}.raw`);
      return new Int32Array(d.buffer, d.byteOffset, Math.floor(d.length / 4));
    },
    async pauseFor(ms: number) {
      signal('SIGSTOP');
      stopped = true;
      await sleep(ms);
      signal('SIGCONT');
      stopped = false;
    },
    release() {
      if (stopped) signal('SIGCONT');
      if (cat.exitCode === null) signal('SIGTERM');
    },
  };
}

/** The namespace's UDP receive-buffer overflows (/proc/net/snmp RcvbufErrors): packets the kernel dropped. */
export async function udpRcvbufErrors(host: LanHost): Promise<number> {
  const r = await host.run('cat', ['/proc/net/snmp']);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, values] = lines.map((l) => l.trim().split(/\s+/));
  const i = names?.indexOf('RcvbufErrors') ?? -1;
  return i > 0 ? Number(values?.[i]) : NaN;
}
