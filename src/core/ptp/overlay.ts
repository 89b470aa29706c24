// The virtual clock overlay published to the audio workers (PROTOCOL.md §7.1):
//   overlay(u) = u + shift + (u − lastSync) × freqScale
// where u is the underlying Linux clock in ns. Every change re-anchors lastSync at the change time
// so the overlay stays continuous there (a step is the only discontinuity).
//
// Timescale (kept here, in one place): PTP time is TAI. Our underlying clock is CLOCK_TAI, which on a
// host whose kernel TAI offset is unset equals UTC; so a leader that starts from its own clock serves
// PTP time = underlying + `timescaleOffsetNs` (default 37 s = TAI − UTC), and announces
// `utcOffsetS` (37) as currentUtcOffset in v2 Announce and as currentUTCOffset in v1 Sync. If the
// kernel TAI offset is set (underlying already TAI), configure timescaleOffsetNs = 0.
// A follower never applies the UTC offset: its overlay tracks the leader's PTP time as sent.

export interface OverlayParams {
  lastSyncNs: bigint;
  shiftNs: bigint;
  freqScale: number;
}

/** TAI − UTC since 2017-01-01; announced as currentUtcOffset. */
export const DEFAULT_UTC_OFFSET_S = 37;
/** Leader timescale: PTP time = underlying + this (underlying CLOCK_TAI with kernel offset 0 = UTC). */
export const DEFAULT_TIMESCALE_OFFSET_NS = BigInt(DEFAULT_UTC_OFFSET_S) * 1_000_000_000n;

export class Overlay {
  lastSyncNs: bigint;
  shiftNs: bigint;
  freqScale: number;

  constructor(p: OverlayParams) {
    this.lastSyncNs = p.lastSyncNs;
    this.shiftNs = p.shiftNs;
    this.freqScale = p.freqScale;
  }

  /** A free-running leader overlay: PTP time = underlying + timescale offset, no rate correction. */
  static leader(nowNs: bigint, timescaleOffsetNs: bigint): Overlay {
    return new Overlay({ lastSyncNs: nowNs, shiftNs: timescaleOffsetNs, freqScale: 0 });
  }

  read(u: bigint): bigint {
    const elapsed = Number(u - this.lastSyncNs);
    return u + this.shiftNs + BigInt(Math.round(elapsed * this.freqScale));
  }

  /** Moves the anchor to `u` without changing the overlay's value at `u`. */
  rebase(u: bigint): void {
    this.shiftNs = this.read(u) - u;
    this.lastSyncNs = u;
  }

  setFreqScale(u: bigint, freqScale: number): void {
    this.rebase(u);
    this.freqScale = freqScale;
  }

  /** Adds `deltaNs` to the overlay from `u` on. */
  step(u: bigint, deltaNs: bigint): void {
    this.rebase(u);
    this.shiftNs += deltaNs;
  }

  snapshot(): OverlayParams {
    return { lastSyncNs: this.lastSyncNs, shiftNs: this.shiftNs, freqScale: this.freqScale };
  }
}
