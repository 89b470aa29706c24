// Transmit schedule of one flow on the media clock (PROTOCOL.md §6.3), pure and allocation-free:
// packets are due at multiples of fpp; a sender lagging by more than the TX latency (those samples
// are useless to the receiver) or a clock that jumped backwards re-bootstraps; catch-up per round
// is bounded so a late sender cannot lock the CPU.
import { nextAlignedTimestamp, samplesInDurationNs } from '../media-time.js';

/** §6.3 (v0.5): header timestamp = schedule time − 0.5 ms, so packets never look early. */
export const EARLY_GUARD_NS = 500_000;
/** §6.3: a backwards jump beyond this re-bootstraps (v0.5: 192 000 samples). */
export const MAX_BACKWARD_JUMP_SAMPLES = 192_000;

export function earlyGuardSamples(rate: number): number {
  return samplesInDurationNs(EARLY_GUARD_NS, rate);
}

export class TxSchedule {
  /** Media time of the next packet's first frame on the schedule; NaN before bootstrap. */
  next = NaN;
  rebootstraps = 0;

  constructor(
    readonly fpp: number,
    /** Lag (samples) beyond which the schedule restarts: the TX latency. */
    readonly maxLag: number,
    /** Packets sent per round at most while catching up. */
    readonly maxBurst: number,
  ) {}

  reset(): void {
    this.next = NaN;
  }

  /** Packets due at media time `now` (0 after a (re)bootstrap); send them, calling advance() each. */
  due(now: number): number {
    const next = this.next;
    if (next !== next) {
      this.next = nextAlignedTimestamp(now, this.fpp);
      return 0;
    }
    if (now - next > this.maxLag || next - now > MAX_BACKWARD_JUMP_SAMPLES) {
      this.next = nextAlignedTimestamp(now, this.fpp);
      this.rebootstraps++;
      return 0;
    }
    if (now < next) return 0;
    const n = Math.floor((now - next) / this.fpp) + 1;
    return n < this.maxBurst ? n : this.maxBurst;
  }

  advance(): void {
    this.next += this.fpp;
  }
}

/** Lateness histogram in microseconds (1 µs bins up to 20 ms, then one overflow bin), no allocation. */
export class LatenessHistogram {
  static readonly BINS = 20_000;
  private readonly bins = new Float64Array(LatenessHistogram.BINS + 1);
  count = 0;
  maxNs = 0;

  record(ns: number): void {
    const v = ns < 0 ? 0 : ns;
    const b = Math.floor(v / 1000);
    this.bins[b < LatenessHistogram.BINS ? b : LatenessHistogram.BINS]! += 1;
    this.count++;
    if (v > this.maxNs) this.maxNs = v;
  }

  /** Upper edge (µs) of the bin holding quantile q; NaN when empty. */
  quantileUs(q: number): number {
    if (this.count === 0) return NaN;
    const target = q * this.count;
    let acc = 0;
    for (let i = 0; i <= LatenessHistogram.BINS; i++) {
      acc += this.bins[i]!;
      if (acc >= target) return i + 1;
    }
    return LatenessHistogram.BINS + 1;
  }

  /** Packets sent at least `us` microseconds late (us ≤ 20 000: the overflow bin counts as beyond). */
  countAtLeastUs(us: number): number {
    let n = 0;
    for (let i = Math.min(Math.floor(us), LatenessHistogram.BINS); i <= LatenessHistogram.BINS; i++) n += this.bins[i]!;
    return n;
  }

  reset(): void {
    this.bins.fill(0);
    this.count = 0;
    this.maxNs = 0;
  }

  /** Quantiles, and how many packets went out at least 5, 10 and 20 ms late (what a receiver's latency must absorb). */
  summary(): { packets: number; p50Us: number; p99Us: number; p999Us: number; maxUs: number; late5ms: number; late10ms: number; late20ms: number } {
    return {
      packets: this.count, p50Us: this.quantileUs(0.5), p99Us: this.quantileUs(0.99), p999Us: this.quantileUs(0.999), maxUs: Math.round(this.maxNs / 100) / 10,
      late5ms: this.countAtLeastUs(5000), late10ms: this.countAtLeastUs(10_000), late20ms: this.countAtLeastUs(20_000),
    };
  }
}
