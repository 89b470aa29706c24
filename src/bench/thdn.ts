// THD+N of a resampled sine, the quality figure of the drift resampler (bench/README.md,
// "Resampler"). Pure: it generates, resamples and fits in memory.
//
// Method: a sine of `frequency` at `level` dBFS (s32 full scale) at the input rate goes through
// the resampler at a constant `ratio`, in blocks like a real caller. The output is then an ideal
// sine of known angular frequency ω = 2π·f / (rate·ratio) per output frame, of unknown amplitude
// and phase. A linear least-squares fit of a·sin(ωm) + b·cos(ωm) + c over a window after the
// start-up transient gives the fundamental; THD+N = 20·log10(RMS(residual) / RMS(fundamental)).
// Plain fit, no spectral window: the frequency is exact, so there is no leakage to hide.
import { Resampler } from '../core/drift/resampler.js';
import type { ResamplerQuality } from '../core/drift/resampler.js';

export interface ThdnOptions {
  rate?: number;
  frequency?: number;
  /** dBFS of the input sine. */
  level?: number;
  ratio: number;
  channels?: number;
  quality?: ResamplerQuality;
  /** Output frames skipped before the measurement window. */
  skipFrames?: number;
  /** Output frames measured. */
  windowFrames?: number;
  /** Input frames per process() call. */
  blockFrames?: number;
}

export interface ThdnResult {
  thdnDb: number;
  /** Fitted fundamental level, dBFS. */
  levelDb: number;
  measuredFrames: number;
}

export function resampledSine(opts: ThdnOptions): Int32Array {
  const rate = opts.rate ?? 48000;
  const f = opts.frequency ?? 1000;
  const amp = 2147483648 * 10 ** ((opts.level ?? -1) / 20);
  const ch = opts.channels ?? 1;
  const block = opts.blockFrames ?? 256;
  const want = (opts.skipFrames ?? 4800) + (opts.windowFrames ?? 48000);
  const rs = new Resampler(ch, { quality: opts.quality });
  const input = new Int32Array(block * ch);
  const out = new Int32Array((want + 2 * block) * ch);
  let produced = 0;
  let n = 0;
  while (produced < want) {
    for (let i = 0; i < block; i++, n++) {
      const v = Math.round(amp * Math.sin((2 * Math.PI * f * n) / rate));
      for (let c = 0; c < ch; c++) input.fill(v, i * ch + c, i * ch + c + 1);
    }
    let off = 0;
    while (off < block) {
      const r = rs.process(input.subarray(off * ch), block - off, out.subarray(produced * ch), (out.length / ch) - produced, opts.ratio);
      off += r.consumed;
      produced += r.produced;
    }
  }
  return out.subarray(0, produced * ch);
}

/** Fits a·sin(ωm) + b·cos(ωm) + c to x[start .. start+count) (one channel of interleaved data). */
export function fitSine(x: Int32Array, channels: number, channel: number, start: number, count: number, omega: number): { a: number; b: number; c: number; residualRms: number } {
  // Normal equations of the 3-parameter fit, solved by Cramer's rule.
  let ss = 0, sc = 0, s1 = 0, cc = 0, c1 = 0, n = 0, ys = 0, yc = 0, y1 = 0;
  for (let m = start; m < start + count; m++) {
    const s = Math.sin(omega * m);
    const c = Math.cos(omega * m);
    const y = x[m * channels + channel];
    ss += s * s; sc += s * c; s1 += s; cc += c * c; c1 += c; n += 1;
    ys += y * s; yc += y * c; y1 += y;
  }
  const det3 = (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number): number =>
    a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  const d = det3(ss, sc, s1, sc, cc, c1, s1, c1, n);
  const a = det3(ys, sc, s1, yc, cc, c1, y1, c1, n) / d;
  const b = det3(ss, ys, s1, sc, yc, c1, s1, y1, n) / d;
  const c0 = det3(ss, sc, ys, sc, cc, yc, s1, c1, y1) / d;
  let r2 = 0;
  for (let m = start; m < start + count; m++) {
    const e = x[m * channels + channel] - (a * Math.sin(omega * m) + b * Math.cos(omega * m) + c0);
    r2 += e * e;
  }
  return { a, b, c: c0, residualRms: Math.sqrt(r2 / count) };
}

export function measureThdn(opts: ThdnOptions): ThdnResult {
  const rate = opts.rate ?? 48000;
  const f = opts.frequency ?? 1000;
  const ch = opts.channels ?? 1;
  const skip = opts.skipFrames ?? 4800;
  const win = opts.windowFrames ?? 48000;
  const y = resampledSine(opts);
  const omega = (2 * Math.PI * f) / (rate * opts.ratio);
  let worst = -Infinity;
  let level = 0;
  for (let c = 0; c < ch; c++) {
    const fit = fitSine(y, ch, c, skip, win, omega);
    const fundRms = Math.hypot(fit.a, fit.b) / Math.SQRT2;
    const db = 20 * Math.log10(fit.residualRms / fundRms);
    if (db > worst) {
      worst = db;
      level = 20 * Math.log10(Math.hypot(fit.a, fit.b) / 2147483648);
    }
  }
  return { thdnDb: worst, levelDb: level, measuredFrames: win };
}
