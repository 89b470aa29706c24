// Steers the resampling ratio between the media clock and a device with its own clock (a sound
// card) from the fill of the buffer between them. PI control on a low-passed fill:
//
//   error e = (lowpass(fill) - target) / rate            seconds of audio too many in the buffer
//   ratio   = 1 - (kp · e + ki · ∫e dt)                    clamped to 1 ± maxPpm
//
// The sign is the same for playback and capture: in playback the buffer holds resampler output
// (too full: make fewer frames per input frame), in capture it holds resampler input (too full:
// take more input per output frame); both mean a lower output/input ratio.
//
// The buffer level changes as (ratio - 1 - drift) seconds per second, so the loop is
// s² + kp·s + ki = 0: kp = 2ζω, ki = ω². The defaults (ω = 0.07 rad/s, ζ = 1) follow a 500 ppm
// card within 10 ppm after about 80 s while the fill stays within 8 ms of the target.
// The low-pass (τ = 2 s) removes the period sawtooth of the fill (a sound card takes a period at
// a time, and the fill is read at any phase of it), which would otherwise wobble the ratio and
// the pitch; with τ = 1 s that wobble was ±7 ppm in the simulation, with 2 s it is ±3.
// On a loaded machine the observer itself runs late now and then (its thread not scheduled for
// 100 ms or more): the fill it then sees is low by its own lateness, and the frames it owes follow
// at once. Such an observation is skipped; weighting it by the gap threw the ratio to the clamp.

export const DRIFT_MAX_PPM = 1000;

export interface DriftControllerOptions {
  /** Nominal frame rate of the buffer (Hz). */
  rate: number;
  /** Fill to hold, in frames. */
  targetFillFrames: number;
  /** Proportional gain, per second (default 0.14). */
  kp?: number;
  /** Integral gain, per second² (default 0.0049). */
  ki?: number;
  /** Time constant of the fill low-pass, seconds (default 2; 0 disables it). */
  lowpassS?: number;
  /** Clamp of the correction in ppm (default and upper limit 1000). */
  maxPpm?: number;
  /** An observation later than this after the previous one is skipped (s, default 0.05): the
   *  observer itself was late (its thread was not scheduled), so the fill it sees is low by its own
   *  lateness, not by the device's clock, and the frames it owes follow at once. */
  maxStepS?: number;
  /** How far the fill may be from the target before resyncFrames() asks the caller to drop or pad
   *  frames at once (frames; default max(targetFillFrames, rate / 50)). */
  resyncThresholdFrames?: number;
  /** How far the low-passed fill may stay from the target before resyncFrames() drops or pads the
   *  difference (frames; default min(resyncThresholdFrames, rate / 50), which steering at the
   *  clamp takes 20 s to remove). */
  settleThresholdFrames?: number;
}

function positive(name: string, v: number | undefined, dflt: number, allowZero = false): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new RangeError(`drift controller ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`);
  return v;
}

/** Steers the resampling ratio from the fill of the buffer between the media clock and a device with its own clock (sound card). */
export class DriftController {
  readonly rate: number;
  readonly targetFillFrames: number;
  readonly kp: number;
  readonly ki: number;
  readonly lowpassS: number;
  readonly maxPpm: number;
  readonly maxStepS: number;
  readonly resyncThresholdFrames: number;
  readonly settleThresholdFrames: number;

  private _ratio = 1;
  /** Integral term as a fractional frequency (ratio - 1 units). */
  private integral = 0;
  private filteredFill = 0;
  private lastNs: number | undefined;
  private _rejected = 0;
  private _saturated = 0;
  private _resyncs = 0;
  private _late = 0;

  constructor(opts: DriftControllerOptions) {
    if (!(Number.isFinite(opts.rate) && opts.rate > 0)) throw new RangeError(`drift controller rate must be a positive number, got ${opts.rate}`);
    if (!(Number.isFinite(opts.targetFillFrames) && opts.targetFillFrames >= 0)) {
      throw new RangeError(`drift controller targetFillFrames must be a non-negative number, got ${opts.targetFillFrames}`);
    }
    this.rate = opts.rate;
    this.targetFillFrames = opts.targetFillFrames;
    this.kp = positive('kp', opts.kp, 0.14);
    this.ki = positive('ki', opts.ki, 0.0049, true);
    this.lowpassS = positive('lowpassS', opts.lowpassS, 2, true);
    this.maxPpm = positive('maxPpm', opts.maxPpm, DRIFT_MAX_PPM);
    if (this.maxPpm > DRIFT_MAX_PPM) throw new RangeError(`drift controller maxPpm must be at most ${DRIFT_MAX_PPM}, got ${this.maxPpm}`);
    this.maxStepS = positive('maxStepS', opts.maxStepS, 0.05);
    this.resyncThresholdFrames = positive('resyncThresholdFrames', opts.resyncThresholdFrames, Math.max(this.targetFillFrames, this.rate / 50));
    this.settleThresholdFrames = positive('settleThresholdFrames', opts.settleThresholdFrames, Math.min(this.resyncThresholdFrames, this.rate / 50));
    this.reset();
  }

