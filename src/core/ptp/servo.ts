// Pure clock servo steering the virtual overlay from offset samples (offset = local − leader, ns).
// Phases: acquiring (wait for a few mutually consistent samples, then step onto the leader),
// estimating (hold the rate, fit the drift over a couple of seconds, correct rate and phase once),
// tracking (PI loop on the rate; outliers gated by a median/MAD test; a large offset is stepped only
// after several consistent samples, so one absurd or rogue sample never moves the clock).
import { Overlay } from './overlay.js';

export interface ServoConfig {
  /** Offsets beyond this are corrected by a step (after confirmation) rather than slewed. */
  stepThresholdNs: number;
  /** Consistent samples needed before stepping, both at start and while tracking. */
  confirmSamples: number;
  /** Largest spread (max − min) of confirmation samples that still counts as consistent. */
  agreeNs: number;
  /** Recent accepted offsets kept for the outlier gate. */
  gateWindow: number;
  /** Gate half-width: max(gateFloorNs, gateMadFactor × 1.4826 × MAD) around the window median. */
  gateFloorNs: number;
  gateMadFactor: number;
  /** Drift fit length in the estimating phase. */
  estimateSeconds: number;
  estimateMinSamples: number;
  /** PI gains: freq(ppb) = −kp·x − ki·∫x dt with x in ns, t in s (ωn = √ki, ζ = kp / 2√ki). */
  kp: number;
  ki: number;
  /** Once locked the loop bandwidth is scaled by this (kp × f, ki × f², same damping) to average jitter. */
  lockedBandwidthFactor: number;
  /** Rate clamp (±500 ppm). */
  maxFreqPpb: number;
  lockThresholdNs: number;
  lockSamples: number;
}

export const DEFAULT_SERVO_CONFIG: ServoConfig = {
  stepThresholdNs: 1_000_000,
  confirmSamples: 4,
  agreeNs: 500_000,
  gateWindow: 16,
  gateFloorNs: 100_000,
  gateMadFactor: 6,
  estimateSeconds: 2,
  estimateMinSamples: 8,
  kp: 0.4,
  ki: 0.0625,
  lockedBandwidthFactor: 0.5,
  maxFreqPpb: 500_000,
  lockThresholdNs: 100_000,
  lockSamples: 8,
};

export type ServoPhase = 'idle' | 'acquiring' | 'estimating' | 'tracking';

export type ServoResult =
  | { action: 'none'; reason: 'acquiring' | 'estimating' | 'outlier' | 'confirming' }
  | { action: 'step'; stepNs: number }
  | { action: 'adjust'; freqPpb: number };

interface Sample {
  u: bigint;
  x: number;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const spread = (xs: readonly number[]): number => Math.max(...xs) - Math.min(...xs);
const clamp = (v: number, lim: number): number => Math.max(-lim, Math.min(lim, v));

export class Servo {
  readonly config: ServoConfig;
  phase: ServoPhase = 'idle';
  locked = false;
  freqPpb: number;
  lastOffsetNs = 0;
  private integral: number;
  private pending: Sample[] = [];
  private window: number[] = [];
  private suspects: Sample[] = [];
  private lastU: bigint | null = null;

  constructor(
    readonly overlay: Overlay,
    config: Partial<ServoConfig> = {},
  ) {
    this.config = { ...DEFAULT_SERVO_CONFIG, ...config };
    this.freqPpb = overlay.freqScale * 1e9;
    this.integral = this.freqPpb;
  }

  /** Rate estimate without the proportional term (the PI integrator), ppb. */
  get meanFreqPpb(): number {
    return this.phase === 'tracking' ? this.integral : this.freqPpb;
  }

  /** Forget measurement history (new leader, end of holdover); keeps the overlay's phase and rate. */
  reacquire(): void {
    this.locked = false;
    this.pending = [];
    this.suspects = [];
    this.window = [];
    this.lastU = null;
    if (this.phase === 'estimating') this.phase = 'acquiring';
  }

  sample(x: number, u: bigint): ServoResult {
    if (!Number.isFinite(x)) return { action: 'none', reason: 'outlier' };
    if (this.phase === 'idle') this.phase = 'acquiring';
    if (this.phase === 'acquiring') return this.acquire(x, u);
    if (this.phase === 'estimating') return this.estimate(x, u);
    return this.track(x, u);
  }

  private acquire(x: number, u: bigint): ServoResult {
    const c = this.config;
    this.pending.push({ u, x });
    if (this.pending.length > c.confirmSamples) this.pending.shift();
    const xs = this.pending.map((s) => s.x);
    if (xs.length < Math.min(3, c.confirmSamples) || spread(xs) > c.agreeNs) {
      return { action: 'none', reason: 'acquiring' };
    }
    const m = median(xs);
    this.pending = [];
    this.phase = 'estimating';
    this.lastOffsetNs = x - m;
    if (Math.abs(m) < c.lockThresholdNs) return { action: 'none', reason: 'estimating' };
    this.overlay.step(u, BigInt(-Math.round(m)));
    return { action: 'step', stepNs: -Math.round(m) };
  }

