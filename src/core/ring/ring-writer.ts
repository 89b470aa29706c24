// The media ring's single writer (receive worker for RX, the application for TX). Owns the slot
// bookkeeping privately: which media time each slot holds and whether it is committed. Only
// positions and counters are shared. See media-ring.ts for the ordering argument.
import {
  R_CONSUMED,
  R_SEQ,
  S_ACK,
  S_HOLES,
  S_LATE,
  S_OVERRUN,
  S_READABLE,
  S_SKIPPED,
  S_VALID_FROM,
  S_WRITE_POS,
  S_ZERO_FILLED,
  emptyStateVector,
  geometryOf,
  stateObject,
  storeWriterState,
  type RingWriterState,
} from './layout.js';
import { SEQLOCK_MAX_ATTEMPTS, loadF64, readBegin, readValidate, sequence } from './seqlock.js';

export class MediaRingWriter {
  readonly channels: number;
  readonly capacity: number;
  readonly holeFixWait: number;
  private readonly words: Int32Array;
  private readonly samples: Int32Array;
  private readonly mask: number;
  /** Media time held by each slot (claimed), NaN if none. */
  private readonly slotTime: Float64Array;
  /** 1 when the slot's frame is committed (complete and valid). */
  private readonly committed: Uint8Array;
  private readonly v = emptyStateVector();
  /** Private mirror of the shared header words this writer publishes (to store only changes). */
  private readonly shadow: Int32Array;
  /** Reader's consumed position: -Infinity until the reader attaches. */
  private consumed = -Infinity;
  private readerSeq = -1;
  private claimStart = 0;
  private claimEnd = 0;
  private claimOrigin = 0;
  private lastFillEnd = NaN;

  constructor(buffer: SharedArrayBuffer) {
    const g = geometryOf(buffer);
    this.words = g.words;
    this.shadow = Int32Array.from(g.words, (_, i) => Atomics.load(g.words, i));
    this.samples = g.samples;
    this.channels = g.channels;
    this.capacity = g.capacity;
    this.mask = g.mask;
    this.holeFixWait = g.holeFixWait;
    this.slotTime = new Float64Array(g.capacity).fill(NaN);
    this.committed = new Uint8Array(g.capacity);
  }

  /** Positions and counters as last published (writer-local copy; no shared reads). */
  get state(): RingWriterState {
    return stateObject(this.v);
  }

  /**
   * Reserve frames [t, t + frames) for writing, clipped to what may be stored. Returns the number
   * of frames accepted; they start at `claimedStart` (frames before it were late). Newly claimed
   * slots are zeroed unless `fullFrames` says every channel will be written. Follow with
   * `writeChannel` calls and one `commit()`.
   */
  claim(t: number, frames: number, fullFrames = false): number {
    if (!(frames >= 0 && frames <= this.capacity)) throw new RangeError(`frames ${frames} outside 0..capacity`);
    const v = this.v;
    this.loadConsumed();
    let start = t;
    let end = t + frames;
    this.claimOrigin = t;
    if (v[S_WRITE_POS] === -Infinity) v[S_READABLE] = v[S_WRITE_POS] = v[S_VALID_FROM] = Math.max(start, this.consumed);
    if (v[S_READABLE] < this.consumed) {
      // The reader moved past frames that never became readable: they were reported missing to it.
      v[S_SKIPPED] += this.consumed - v[S_READABLE];
      v[S_READABLE] = this.consumed;
      if (v[S_WRITE_POS] < v[S_READABLE]) v[S_WRITE_POS] = v[S_READABLE];
    }
    if (start < v[S_READABLE]) {
      const late = Math.min(end, v[S_READABLE]) - start;
      v[S_LATE] += late;
      start += late;
    }
    if (this.consumed !== -Infinity && end > this.consumed + this.capacity) {
      // The reader lags by more than the buffer: never overwrite what it has not read.
      const cut = Math.min(end - start, end - (this.consumed + this.capacity));
      v[S_OVERRUN] += cut;
      end -= cut;
    }
    if (end <= start) {
      // Empty claim placed at readable (≤ writePos) so commit moves nothing.
      this.claimStart = this.claimEnd = v[S_READABLE];
      return 0;
    }
    if (end - v[S_READABLE] > this.capacity) {
      const newReadable = end - this.capacity;
      if (newReadable >= v[S_WRITE_POS]) {
        // Nothing pending survives: restart the stream at this write.
        v[S_SKIPPED] += start - v[S_READABLE];
        v[S_READABLE] = v[S_WRITE_POS] = v[S_VALID_FROM] = start;
      } else {
        this.zeroFill(newReadable);
      }
    }
    const { slotTime, committed, mask, samples, capacity, channels } = this;
    // Slot index steps as an int32 beside the media time: `x & mask` on a double loop variable
    // made the optimiser box a HeapNumber per frame (measured). `start & mask` is exact: & takes
    // the low 32 bits of the integer value.
    for (let k = 0, i = start & mask, n = end - start; k < n; k++, i = (i + 1) & mask) {
      const x = start + k;
      if (slotTime[i] !== x) {
        slotTime[i] = x;
        committed[i] = 0;
        if (!fullFrames) for (let c = 0; c < channels; c++) samples[c * capacity + i] = 0;
      }
    }
    this.claimStart = start;
    this.claimEnd = end;
    return end - start;
  }

  /**
   * End (exclusive) of the media times that can be stored now without overrunning the reader:
   * consumed + capacity, or +Infinity before a reader attaches. A writer that runs ahead of its
   * reader (the application on the TX side) waits until its next block fits.
   */
  writableEnd(): number {
    this.loadConsumed();
    return this.consumed === -Infinity ? Infinity : this.consumed + this.capacity;
  }

