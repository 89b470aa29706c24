// Band-limited variable-ratio resampler for interleaved Int32 frames (s32 full scale), used to
// bridge the media clock and a sound card with its own clock. Polyphase windowed sinc with linear
// interpolation between neighbouring phases; the ratio may change on every call (the drift
// controller steers it). process() allocates nothing.
import { designSincTable } from './sinc.js';
import type { SincDesign } from './sinc.js';

export type ResamplerQuality = 'high' | 'medium';

export interface ResamplerOptions {
  quality?: ResamplerQuality;
}

/**
 * high: 64 taps, ~120 dB stop band, pass band to 0.42 × rate (20 kHz at 48 kHz);
 * medium: 32 taps, ~90 dB, for many channels on a slow machine.
 * 256 phases keep the error of the linear phase interpolation far below the stop band for audio
 * (it grows with the square of the frequency over phases × rate).
 */
export const RESAMPLER_DESIGNS: Readonly<Record<ResamplerQuality, SincDesign>> = {
  high: { taps: 64, phases: 256, cutoff: 0.46, beta: 12.5 },
  medium: { taps: 32, phases: 256, cutoff: 0.45, beta: 9.5 },
};

/** The correction this resampler is built for is tiny; this range only rejects nonsense. */
export const MIN_RATIO = 0.5;
export const MAX_RATIO = 2;

/** Input frames staged per refill of the history, beyond the filter length. */
const STAGE_FRAMES = 256;

const S32_MAX = 2147483647;
const S32_MIN = -2147483648;

export interface ResampleResult {
  consumed: number;
  produced: number;
}

/** Band-limited variable-ratio resampler on interleaved Int32 (s32 full scale) frames; keeps state between calls. */
export class Resampler {
  readonly channels: number;
  readonly quality: ResamplerQuality;
  /** Group delay in input frames (for latency reporting). */
  readonly delayFrames: number;

  private readonly taps: number;
  private readonly phases: number;
  private readonly table: Float64Array;
  /** Per-phase difference to the next row, so a coefficient is row + frac × diff. */
  private readonly diff: Float64Array;
  private readonly coef: Float64Array;
  private readonly acc: Float64Array;
  /** Interleaved input history as float; frame 0 is the oldest still needed. */
  private readonly hist: Float64Array;
  private readonly histCapacity: number;
  private histFrames = 0;
  /** Position of the next output: history frame posInt plus posFrac ∈ [0, 1). Kept apart so the
   *  rounding of the fraction does not depend on where the history was compacted, which makes the
   *  output independent of how the caller splits its blocks. */
  private posInt = 0;
  private posFrac = 0;
  // One result object, reused: process() must not allocate.
  private readonly result: ResampleResult = { consumed: 0, produced: 0 };

  constructor(channels: number, opts: ResamplerOptions = {}) {
    if (!Number.isInteger(channels) || channels < 1 || channels > 1024) {
      throw new RangeError(`resampler channels must be an integer 1..1024, got ${channels}`);
    }
    const quality = opts.quality ?? 'high';
    const design = RESAMPLER_DESIGNS[quality];
    if (!design) throw new RangeError(`resampler quality must be 'high' or 'medium', got ${JSON.stringify(quality)}`);
    this.channels = channels;
    this.quality = quality;
    if (design.taps % 4 !== 0) throw new RangeError(`resampler taps must be a multiple of 4, got ${design.taps}`);
    this.taps = design.taps;
    this.phases = design.phases;
    this.table = designSincTable(design);
    this.diff = new Float64Array(this.phases * this.taps);
    for (let i = 0; i < this.diff.length; i++) this.diff[i] = this.table[i + this.taps] - this.table[i];
    this.coef = new Float64Array(this.taps);
    this.acc = new Float64Array(channels);
    this.histCapacity = this.taps + STAGE_FRAMES;
    this.hist = new Float64Array(this.histCapacity * channels);
    this.delayFrames = this.taps / 2;
    this.reset();
  }

  /** Back to silence: the next output is the first input frame after `delayFrames` more have come in. */
  reset(): void {
    this.hist.fill(0);
    // taps/2 - 1 frames of silence before the first input frame, which sits at the output position.
    this.histFrames = this.taps / 2 - 1;
    this.posInt = this.histFrames;
    this.posFrac = 0;
  }

