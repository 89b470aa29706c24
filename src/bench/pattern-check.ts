// Streaming check of received audio against the `pattern` test signal: interleaved s32le frames
// of N RX channels, frame 0 at a known media time. Each channel is checked from its first sound
// (flows start at different moments); after that a zero sample is a dropout (audio missing) and
// any other wrong value a mismatch (audio corrupted or misplaced).
import { fmix32, patternSample, sampleMask } from '../core/pattern.js';

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
  firstMismatch?: { rx: number; mediaTime: number; got: number; want: number; foundAt?: { txChannel: number; offsetFrames: number; channelShift: number } };
}

/** How far (frames) a timeline jump is searched for: 2 s at 48 kHz. */
const REALIGN_RANGE = 96000;
const TWO_32 = 4294967296;
const MAX_REALIGN_ATTEMPTS = 200;

export class PatternChecker {
  private startTime: number | undefined;
  private pending: Buffer[] = [];
  private carry = Buffer.alloc(0);
  private frame = 0;
  private realignAttempts = 0;
  private seedHi = NaN;
  private readonly seeds: Uint32Array;
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
    this.seeds = new Uint32Array(channels);
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
    // An aligned Int32Array view (copying when the chunk is not 4-byte aligned): ~3 M samples/s
    // must be checked without slowing the reader, or the receiver's sink backs up.
    const aligned = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
    const view = new Int32Array(aligned.buffer, aligned.byteOffset, whole * this.channels);
    const mask = sampleMask(this.bits);
    for (let f = 0; f < whole; f++) {
      const t = this.startTime + this.frame++;
      // patternSample inlined, with the per-channel seed cached while t's high word is unchanged.
      const lo = t % TWO_32;
      const hi = (t - lo) / TWO_32;
      if (hi !== this.seedHi) this.reseed(hi);
      let countedThisFrame = 0;
      for (let c = 0; c < this.channels; c++) {
        const v = view[f * this.channels + c]!;
        if (!this.started[c]) {
          if (v === 0) continue;
          this.started[c] = true;
        }
        const want = (fmix32((lo ^ this.seeds[c]!) >>> 0) & mask) | 0;
        const count = this.counting;
        if (count) {
          this.r.checkedSamples++;
          countedThisFrame++;
        }
        if (v === want) {
          this.inDropout[c] = false;
        } else if (v === 0) {
          if (count) {
            this.r.dropoutSamples++;
            if (!this.inDropout[c]) this.r.dropoutEvents++;
          }
          this.inDropout[c] = true;
        } else if (this.realign(c, v, t, view, f * this.channels)) {
          if (count) {
            this.r.discontinuities++;
            this.r.dropoutEvents++;
            this.r.checkedSamples -= countedThisFrame;
          }
          // Check this frame again on the new timeline.
          this.frame--;
          f--;
          break;
        } else if (count) {
          if (this.r.mismatchedSamples++ === 0) {
            const found = this.locateFrame(view, f * this.channels, t);
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
  private realign(c: number, v: number, t: number, view: Int32Array, at: number): boolean {
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
          const w = view[at + o]!;
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

  /**
   * Where the frame at `at` belongs: a time offset and a channel shift under which all its
   * sounding samples match (a single 24-bit value matches somewhere by chance).
   */
  private locateFrame(view: Int32Array, at: number, t: number): { txChannel: number; offsetFrames: number; channelShift: number } | undefined {
    const n = this.channels;
    const c0 = this.started.findIndex((s, i) => s && view[at + i] !== 0);
    if (c0 < 0) return undefined;
    for (let d = 0; d <= REALIGN_RANGE; d++) {
      for (const off of d ? [d, -d] : [0]) {
        for (let shift = 0; shift < n; shift++) {
          // Shifted by `shift` samples, the frame's tail holds the start of the next frame.
          const expect = (c: number) => patternSample(this.txChannelOf[(c + shift) % n]!, t + off + (c + shift >= n ? 1 : 0), this.bits);
          if (expect(c0) !== view[at + c0]) continue;
          let ok = true;
          for (let c = 0; c < n && ok; c++) {
            const v = view[at + c]!;
            if (v !== 0 && v !== expect(c)) ok = false;
          }
          if (ok) return { txChannel: this.txChannelOf[(c0 + shift) % n]!, offsetFrames: off, channelShift: shift };
        }
      }
    }
    return undefined;
  }

  private reseed(hi: number): void {
    this.seedHi = hi;
    for (let c = 0; c < this.channels; c++) this.seeds[c] = fmix32((hi + Math.imul(0x9e3779b9, this.txChannelOf[c]!)) >>> 0);
  }

  result(): PatternCheckResult {
    return { ...this.r, silentChannels: this.started.flatMap((s, i) => (s ? [] : [i + 1])) };
  }
}
