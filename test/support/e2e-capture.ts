// Checks of a device's captured RX output (FIFO read by the test) against the pattern of the TX
// channels its RX channels are subscribed to, summed over channels, for the end-to-end tests.
import type { ExecutionContext } from 'ava';
import { checkChannel, fifoLatencies } from './e2e-devices.js';
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
 * channel: something received, no wrong sample, no dropout after media time `from`.
 */
export function checkCapture(
  t: ExecutionContext,
  label: string,
  cap: FifoCapture,
  map: readonly number[],
  opts: { bits: number; t0: number; from: number; missing?: readonly number[] },
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
    t.is(r.zeros, 0, `${label} RX ${rx}: no dropout after settling (zero runs [start − from, length]: ${runs})`);
    if (opts.missing) t.true(r.zeros <= opts.missing[rx - 1]!, `${label} RX ${rx}: every dropout counted as missing`);
  }
  const lat = fifoLatencies(cap, channels, opts.t0, opts.from);
  out.latency = { min: lat[0]!, median: lat[Math.floor(lat.length / 2)]!, max: lat[lat.length - 1]! };
  return out;
}
