// Checks of a device's captured RX output (FIFO read by the test) against the pattern of the TX
// channels its RX channels are subscribed to, summed over channels, for the end-to-end tests.
import type { ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
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
    latency: { min: lat[0]!, median: lat[Math.floor(lat.length / 2)]!, max: lat[lat.length - 1]! },
  };
}

/**
 * Asserts per channel: something received, no wrong sample, and after `from` no dropout, or with
 * `counted` (zeros the device counted per RX channel) no more zeros than counted.
 */
export function assertCapture(t: ExecutionContext, label: string, c: CaptureCheck, from: number, counted?: readonly number[]): void {
  for (const r of c.channels) {
    t.true(r.first >= 0, `${label} RX ${r.rx} received something`);
    t.is(r.mismatches, 0, `${label} RX ${r.rx}: no wrong sample (${r.mismatches} of ${r.checked}) ${JSON.stringify(r.firstBad)}`);
    const runs = JSON.stringify(r.zeroRuns.slice(0, 5).map(([m, n]) => [m - from, n]));
    if (counted) t.true(r.zeros <= counted[r.rx - 1]!, `${label} RX ${r.rx}: every zero counted (${r.zeros} zeros, ${counted[r.rx - 1]} counted; runs [start − from, length]: ${runs})`);
    else t.is(r.zeros, 0, `${label} RX ${r.rx}: no dropout after settling (zero runs [start − from, length]: ${runs})`);
  }
}

export interface SlowFifoCapture extends FifoCapture {
  /** Stops reading for `ms` (the writer's FIFO fills up and its writes block), then resumes. */
  pauseFor(ms: number): Promise<void>;
}

/** `readFifo` whose reader the test can stop for a while: a slow consumer of the RX sink. */
export function readFifoSlow(path: string, rate: number): SlowFifoCapture {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed`);
  const chunks: { at: number; bytes: number }[] = [];
  const parts: Buffer[] = [];
  const reader = createReadStream(path, { highWaterMark: 16384 });
  const closed = new Promise<void>((res) => reader.once('close', () => res()));
  reader.on('data', (b) => {
    chunks.push({ at: mediaNow(rate), bytes: (b as Buffer).length });
    parts.push(b as Buffer);
  });
  return {
    chunks,
    closed,
    samples() {
      const d = Buffer.concat(parts);
      return new Int32Array(d.buffer, d.byteOffset, Math.floor(d.length / 4));
    },
    async pauseFor(ms: number) {
      reader.pause();
      await sleep(ms);
      reader.resume();
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
