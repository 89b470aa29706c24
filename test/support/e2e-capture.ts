// Checks of a device's captured RX output (FIFO read by the test) against the pattern of the TX
// channels its RX channels are subscribed to, summed over channels, for the end-to-end tests.
import type { ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { checkChannel, fifoLatencies, mediaNow, sleep } from './e2e-devices.js';
import type { FifoCapture } from './e2e-devices.js';

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

/**
 * `map[k]` is the TX channel (1-based) whose pattern RX channel k + 1 must carry. Asserts per
 * channel: something received, no wrong sample, and after media time `from` no dropout, or with
 * `counted` (zeros the device counted per RX channel) no more zeros than counted.
 */
export function checkCapture(
  t: ExecutionContext,
  label: string,
  cap: FifoCapture,
  map: readonly number[],
  opts: { bits: number; t0: number; from: number; counted?: readonly number[] },
): CaptureSummary {
  const s = cap.samples();
  const channels = map.length;
  const out: CaptureSummary = { frames: Math.floor(s.length / channels), checked: 0, mismatches: 0, dropouts: 0, startupZeros: 0, latency: { min: NaN, median: NaN, max: NaN } };
  for (let rx = 1; rx <= channels; rx++) {
    const r = checkChannel(s, channels, rx, map[rx - 1]!, opts.bits, opts.t0, opts.from);
    out.checked += r.checked;
    out.mismatches += r.mismatches;
    out.dropouts += r.zeros;
    out.startupZeros += r.startupZeros;
    t.true(r.first >= 0, `${label} RX ${rx} received something`);
    t.is(r.mismatches, 0, `${label} RX ${rx}: no wrong sample (${r.mismatches} of ${r.checked}) ${JSON.stringify(r.firstBad)}`);
    const runs = JSON.stringify(r.zeroRuns.slice(0, 5).map(([m, n]) => [m - opts.from, n]));
    if (opts.counted) t.true(r.zeros <= opts.counted[rx - 1]!, `${label} RX ${rx}: every zero counted (${r.zeros} zeros, ${opts.counted[rx - 1]} counted; runs [start − from, length]: ${runs})`);
    else t.is(r.zeros, 0, `${label} RX ${rx}: no dropout after settling (zero runs [start − from, length]: ${runs})`);
  }
  const lat = fifoLatencies(cap, channels, opts.t0, opts.from);
  out.latency = { min: lat[0]!, median: lat[Math.floor(lat.length / 2)]!, max: lat[lat.length - 1]! };
  return out;
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