  /** Current ratio (output frames per input frame). */
  get ratio(): number {
    return this._ratio;
  }

  /** (ratio - 1) * 1e6, for /status. */
  get ppm(): number {
    return (this._ratio - 1) * 1e6;
  }

  /** The low-passed fill the controller acts on (frames). */
  get fillFrames(): number {
    return this.filteredFill;
  }

  /** Observations ignored because the fill or time was not a finite number. */
  get rejectedObservations(): number {
    return this._rejected;
  }

  /** Observations skipped because they came more than maxStepS after the previous one. */
  get lateObservations(): number {
    return this._late;
  }

  /** Observations at which the correction was at the clamp. */
  get saturatedObservations(): number {
    return this._saturated;
  }

  /** Times resyncFrames() asked for a jump. */
  get resyncs(): number {
    return this._resyncs;
  }

  /**
   * Frames to drop now (> 0) or to add as silence (< 0) so the fill is back at the target, else 0.
   * Steering at the 1000 ppm clamp removes only 48 frames a second at 48 kHz, so a jump of the fill
   * (the card stalled while the media clock went on, a burst after an xrun) would otherwise stay as
   * added latency for minutes. Two cases:
   * - the fill is further than resyncThresholdFrames from the target: the whole jump, at once;
   * - the fill and its low-passed value both stay further than settleThresholdFrames on the same
   *   side (a sound server's graph that lost cycles under load: each lost quantum moves the fill
   *   for good): the smaller of the two, so the fill's own jitter (a server's delay swings by a
   *   whole quantum) is never dropped, and the ratio never sits at its clamp steering it away.
   * After dropping or padding, call rebase() with the new fill.
   */
  resyncFrames(fillFrames: number): number {
    if (!Number.isFinite(fillFrames)) return 0;
    const off = fillFrames - this.targetFillFrames;
    if (Math.abs(off) > this.resyncThresholdFrames) {
      this._resyncs++;
      return Math.round(off);
    }
    const filteredOff = this.filteredFill - this.targetFillFrames;
    if (Math.sign(off) !== Math.sign(filteredOff) || Math.min(Math.abs(off), Math.abs(filteredOff)) <= this.settleThresholdFrames) return 0;
    this._resyncs++;
    return Math.round(Math.sign(off) * Math.min(Math.abs(off), Math.abs(filteredOff)));
  }

  /** The caller changed the fill itself (dropped or padded frames): steer on from the new fill,
   *  keeping the drift learned so far (the integral) and the time base. */
  rebase(fillFrames: number): void {
    if (!Number.isFinite(fillFrames)) return;
    this.filteredFill = fillFrames;
    this.steer(0);
  }

  /** Feed one observation: buffer fill in frames at time nowNs (any monotonic ns). Returns the ratio to use
   *  (output frames per input frame, e.g. 1.0002), clamped to ±maxPpm. */
  update(fillFrames: number, nowNs: number): number {
    if (!Number.isFinite(fillFrames) || !Number.isFinite(nowNs)) {
      this._rejected++;
      return this._ratio;
    }
    const last = this.lastNs;
    if (last === undefined) {
      this.lastNs = nowNs;
      this.filteredFill = fillFrames;
      return this.steer(0);
    }
    if (nowNs <= last) return this._ratio; // same instant or time went back: nothing to integrate over
    this.lastNs = nowNs;
    const dt = (nowNs - last) / 1e9;
    if (dt > this.maxStepS) {
      this._late++;
      return this._ratio;
    }
    const a = this.lowpassS > 0 ? dt / (this.lowpassS + dt) : 1;
    this.filteredFill += (fillFrames - this.filteredFill) * a;
    return this.steer(dt);
  }

  /** Fresh start (after an xrun or a restart): ratio 1, no integral, the fill as given (default: the target). */
  reset(fillFrames?: number): void {
    this._ratio = 1;
    this.integral = 0;
    this.filteredFill = fillFrames !== undefined && Number.isFinite(fillFrames) ? fillFrames : this.targetFillFrames;
    this.lastNs = undefined;
  }

  private steer(dt: number): number {
    const limit = this.maxPpm * 1e-6;
    const e = (this.filteredFill - this.targetFillFrames) / this.rate;
    const p = this.kp * e;
    let integral = this.integral + this.ki * e * dt;
    // Anti-windup: the integral alone never exceeds the clamp, and it does not grow further while
    // the output is pinned at the clamp in the same direction.
    if (integral > limit) integral = limit;
    else if (integral < -limit) integral = -limit;
    let u = p + integral;
    if (u > limit || u < -limit) {
      this._saturated++;
      if (Math.abs(integral) > Math.abs(this.integral) && Math.sign(integral) === Math.sign(u)) integral = this.integral;
      u = u > limit ? limit : -limit;
    }
    this.integral = integral;
    this._ratio = 1 - u;
    return this._ratio;
  }
}