  private estimate(x: number, u: bigint): ServoResult {
    const c = this.config;
    this.lastOffsetNs = x;
    this.pending.push({ u, x });
    const first = this.pending[0]!;
    const span = Number(u - first.u) / 1e9;
    if (span < c.estimateSeconds || this.pending.length < c.estimateMinSamples) {
      return { action: 'none', reason: 'estimating' };
    }
    // Robust line fit: drop points far from the median, then least squares.
    const m = median(this.pending.map((s) => s.x));
    const dev = median(this.pending.map((s) => Math.abs(s.x - m)));
    const lim = Math.max(c.gateFloorNs, c.gateMadFactor * 1.4826 * dev);
    const pts = this.pending.filter((s) => Math.abs(s.x - m) <= lim);
    this.pending = [];
    if (pts.length < 3) {
      this.phase = 'acquiring';
      return { action: 'none', reason: 'acquiring' };
    }
    const ts = pts.map((s) => Number(s.u - first.u) / 1e9);
    const tMean = ts.reduce((a, b) => a + b, 0) / ts.length;
    const xMean = pts.reduce((a, s) => a + s.x, 0) / pts.length;
    let num = 0;
    let den = 0;
    pts.forEach((s, i) => {
      num += (ts[i]! - tMean) * (s.x - xMean);
      den += (ts[i]! - tMean) ** 2;
    });
    const slope = den > 0 ? num / den : 0; // ns per s = ppb of rate error
    const phaseNow = xMean + slope * (span - tMean);
    this.freqPpb = clamp(this.freqPpb - slope, c.maxFreqPpb);
    this.integral = this.freqPpb;
    this.overlay.setFreqScale(u, this.freqPpb * 1e-9);
    this.overlay.step(u, BigInt(-Math.round(phaseNow)));
    this.window = pts.map((s, i) => s.x - (xMean + slope * (ts[i]! - tMean)));
    this.phase = 'tracking';
    this.lastU = u;
    this.lastOffsetNs = x - phaseNow;
    return { action: 'step', stepNs: -Math.round(phaseNow) };
  }

  private track(x: number, u: bigint): ServoResult {
    const c = this.config;
    if (this.window.length >= 4) {
      const m = median(this.window);
      const dev = median(this.window.map((v) => Math.abs(v - m)));
      const lim = Math.max(c.gateFloorNs, c.gateMadFactor * 1.4826 * dev);
      if (Math.abs(x - m) > lim) return this.suspect(x, u);
    }
    if (Math.abs(x) > c.stepThresholdNs) return this.suspect(x, u);
    this.suspects = [];
    this.window.push(x);
    if (this.window.length > c.gateWindow) this.window.shift();
    this.lastOffsetNs = x;
    const dt = this.lastU === null ? 0 : Math.min(4, Math.max(0, Number(u - this.lastU) / 1e9));
    this.lastU = u;
    const f = this.locked ? c.lockedBandwidthFactor : 1;
    this.integral = clamp(this.integral - c.ki * f * f * x * dt, c.maxFreqPpb);
    this.freqPpb = clamp(this.integral - c.kp * f * x, c.maxFreqPpb);
    this.overlay.setFreqScale(u, this.freqPpb * 1e-9);
    const recent = this.window.slice(-c.lockSamples);
    this.locked = recent.length >= c.lockSamples && recent.every((v) => Math.abs(v) < c.lockThresholdNs);
    return { action: 'adjust', freqPpb: this.freqPpb };
  }

  /** A sample the gate refused: act on it only once enough consistent ones agree. */
  private suspect(x: number, u: bigint): ServoResult {
    const c = this.config;
    this.suspects.push({ u, x });
    if (this.suspects.length > c.confirmSamples) this.suspects.shift();
    const xs = this.suspects.map((s) => s.x);
    if (xs.length < c.confirmSamples || spread(xs) > c.agreeNs) return { action: 'none', reason: 'confirming' };
    const m = median(xs);
    this.suspects = [];
    this.window = [];
    this.lastU = u;
    this.lastOffsetNs = x - m;
    this.locked = false;
    if (Math.abs(m) > c.stepThresholdNs) {
      this.overlay.step(u, BigInt(-Math.round(m)));
      return { action: 'step', stepNs: -Math.round(m) };
    }
    // A smaller but persistent shift: restart the gate around it and let the PI loop slew.
    this.window = xs;
    return { action: 'none', reason: 'confirming' };
  }
}
