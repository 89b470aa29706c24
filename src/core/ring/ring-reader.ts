// The media ring's single reader (sink/capture thread for RX, transmit worker for TX). Reads at
// any media time into caller-provided arrays and says which part was valid. See media-ring.ts.
import {
  R_CONSUMED,
  R_SEQ,
  W_SEQ,
  S_ACK,
  S_READABLE,
  S_VALID_FROM,
  STATE_FIELDS,
  emptyStateVector,
  geometryOf,
  loadWriterState,
  stateObject,
  type RingWriterState,
} from './layout.js';
import { beginWrite, endWrite, sequence, storeF64 } from './seqlock.js';

/** Outcome of one read of `frames` frames at media time t (reused between reads). */
export interface RingReadResult {
  /** Frames [t, t + staleFrames) were zeros: consumed already, older than the buffer or before the stream. */
  staleFrames: number;
  /** Then validFrames frames of data (including zero-filled holes, counted in `zeroFilled`). */
  validFrames: number;
  /** Then pendingFrames zeros: not readable yet (late, lost, or the reader is not attached yet). */
  pendingFrames: number;
}

export class MediaRingReader {
  readonly channels: number;
  readonly capacity: number;
  private readonly words: Int32Array;
  private readonly samples: Int32Array;
  private readonly mask: number;
  private readonly ws = emptyStateVector();
  private readonly scratch = new Float64Array(STATE_FIELDS);
  private seenSeq = -1;
  private readonly result: RingReadResult = { staleFrames: 0, validFrames: 0, pendingFrames: 0 };
  /** End of what this reader has consumed; the writer never overwrites [consumed, consumed + capacity). */
  // A Float64Array cell rather than a field: measured to avoid a HeapNumber per read.
  private readonly consumedCell = new Float64Array([-Infinity]);

  constructor(buffer: SharedArrayBuffer) {
    const g = geometryOf(buffer);
    this.words = g.words;
    this.samples = g.samples;
    this.channels = g.channels;
    this.capacity = g.capacity;
    this.mask = g.mask;
  }

  /** Writer positions and counters as of the last read or `refresh()` (allocates a copy). */
  get writerState(): RingWriterState {
    return stateObject(this.ws);
  }

  /** End of the frames this reader has consumed (-Infinity before the first read). */
  get consumedTo(): number {
    return this.consumedCell[0]!;
  }

  /** Re-load and return the writer's positions and counters (allocates; for stats and control). */
  refresh(): RingWriterState {
    this.seenSeq = loadWriterState(this.words, this.ws, this.scratch);
    return stateObject(this.ws);
  }

  /**
   * End of readable data now, allocation-free; -Infinity until the writer has acknowledged this
   * reader (before that, reads return zeros).
   */
  readableEnd(): number {
    // One atomic load while nothing was published: pollers do not contend for the writer's line.
    if (sequence(this.words, W_SEQ) !== this.seenSeq) this.seenSeq = loadWriterState(this.words, this.ws, this.scratch);
    return this.ws[S_ACK] === 1 ? this.ws[S_READABLE]! : -Infinity;
  }

  /**
   * Copy frames [t, t + frames) of each channel c into outputs[c] from index outOffset (null or
   * missing outputs are skipped), zeros where nothing valid is held, and consume them: later reads
   * below t + frames return zeros. The first read attaches the reader; until the writer has seen
   * that (its next write), reads return zeros as pending.
   */
  read(t: number, frames: number, outputs: ArrayLike<Int32Array | null | undefined>, outOffset = 0): RingReadResult {
    const ws = this.ws;
    const r = this.result;
    const end = t + frames;
    let lo = t;
    let hi = t;
    // If the writer is descheduled mid-publish the previous snapshot stays: positions only grow and
    // frames below a published readable position are never rewritten while unconsumed, so a stale
    // snapshot is safe (it just offers fewer frames).
    if (sequence(this.words, W_SEQ) !== this.seenSeq) this.seenSeq = loadWriterState(this.words, ws, this.scratch);
    if (ws[S_ACK] === 1) {
      lo = Math.max(t, this.consumedCell[0]!, ws[S_VALID_FROM]!);
      hi = Math.min(end, ws[S_READABLE]!);
      if (lo > end) lo = end;
      if (hi < lo) hi = lo;
    }
    r.staleFrames = lo - t;
    r.validFrames = hi - lo;
    r.pendingFrames = end - hi;
    const { samples, capacity, mask } = this;
    const n = hi - lo;
    const a = n > 0 ? lo & mask : 0;
    const first = Math.min(n, capacity - a);
    for (let c = 0; c < this.channels && c < outputs.length; c++) {
      const out = outputs[c];
      if (!out) continue;
      const base = c * capacity;
      const o = outOffset + r.staleFrames;
      if (r.staleFrames > 0) out.fill(0, outOffset, o);
      // Element loops rather than set(subarray()): no view object per channel per read.
      for (let k = 0, s = base + a; k < first; k++, s++) out[o + k] = samples[s]!;
      for (let k = first, s = base; k < n; k++, s++) out[o + k] = samples[s]!;
      if (r.pendingFrames > 0) out.fill(0, o + n, outOffset + frames);
    }
    if (end > this.consumedCell[0]!) {
      // Published only after the copies: the writer may reuse these slots once it sees this.
      this.consumedCell[0] = end;
      beginWrite(this.words, R_SEQ);
      storeF64(this.words, R_CONSUMED, end);
      endWrite(this.words, R_SEQ);
    }
    return r;
  }
}
