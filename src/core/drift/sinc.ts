// Kaiser-windowed sinc prototypes for the polyphase resampler: a table of `phases + 1` rows of
// `taps` coefficients, row p holding the filter for a fractional position p / phases. The extra
// row lets the resampler interpolate linearly between neighbouring phases without a wrap.

/** Zeroth-order modified Bessel function of the first kind (series; converges fast for x < 50). */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

export interface SincDesign {
  /** Filter length in input frames (even). */
  taps: number;
  /** Fractional positions tabulated per input frame. */
  phases: number;
  /** Cut-off as a fraction of the input rate (0.5 = Nyquist). */
  cutoff: number;
  /** Kaiser window shape; attenuation ≈ 8.7 + beta / 0.1102 dB. */
  beta: number;
}

/**
 * Row p, column j is h(j - (taps/2 - 1) - p/phases): the weight of input frame n + j - (taps/2 - 1)
 * for an output at n + p/phases. Each row is normalised to a DC gain of exactly 1, so the gain does
 * not wobble with the fractional position (that wobble would be heard as noise on low tones).
 */
export function designSincTable(d: SincDesign): Float64Array {
  const { taps, phases, cutoff, beta } = d;
  if (!Number.isInteger(taps) || taps < 4 || taps % 2 !== 0) throw new RangeError(`taps must be an even integer >= 4, got ${taps}`);
  if (!Number.isInteger(phases) || phases < 2) throw new RangeError(`phases must be an integer >= 2, got ${phases}`);
  if (!(cutoff > 0 && cutoff <= 0.5)) throw new RangeError(`cutoff must be in (0, 0.5], got ${cutoff}`);
  const half = taps / 2;
  const table = new Float64Array((phases + 1) * taps);
  const i0Beta = besselI0(beta);
  for (let p = 0; p <= phases; p++) {
    const mu = p / phases;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const x = j - (half - 1) - mu; // distance from the output position, in input frames
      const w = x / half; // -1 .. 1 across the window
      const win = Math.abs(w) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - w * w)) / i0Beta;
      const arg = 2 * cutoff * x;
      const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
      const h = 2 * cutoff * sinc * win;
      table[p * taps + j] = h;
      sum += h;
    }
    for (let j = 0; j < taps; j++) table[p * taps + j] /= sum;
  }
  return table;
}
