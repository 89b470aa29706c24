// Summary statistics for benchmark samples. Percentiles use the nearest-rank method on a sorted
// copy, so a reported p99.9 is a value that was actually measured, never an interpolation.

export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Sorted copy as a Float64Array (typed sort is numeric, and fast for millions of samples). */
export function sorted(values: ArrayLike<number>): Float64Array {
  const s = Float64Array.from(values);
  s.sort();
  return s;
}

/** Nearest-rank percentile (0 < p ≤ 100) of ascending `s`; NaN when empty. */
export function percentile(s: ArrayLike<number>, p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (s.length === 0) return NaN;
  // The epsilon keeps float noise (99.9 / 100 * 1000 = 999.0000000000001) from moving a rank up.
  const rank = Math.ceil((p * s.length) / 100 - 1e-9);
  return s[Math.min(s.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: ArrayLike<number>): Summary {
  const s = sorted(values);
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i]!;
  return {
    count: s.length,
    min: s.length ? s[0]! : NaN,
    mean: s.length ? sum / s.length : NaN,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    p999: percentile(s, 99.9),
    max: s.length ? s[s.length - 1]! : NaN,
  };
}

/** Values above `limit`. */
export function countAbove(values: ArrayLike<number>, limit: number): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > limit) n++;
  return n;
}

export interface Histogram {
  /** Lower edge of bin 0; bins are `width` wide. */
  lo: number;
  width: number;
  counts: number[];
  /** Samples below `lo` / at or above the last edge (kept so no sample is silently dropped). */
  under: number;
  over: number;
}

/**
 * Fixed-width histogram over [lo, hi). With no range given it spans min..p99.9 of the data so a
 * few huge outliers do not squash the body into one bin; they are counted in `over`.
 */
export function histogram(values: ArrayLike<number>, bins = 50, range?: { lo: number; hi: number }): Histogram {
  if (!(bins >= 1) || !Number.isInteger(bins)) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  let lo: number;
  let hi: number;
  if (range) ({ lo, hi } = range);
  else {
    const s = sorted(values);
    lo = s.length ? s[0]! : 0;
    hi = s.length ? percentile(s, 99.9) : 1;
  }
  if (!(hi > lo)) hi = lo + 1;
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  let under = 0;
  let over = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) under++;
    else if (v > hi || (v === hi && range)) over++;
    else counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  }
  return { lo, width, counts, under, over };
}

/** Rounds for result files: figures keep 3 significant decimals, not float noise. */
export function round(v: number, digits = 3): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
