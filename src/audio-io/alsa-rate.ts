// Between the media clock and a sound card that runs on its own clock, the frame rates differ by
// a few ppm to a few hundred: the ALSA path resamples by a ratio steered from the buffer fill
// (src/core/drift). PCMs without a clock of their own (null, file) take frames as fast as they
// come, so their path copies frames unchanged: bit-exact, no latency, ratio exactly 1.
import { DriftController, Resampler } from '../core/drift/index.js';

export interface RateAdapter {
  /** True when the ratio is steered (a PCM with its own clock). */
  readonly steered: boolean;
  /** Current ratio − 1, in ppm (0 when not steered). */
  readonly ppm: number;
  /** Latency the adapter itself adds, in input frames. */
  readonly delayFrames: number;
  /**
   * Moves frames from `input` to `output` (interleaved, same channels) at the ratio steered by
   * `fillFrames` (the buffer the ratio holds steady, observed at `nowNs`).
   */
  process(input: Int32Array, inputFrames: number, output: Int32Array, outputCapacity: number, fillFrames: number, nowNs: number): { consumed: number; produced: number };
  /** Starts over (after an xrun or a restart): the fill is taken as it is now. */
  reset(fillFrames?: number): void;
  /** Frames to drop (> 0) or pad with silence (< 0) at once when the fill jumped too far from the
   * target for steering to bring back soon (a card that stalled); 0 otherwise. */
  resync(fillFrames: number): number;
  /** The caller dropped or padded: steer on from this fill, keeping the drift learned. */
  rebase(fillFrames: number): void;
  /** Times resync() asked for a jump. */
  readonly resyncs: number;
}

/** A PCM without a clock: frames pass unchanged. */
export class IdentityRate implements RateAdapter {
  readonly steered = false;
  readonly ppm = 0;
  readonly delayFrames = 0;
  private readonly result = { consumed: 0, produced: 0 };
  constructor(private readonly channels: number) {}
  process(input: Int32Array, inputFrames: number, output: Int32Array, outputCapacity: number): { consumed: number; produced: number } {
    const n = Math.min(inputFrames, outputCapacity);
    output.set(input.subarray(0, n * this.channels));
    this.result.consumed = this.result.produced = n;
    return this.result;
  }
  reset(): void {}
  resync(): number {
    return 0;
  }
  rebase(): void {}
  readonly resyncs = 0;
}

const MAX_HIGH_QUALITY_CHANNELS = 16;
/** After a (re)start the fill settles (the card fills its buffer and starts) before it is learned. */
const SETTLE_NS = 500_000_000;
/** Then the fill is averaged this long; that average is the target the controller holds. */
const LEARN_NS = 500_000_000;

/**
 * A PCM with its own clock: band-limited resampling at the ratio the drift controller steers.
 * The fill to hold is learned after each (re)start rather than assumed: what snd_pcm_delay counts
 * differs between PCMs (a sound server adds its graph's quantum to the granted buffer), and a
 * target below the real steady fill would make the controller drop audio to reach it.
 */
export class SteeredRate implements RateAdapter {
  readonly steered = true;
  private controller: DriftController | undefined;
  private readonly resampler: Resampler;
  /** Start of the current learning (NaN: not started). */
  private startNs = NaN;
  private sum = 0;
  private count = 0;
  private pastResyncs = 0;

  constructor(
    channels: number,
    private readonly rate: number,
    /** Lowest target (the card's buffer: playback starts when it is full); at most twice this is held. */
    private readonly minTargetFrames: number,
  ) {
    // High quality costs about 1 % of a core per stereo pair (bench resampler); from 16 channels
    // on, medium (32 taps, THD+N still about -100 dB) keeps a large card under a tenth of a core.
    this.resampler = new Resampler(channels, { quality: channels > MAX_HIGH_QUALITY_CHANNELS ? 'medium' : 'high' });
  }

  get ppm(): number {
    return this.controller?.ppm ?? 0;
  }

  get delayFrames(): number {
    return this.resampler.delayFrames;
  }

  /** The fill held, once learned (NaN while learning). */
  get targetFillFrames(): number {
    return this.controller?.targetFillFrames ?? NaN;
  }

  process(input: Int32Array, inputFrames: number, output: Int32Array, outputCapacity: number, fillFrames: number, nowNs: number): { consumed: number; produced: number } {
    let ratio = 1;
    if (this.controller) ratio = this.controller.update(fillFrames, nowNs);
    else this.learn(fillFrames, nowNs);
    return this.resampler.process(input, inputFrames, output, outputCapacity, ratio);
  }

  private learn(fillFrames: number, nowNs: number): void {
    if (Number.isNaN(this.startNs)) this.startNs = nowNs;
    const t = nowNs - this.startNs;
    if (t < SETTLE_NS || !Number.isFinite(fillFrames)) return;
    this.sum += fillFrames;
    this.count++;
    if (t < SETTLE_NS + LEARN_NS) return;
    // At most two buffers: a path that settled fuller was caught in a stall while learning, and
    // holding that would only keep the stall's latency (resync then drops down to the target).
    const target = Math.min(2 * this.minTargetFrames, Math.max(this.minTargetFrames, Math.round(this.sum / this.count)));
    this.controller = new DriftController({ rate: this.rate, targetFillFrames: target });
    this.controller.reset(fillFrames);
  }

  reset(): void {
    // A new start (xrun, restart): learn the fill again.
    if (this.controller) this.pastResyncs += this.controller.resyncs;
    this.controller = undefined;
    this.startNs = NaN;
    this.sum = this.count = 0;
  }

  resync(fillFrames: number): number {
    return this.controller ? this.controller.resyncFrames(fillFrames) : 0;
  }

  rebase(fillFrames: number): void {
    this.controller?.rebase(fillFrames);
  }

  get resyncs(): number {
    return this.pastResyncs + (this.controller?.resyncs ?? 0);
  }
}

export function createRateAdapter(clocked: boolean, channels: number, rate: number, targetFillFrames: number): RateAdapter {
  return clocked ? new SteeredRate(channels, rate, targetFillFrames) : new IdentityRate(channels);
}