  /** Consumes input frames and writes output frames; returns { consumed, produced } (frames). Ratio = output/input.
   *  The returned object is reused by the next call. */
  process(input: Int32Array, inputFrames: number, output: Int32Array, outputCapacityFrames: number, ratio: number): ResampleResult {
    const ch = this.channels;
    if (!(ratio >= MIN_RATIO && ratio <= MAX_RATIO)) throw new RangeError(`resampler ratio must be within ${MIN_RATIO}..${MAX_RATIO}, got ${ratio}`);
    if (!Number.isInteger(inputFrames) || inputFrames < 0 || inputFrames * ch > input.length) {
      throw new RangeError(`resampler input of ${inputFrames} frames does not fit ${input.length} samples of ${ch} channels`);
    }
    if (!Number.isInteger(outputCapacityFrames) || outputCapacityFrames < 0 || outputCapacityFrames * ch > output.length) {
      throw new RangeError(`resampler output of ${outputCapacityFrames} frames does not fit ${output.length} samples of ${ch} channels`);
    }
    const step = 1 / ratio;
    const stepInt = Math.floor(step);
    const stepFrac = step - stepInt;
    const taps = this.taps;
    const lastTap = taps / 2; // the output at n + frac needs history up to frame n + taps/2
    const hist = this.hist;
    let consumed = 0;
    let produced = 0;
    for (;;) {
      while (produced < outputCapacityFrames && this.posInt + lastTap < this.histFrames) {
        this.interpolate(output, produced * ch);
        this.posInt += stepInt;
        this.posFrac += stepFrac;
        if (this.posFrac >= 1) {
          this.posFrac -= 1;
          this.posInt++;
        }
        produced++;
      }
      if (produced === outputCapacityFrames || consumed === inputFrames) break;
      this.compact();
      const take = Math.min(inputFrames - consumed, this.histCapacity - this.histFrames);
      const src = consumed * ch;
      const dst = this.histFrames * ch;
      for (let i = 0; i < take * ch; i++) hist[dst + i] = input[src + i];
      this.histFrames += take;
      consumed += take;
    }
    this.result.consumed = consumed;
    this.result.produced = produced;
    return this.result;
  }

  /** One output frame at the current position into output[at .. at + channels). */
  private interpolate(output: Int32Array, at: number): void {
    const ch = this.channels;
    const taps = this.taps;
    const n = this.posInt;
    const scaled = this.posFrac * this.phases;
    const p = Math.floor(scaled);
    const frac = scaled - p;
    const table = this.table;
    const diff = this.diff;
    const coef = this.coef;
    const row = p * taps;
    for (let j = 0; j < taps; j++) coef[j] = table[row + j] + frac * diff[row + j];
    const hist = this.hist;
    let base = (n - (taps / 2 - 1)) * ch;
    if (ch === 1) {
      let s = 0;
      for (let j = 0; j < taps; j++) s += hist[base + j] * coef[j];
      output[at] = toS32(s);
      return;
    }
    if (ch === 2) {
      let l = 0;
      let r = 0;
      for (let j = 0; j < taps; j++, base += 2) {
        const c = coef[j];
        l += hist[base] * c;
        r += hist[base + 1] * c;
      }
      output[at] = toS32(l);
      output[at + 1] = toS32(r);
      return;
    }
    // Four taps per pass over the channels: a quarter of the accumulator traffic (taps is a
    // multiple of 4 in every design).
    const acc = this.acc;
    acc.fill(0);
    const ch2 = 2 * ch;
    const ch3 = 3 * ch;
    for (let j = 0; j < taps; j += 4, base += 4 * ch) {
      const c0 = coef[j];
      const c1 = coef[j + 1];
      const c2 = coef[j + 2];
      const c3 = coef[j + 3];
      for (let k = 0; k < ch; k++) {
        const b = base + k;
        acc[k] += hist[b] * c0 + hist[b + ch] * c1 + hist[b + ch2] * c2 + hist[b + ch3] * c3;
      }
    }
    for (let k = 0; k < ch; k++) output[at + k] = toS32(acc[k]);
  }

  /** Drops history frames no future output needs, keeping the buffer small and positions exact. */
  private compact(): void {
    const drop = this.posInt - (this.taps / 2 - 1);
    if (drop <= 0) return;
    const ch = this.channels;
    this.hist.copyWithin(0, drop * ch, this.histFrames * ch);
    this.histFrames -= drop;
    this.posInt -= drop;
  }
}

function toS32(x: number): number {
  const r = Math.round(x);
  return r > S32_MAX ? S32_MAX : r < S32_MIN ? S32_MIN : r;
}