  /** First media time of the last claim (after late frames were dropped). */
  get claimedStart(): number {
    return this.claimStart;
  }

  /**
   * Store one channel of the claimed frames: frame x comes from
   * source[sourceOffset + (x − t) × sourceStride], t being the time passed to `claim`.
   */
  writeChannel(channel: number, source: Int32Array, sourceOffset = 0, sourceStride = 1): void {
    if (channel < 0 || channel >= this.channels) throw new RangeError(`channel ${channel} outside ring`);
    const { samples, mask, claimEnd } = this;
    const base = channel * this.capacity;
    let s = sourceOffset + (this.claimStart - this.claimOrigin) * sourceStride;
    const n = claimEnd - this.claimStart;
    for (let k = 0, i = this.claimStart & mask; k < n; k++, i = (i + 1) & mask, s += sourceStride) samples[base + i] = source[s]!;
  }

  /** Mark the claimed frames valid, advance the readable position, fix old holes, publish. */
  commit(): void {
    const v = this.v;
    const { committed, mask } = this;
    for (let k = 0, i = this.claimStart & mask, n = this.claimEnd - this.claimStart; k < n; k++, i = (i + 1) & mask) committed[i] = 1;
    if (this.claimEnd > v[S_WRITE_POS]) v[S_WRITE_POS] = this.claimEnd;
    this.advanceReadable();
    if (v[S_WRITE_POS] - v[S_READABLE] > this.holeFixWait) this.zeroFill(v[S_WRITE_POS] - this.holeFixWait);
    this.claimStart = this.claimEnd;
    this.publish();
  }

  /**
   * Write a packet's frames: `source` is frame-interleaved with channelMap.length slots per frame
   * (the wire order); slot k goes to ring channel channelMap[k], or nowhere if that is negative.
   * Returns the frames stored (the rest were late or overran the reader).
   */
  writeFrames(t: number, frames: number, channelMap: ArrayLike<number>, source: Int32Array, sourceOffset = 0): number {
    const stride = channelMap.length;
    for (let k = 0; k < stride; k++) {
      if (channelMap[k]! >= this.channels) throw new RangeError(`channel map slot ${k} names channel ${channelMap[k]}`);
    }
    const n = this.claim(t, frames, this.coversAllChannels(channelMap));
    if (n > 0) for (let k = 0; k < stride; k++) if (channelMap[k]! >= 0) this.writeChannel(channelMap[k]!, source, sourceOffset + k, stride);
    this.commit();
    return n;
  }

  /** True if channelMap names every ring channel (so claimed slots need no zeroing). */
  private coversAllChannels(channelMap: ArrayLike<number>): boolean {
    if (channelMap.length < this.channels) return false;
    if (this.channels <= 30) {
      let seen = 0;
      for (let k = 0; k < channelMap.length; k++) if (channelMap[k]! >= 0) seen |= 1 << channelMap[k]!;
      return seen === (1 << this.channels) - 1;
    }
    // Wide rings: an identity-ordered map is the common full case; anything else zeroes first.
    for (let c = 0; c < this.channels; c++) if (channelMap[c] !== c) return false;
    return true;
  }

  /** Zero-fill every missing frame in [readable, to), move readable to `to`, then past contiguous data. */
  private zeroFill(to: number): void {
    const v = this.v;
    const { slotTime, committed, mask, samples, capacity, channels } = this;
    let x = v[S_READABLE];
    while (x < to) {
      const i = x & mask;
      if (slotTime[i] === x && committed[i] === 1) {
        x++;
        continue;
      }
      // a hole: find its end, zero it channel by channel (runs split at most once at the wrap)
      let end = x + 1;
      while (end < to && !(slotTime[end & mask] === end && committed[end & mask] === 1)) end++;
      for (let y = x; y < end; y++) {
        slotTime[y & mask] = y;
        committed[y & mask] = 1;
      }
      const a = x & mask;
      const n = end - x;
      const first = Math.min(n, capacity - a);
      for (let c = 0; c < channels; c++) {
        samples.fill(0, c * capacity + a, c * capacity + a + first);
        if (first < n) samples.fill(0, c * capacity, c * capacity + (n - first));
      }
      v[S_ZERO_FILLED] += n;
      if (x !== this.lastFillEnd) v[S_HOLES] += 1; // a run continued by a later fill is one hole
      this.lastFillEnd = end;
      x = end;
    }
    v[S_READABLE] = to;
    this.advanceReadable();
  }

  private advanceReadable(): void {
    const v = this.v;
    const { slotTime, committed, mask } = this;
    let r = v[S_READABLE];
    while (r < v[S_WRITE_POS] && slotTime[r & mask] === r && committed[r & mask] === 1) r++;
    v[S_READABLE] = r;
    const oldest = v[S_WRITE_POS] - this.capacity;
    if (v[S_VALID_FROM] < oldest) v[S_VALID_FROM] = oldest;
  }

  /** Pick up the reader's consumed position if it published a new one (one atomic load otherwise). */
  private loadConsumed(): void {
    const w = this.words;
    if (sequence(w, R_SEQ) === this.readerSeq) return;
    // On failure (reader died mid-update) the old value stays: a smaller bound is the safe side.
    for (let attempt = 0; attempt < SEQLOCK_MAX_ATTEMPTS; attempt++) {
      const seq = readBegin(w, R_SEQ);
      if (seq === -1) continue;
      const consumed = loadF64(w, R_CONSUMED);
      if (!readValidate(w, R_SEQ, seq)) continue;
      this.readerSeq = seq;
      // Once this value is seen every later claim is bounded by it: tell the reader (ack).
      if (consumed !== -Infinity) this.v[S_ACK] = 1;
      this.consumed = consumed;
      return;
    }
  }

  private publish(): void {
    storeWriterState(this.words, this.v, this.shadow);
  }
}
