// The transmit worker's window of recent TX samples, indexed by wire media time and shared by all
// flows (they read overlapping ranges; the TX ring may be read only once). Each channel is stored
// twice in a row ("mirrored"), so any range of up to STAGE_FRAMES frames is contiguous from
// offset(t) and a flow encodes straight from it. Allocation-free after construction.

/** Power of two, larger than the largest TX latency plus fpp at 192 kHz (40 ms = 7680 frames). */
export const STAGE_FRAMES = 8192;
/** Frames filled before the first requested one after a restart: more than the largest fpp. */
const RESTART_MARGIN = 512;

/** The part of a TX source the stage needs (see audio-io/sources.ts). */
export interface StageSource {
  readonly regenerable: boolean;
  fill(from: number, count: number, outs: ArrayLike<Int32Array | null>): void;
}

export class TxStage {
  /** Per channel, 2 × STAGE_FRAMES samples. */
  readonly mirrors: Int32Array[];
  private readonly scratch: Int32Array[];
  private readonly outs: (Int32Array | null)[];
  private readonly used: Uint8Array;
  /** End (exclusive) of the wire times filled so far. */
  filledTo = -Infinity;

  constructor(readonly channels: number) {
    this.mirrors = Array.from({ length: channels }, () => new Int32Array(2 * STAGE_FRAMES));
    this.scratch = Array.from({ length: channels }, () => new Int32Array(STAGE_FRAMES));
    this.outs = new Array<Int32Array | null>(channels).fill(null);
    this.used = new Uint8Array(channels);
  }

  /** Channels (1-based TX numbers, 0 ignored) that flows send; a regenerable source fills only those. */
  setUsedChannels(txChannels: Iterable<number>, source: StageSource): void {
    const before = this.used.slice();
    this.used.fill(0);
    for (const c of txChannels) if (c >= 1 && c <= this.channels) this.used[c - 1] = 1;
    // Newly used channels hold nothing valid: recompute the window (only a synthetic source can).
    if (source.regenerable && this.used.some((u, i) => u === 1 && before[i] === 0)) this.filledTo = -Infinity;
  }

  /** Index in a mirror where wire time t starts. */
  offset(t: number): number {
    const r = t % STAGE_FRAMES;
    return r < 0 ? r + STAGE_FRAMES : r;
  }

  /**
   * Make wire times [start, end) available (with end − start ≤ STAGE_FRAMES). Filling continues
   * from where it stopped; after a gap longer than the window it restarts a little before `start`
   * (other flows may need slightly older frames).
   */
  ensure(start: number, end: number, source: StageSource): void {
    if (end <= this.filledTo) return;
    let from = this.filledTo;
    if (end - from > STAGE_FRAMES) from = Math.max(end - STAGE_FRAMES, start - RESTART_MARGIN);
    const count = end - from;
    const all = !source.regenerable;
    for (let c = 0; c < this.channels; c++) this.outs[c] = all || this.used[c] === 1 ? this.scratch[c]! : null;
    source.fill(from, count, this.outs);
    const o = this.offset(from);
    const first = Math.min(count, STAGE_FRAMES - o);
    for (let c = 0; c < this.channels; c++) {
      const src = this.outs[c];
      if (!src) continue;
      const m = this.mirrors[c]!;
      for (let k = 0; k < first; k++) {
        const v = src[k]!;
        m[o + k] = v;
        m[o + k + STAGE_FRAMES] = v;
      }
      for (let k = first; k < count; k++) {
        const v = src[k]!;
        m[k - first] = v;
        m[k - first + STAGE_FRAMES] = v;
      }
    }
    this.filledTo = end;
  }
}
