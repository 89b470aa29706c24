// The underlying clock the clock sources work on, and the conversions into it. Production: CLOCK_TAI
// read directly; kernel software timestamps are CLOCK_REALTIME and become CLOCK_TAI by adding the
// kernel's TAI offset (0 on hosts where no daemon set it, in which case the two clocks are equal).
//
// Test aid: a timebase may be deliberately offset and skewed (v = u + offset + (u − t0) × skew) so
// that two PTP nodes in namespaces of one machine, which share the kernel clocks, disagree the way
// two real machines do. Everything in the PTP runner then lives on v; the publisher maps overlays
// back onto the real underlying clock (see `toRealOverlay`), so the published overlay always
// converts a CLOCK_TAI reading and ground truth is the same kernel clock in every namespace.
import type { OverlayParams } from '../core/ptp/overlay.js';
import type { NativeTimer } from '../native/index.js';

/** How often the kernel TAI offset is re-read (it changes only when a daemon sets it). */
const TAI_OFFSET_REFRESH_NS = 10_000_000_000n;

export interface TestSkew {
  /** Offset of the virtual underlying clock at start, ns. */
  offsetNs: bigint;
  /** Rate error of the virtual underlying clock, ppb (+50 000 = 50 ppm fast). */
  skewPpb: number;
}

export class Timebase {
  private readonly skew: number;
  private readonly offsetNs: bigint;
  private t0 = 0n;
  private taiOffsetNs = 0n;
  private taiOffsetReadAt = -TAI_OFFSET_REFRESH_NS;

  constructor(
    private readonly native: NativeTimer,
    test?: TestSkew,
  ) {
    this.skew = (test?.skewPpb ?? 0) * 1e-9;
    this.offsetNs = test?.offsetNs ?? 0n;
    this.t0 = native.clockNs(native.CLOCK_TAI);
  }

  get isTest(): boolean {
    return this.skew !== 0 || this.offsetNs !== 0n;
  }

  /** Real CLOCK_TAI now. */
  realNow(): bigint {
    return this.native.clockNs(this.native.CLOCK_TAI);
  }

  /** Underlying clock (virtual when a test skew is set) now. */
  now(): bigint {
    return this.fromReal(this.realNow());
  }

  fromReal(u: bigint): bigint {
    if (!this.isTest) return u;
    return u + this.offsetNs + BigInt(Math.round(Number(u - this.t0) * this.skew));
  }

  /** A kernel CLOCK_REALTIME timestamp on the underlying clock. */
  fromRealtime(rt: bigint): bigint {
    return this.fromReal(rt + this.taiOffset(rt));
  }

  private taiOffset(rt: bigint): bigint {
    if (rt - this.taiOffsetReadAt > TAI_OFFSET_REFRESH_NS || rt < this.taiOffsetReadAt) {
      this.taiOffsetNs = BigInt(this.native.taiOffsetSeconds()) * 1_000_000_000n;
      this.taiOffsetReadAt = rt;
    }
    return this.taiOffsetNs;
  }

  /** Kernel TAI − UTC offset in seconds (0 when unset). */
  kernelTaiOffsetSeconds(): number {
    return this.native.taiOffsetSeconds();
  }

  /**
   * An overlay over the virtual clock v as an overlay over the real clock u. With
   * v(u) = u + off + (u − t0)·k and O(v) = v + shift + (v − ls)·f, anchoring at u_ls = v⁻¹(ls):
   * O(v(u)) = u + [off + (u_ls − t0)·k + shift] + (u − u_ls)·[k + (1 + k)·f].
   */
  toRealOverlay(p: OverlayParams): OverlayParams {
    if (!this.isTest) return p;
    const k = this.skew;
    const uLs = this.t0 + BigInt(Math.round(Number(p.lastSyncNs - this.offsetNs - this.t0) / (1 + k)));
    const vLs = this.fromReal(uLs);
    const shiftNs = vLs - uLs + p.shiftNs + BigInt(Math.round(Number(vLs - p.lastSyncNs) * p.freqScale));
    return { lastSyncNs: uLs, shiftNs, freqScale: k + (1 + k) * p.freqScale };
  }
}
