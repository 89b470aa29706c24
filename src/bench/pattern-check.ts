// Streaming check of received audio against the `pattern` test signal: interleaved s32le frames
// of N RX channels, frame 0 at a known media time. Each channel is checked from its first sound
// (flows start at different moments); after that a zero sample is a dropout (audio missing) and
// any other wrong value a mismatch (audio corrupted or misplaced).
import { patternSample } from '../core/pattern.js';

export interface PatternCheckResult {
  frames: number;
  checkedSamples: number;
  mismatchedSamples: number;
  /** Samples that came out as silence after their channel started. */
  dropoutSamples: number;
  /** Runs of silence (per channel), i.e. audible dropouts. */
  dropoutEvents: number;
  /** Channels that never produced sound. */
  silentChannels: number[];
  /**
   * Jumps in the output's timeline (frames skipped or repeated by the receiver's delivery, e.g.
   * when its sink blocked): the checker realigns and counts each as a dropout.
   */
  discontinuities: number;
  skippedFrames: number;
  /** Diagnosis of the first mismatch: where in time (and on which TX channel) the value belongs. */
  firstMismatch?: { rx: number; mediaTime: number; got: number; want: number; foundAt?: { txChannel: number; offsetFrames: number } };
}

/** Searches ±range frames on every TX channel for `v` (a misrouted or mistimed sample). */
export function locateSample(v: number, t: number, txChannels: number, bits: number, range = 96000): { txChannel: number; offsetFrames: number } | undefined {
  for (let d = 0; d <= range; d++) {
    for (let c = 1; c <= txChannels; c++) {
      if (patternSample(c, t + d, bits) === v) return { txChannel: c, offsetFrames: d };
      if (d && patternSample(c, t - d, bits) === v) return { txChannel: c, offsetFrames: -d };
    }
  }
  return undefined;
}

/** How far (frames) a timeline jump is searched for: 2 s at 48 kHz. */
const REALIGN_RANGE = 96000;
const MAX_REALIGN_ATTEMPTS = 200;

export class PatternChecker {
  private startTime: number | undefined;
  private pending: Buffer[] = [];
  private carry = Buffer.alloc(0);
  private frame = 0;
  private realignAttempts = 0;
  private readonly started: boolean[];
  private readonly inDropout: boolean[];
  /** Off: samples advance the channel state but are not counted (start-up, shut-down). */
  counting = true;
  private readonly r: PatternCheckResult = { frames: 0, checkedSamples: 0, mismatchedSamples: 0, dropoutSamples: 0, dropoutEvents: 0, silentChannels: [], discontinuities: 0, skippedFrames: 0 };

  /** txChannelOf[rx - 1] = 1-based TX channel feeding RX channel rx; bits = wire depth. */
  constructor(
    private readonly channels: number,
    private readonly txChannelOf: readonly number[],
    private readonly bits = 24,
  ) {
    this.started = new Array<boolean>(channels).fill(false);
    this.inDropout = new Array<boolean>(channels).fill(false);
  }

  /** Media time of the first frame; data pushed before this is known is kept and checked then. */
  setStart(mediaTime: number): void {
    if (this.startTime !== undefined) return;
    this.startTime = mediaTime;
    const held = this.pending;
    this.pending = [];
    for (const b of held) this.push(b);
  }

  get hasStart(): boolean {
    return this.startTime !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.startTime === undefined) {
      this.pending.push(chunk);
      return;
    }
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const frameBytes = this.channels * 4;
    const whole = Math.floor(buf.length / frameBytes);
    for (let f = 0; f < whole; f++) {
      const t = this.startTime + this.frame++;
      const base = f * frameBytes;
      for (let c = 0; c < this.channels; c++) {
        const v = buf.readInt32LE(base + c * 4);
        if (!this.started[c]) {
          if (v === 0) continue;
          this.started[c] = true;
        }
        const want = patternSample(this.txChannelOf[c]!, t, this.bits);
        const count = this.counting;
        if (count) this.r.checkedSamples++;
        if (v === want) {
          this.inDropout[c] = false;
        } else if (v === 0) {
          if (count) {
            this.r.dropoutSamples++;
            if (!this.inDropout[c]) this.r.dropoutEvents++;
          }
          this.inDropout[c] = true;
        } else if (this.realign(c, v, t, buf, base)) {
          if (count) {
            this.r.discontinuities++;
            this.r.dropoutEvents++;
          }
        } else if (count) {
          if (this.r.mismatchedSamples++ === 0) {
            const found = locateSample(v, t, this.channels, this.bits);
            this.r.firstMismatch = { rx: c + 1, mediaTime: t, got: v, want, ...(found ? { foundAt: found } : {}) };
          }
        }
      }
    }
    if (this.counting) this.r.frames += whole;
    this.carry = Buffer.from(buf.subarray(whole * frameBytes));
  }

  /**
   * A wrong value that belongs to the same channel a little earlier or later, with the rest of the
   * frame agreeing, is a jump in the timeline: move the time base to it and return true.
   */
  private realign(c: number, v: number, t: number, buf: Buffer, base: number): boolean {
    // The search is costly; a stream that is simply wrong must not stall the checker.
    if (this.realignAttempts++ >= MAX_REALIGN_ATTEMPTS) return false;
    const tx = this.txChannelOf[c]!;
    for (let d = 1; d <= REALIGN_RANGE; d++) {
      for (const off of [d, -d]) {
        if (patternSample(tx, t + off, this.bits) !== v) continue;
        // Confirm with every other sounding channel of this frame (one value could match by chance).
        let ok = true;
        for (let o = 0; o < this.channels && ok; o++) {
          if (o === c || !this.started[o]) continue;
          const w = buf.readInt32LE(base + o * 4);
          if (w !== 0 && w !== patternSample(this.txChannelOf[o]!, t + off, this.bits)) ok = false;
        }
        if (!ok) continue;
        this.startTime! += off;
        if (this.counting) this.r.skippedFrames += off;
        return true;
      }
    }
    return false;
  }

  result(): PatternCheckResult {
    return { ...this.r, silentChannels: this.started.flatMap((s, i) => (s ? [] : [i + 1])) };
  }
}
