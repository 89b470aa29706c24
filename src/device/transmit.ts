// Library transmit: applications hand each TX channel a stream of sample blocks; a pump on the
// main thread writes them into the TX media ring a little ahead of the media clock, bounded by
// the ring's `writableEnd()` (the transmit worker's read position + capacity), and the transmit
// worker sends them. A frame of a stream has a fixed media time: frame k of a stream goes out
// stamped `startTime + k` (the wire time receivers deliver it by; the ring holds it TX latency −
// early guard earlier, see RingSource). Data that arrives after its time has been written is dropped (counted as late);
// time the producer left empty goes out as zeros (counted as underrun). Each stream pulls from its
// source only while less than `maxBufferedFrames` are waiting: the producer is paced by the clock.
import { MediaRingWriter } from '../core/media-ring.js';
import { levelFromInt32Peak } from '../core/conmon/index.js';

export type TxBlock = Int32Array | Float32Array;
export type TxSourceInput = TxBlock | Iterable<TxBlock> | AsyncIterable<TxBlock>;

export interface TransmitOptions {
  /** Media (wire) time of the stream's first frame; at least TX latency + TX_LEAD_MS ahead of now, or
   * the frames before now + those are late. Default: the first frame written after data arrives. */
  startAt?: number;
  /** Frames held ahead of the pump (default 9600); bounds the stream's memory with the block size. */
  maxBufferedFrames?: number;
}

export interface TransmitStats {
  /** Media time of frame 0 (NaN until the stream starts). */
  startTime: number;
  /** Frames written to the ring. */
  frames: number;
  /** Frames that arrived after their media time had been written (dropped). */
  lateFrames: number;
  /** Frames sent as zeros because the producer had not delivered them in time. */
  underrunFrames: number;
}

export const DEFAULT_MAX_BUFFERED_FRAMES = 9600;
/** How far ahead of the media clock the ring is filled (ms): covers main-thread timer jitter. */
export const TX_LEAD_MS = 40;
const CHUNK = 1024;

/** Float samples (−1…1) to signed 32-bit full scale, clamped. */
function toInt32(block: TxBlock): Int32Array {
  if (block instanceof Int32Array) return block;
  const out = new Int32Array(block.length);
  for (let i = 0; i < block.length; i++) {
    const v = Math.round(block[i]! * 2147483648);
    out[i] = v > 2147483647 ? 2147483647 : v < -2147483648 ? -2147483648 : v;
  }
  return out;
}

function iteratorOf(source: TxSourceInput): AsyncIterator<TxBlock> | Iterator<TxBlock> {
  if (source instanceof Int32Array || source instanceof Float32Array) return [source][Symbol.iterator]();
  if (Symbol.asyncIterator in source) return (source as AsyncIterable<TxBlock>)[Symbol.asyncIterator]();
  if (Symbol.iterator in source) return (source as Iterable<TxBlock>)[Symbol.iterator]();
  throw new TypeError('transmit source must be an Int32Array/Float32Array block or an (async) iterable of them');
}

export class TxStream {
  readonly stats: TransmitStats = { startTime: NaN, frames: 0, lateFrames: 0, underrunFrames: 0 };
  /** Resolves with the final stats when the source is exhausted and written, or the stream stopped. */
  readonly done: Promise<TransmitStats>;
  private resolveDone!: (s: TransmitStats) => void;
  private rejectDone!: (e: Error) => void;
  private readonly it: AsyncIterator<TxBlock> | Iterator<TxBlock>;
  private readonly queue: Int32Array[] = [];
  private head = 0;
  private bufferedFrames = 0;
  /** Media time of the next buffered frame. */
  private next: number;
  private ended = false;
  private pulling = false;
  private finished = false;
  readonly maxBufferedFrames: number;

  constructor(
    /** 0-based TX channel. */
    readonly channel: number,
    source: TxSourceInput,
    opts: TransmitOptions,
    private readonly onFinish: (s: TxStream) => void,
  ) {
    this.it = iteratorOf(source);
    const max = opts.maxBufferedFrames ?? DEFAULT_MAX_BUFFERED_FRAMES;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxBufferedFrames ${max} is not a positive integer`);
    this.maxBufferedFrames = max;
    if (opts.startAt !== undefined && !Number.isInteger(opts.startAt)) throw new RangeError(`startAt ${opts.startAt} is not an integer media time`);
    this.next = opts.startAt ?? NaN;
    if (opts.startAt !== undefined) this.stats.startTime = opts.startAt;
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined); // callers that never await it must not see an unhandled rejection
    this.pull();
  }

  get running(): boolean {
    return !this.finished;
  }

  /** Keeps up to maxBufferedFrames waiting; one pull at a time, so the source is never ahead by more. */
  private pull(): void {
    if (this.pulling || this.ended || this.finished || this.bufferedFrames >= this.maxBufferedFrames) return;
    this.pulling = true;
    void (async () => {
      try {
        while (!this.ended && !this.finished && this.bufferedFrames < this.maxBufferedFrames) {
          const r = await this.it.next();
          if (r.done) this.ended = true;
          else if (r.value.length > 0) {
            const block = toInt32(r.value);
            this.queue.push(block);
            this.bufferedFrames += block.length;
          }
        }
      } catch (err) {
        this.fail(err as Error);
      } finally {
        this.pulling = false;
      }
    })();
  }

  /** Drops `n` buffered frames (or all there are); returns how many. */
  private discard(n: number): number {
    let left = n;
    while (left > 0 && this.queue.length) {
      const b = this.queue[0]!;
      const k = Math.min(left, b.length - this.head);
      this.head += k;
      left -= k;
      if (this.head === b.length) {
        this.queue.shift();
        this.head = 0;
      }
    }
    this.bufferedFrames -= n - left;
    return n - left;
  }

  /**
   * Fills out[0, n) with this stream's frames for media times [t, t + n) (zeros where it has
   * none). Returns the peak |sample| written.
   */
  take(t: number, n: number, out: Int32Array): number {
    out.fill(0, 0, n);
    if (this.finished) return 0;
    if (Number.isNaN(this.next)) {
      if (this.bufferedFrames === 0) return this.finishIfDone();
      this.next = this.stats.startTime = t;
    }
    if (this.next < t) {
      const d = this.discard(t - this.next);
      this.stats.lateFrames += d;
      this.next += d;
    }
    let peak = 0;
    if (this.next >= t && this.next < t + n) {
      let i = this.next - t;
      while (i < n && this.queue.length) {
        const b = this.queue[0]!;
        const k = Math.min(n - i, b.length - this.head);
        for (let j = 0; j < k; j++) {
          const v = b[this.head + j]!;
          out[i + j] = v;
          const a = v < 0 ? -v : v;
          if (a > peak) peak = a;
        }
        i += k;
        this.head += k;
        this.bufferedFrames -= k;
        this.stats.frames += k;
        if (this.head === b.length) {
          this.queue.shift();
          this.head = 0;
        }
      }
      const written = i - (this.next - t);
      this.next += written;
      // Time left empty inside the stream, while more may come: the producer was late.
      if (i < n && !this.ended) this.stats.underrunFrames += n - i;
    } else if (this.next < t && !this.ended) {
      this.stats.underrunFrames += n;
    }
    this.pull();
    this.finishIfDone();
    return peak;
  }

  private finishIfDone(): number {
    if (this.ended && this.bufferedFrames === 0) this.finish();
    return 0;
  }

  /** Stops the stream now; the source's `return()` is called. */
  stop(): void {
    if (this.finished) return;
    this.ended = true;
    void Promise.resolve(this.it.return?.()).catch(() => undefined);
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.queue.length = 0;
    this.bufferedFrames = 0;
    this.onFinish(this);
    this.resolveDone({ ...this.stats });
  }

  private fail(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.queue.length = 0;
    this.bufferedFrames = 0;
    this.onFinish(this);
    this.rejectDone(err);
  }
}

/** Writes the TX streams into the TX ring ahead of the media clock. */
export class TxPump {
  readonly streams = new Map<number, TxStream>();
  readonly counters = { framesWritten: 0, restarts: 0 };
  private writer: MediaRingWriter | undefined;
  private pos = NaN;
  private scratch: Int32Array[] = [];
  private peaks: number[] = [];

  constructor(
    readonly txChannels: number,
    /** Wire time − ring time (TX latency − early guard), see RingSource. */
    private readonly shift: number,
    private readonly leadFrames: number,
  ) {}

  bind(ring: SharedArrayBuffer | undefined): void {
    this.writer = ring ? new MediaRingWriter(ring) : undefined;
    this.pos = NaN;
    this.scratch = Array.from({ length: this.txChannels }, () => new Int32Array(CHUNK));
    this.peaks = new Array<number>(this.txChannels).fill(0);
  }

  get bound(): boolean {
    return this.writer !== undefined;
  }

  /** Level bytes (heartbeat 0x8002) of what was written since the last call. */
  takeLevels(): number[] {
    const out = this.peaks.map((p) => levelFromInt32Peak(p));
    this.peaks.fill(0);
    return out;
  }

  /** Writes [pos, min(now + lead, writableEnd)) from the streams. `now` is the media time. */
  tick(now: number): void {
    const w = this.writer;
    if (!w || Number.isNaN(now) || this.streams.size === 0) return;
    // Behind what the transmit worker already read (a stall, a clock step): restart at now.
    if (!(this.pos >= now - this.shift) || this.pos > now + 4 * this.leadFrames) {
      if (!Number.isNaN(this.pos)) this.counters.restarts++;
      this.pos = now;
    }
    const limit = Math.min(now + this.leadFrames, w.writableEnd());
    while (this.pos < limit && this.streams.size > 0) {
      const n = Math.min(limit - this.pos, CHUNK);
      for (let c = 0; c < this.txChannels; c++) {
        const s = this.streams.get(c);
        if (s) {
          const p = s.take(this.pos + this.shift, n, this.scratch[c]!);
          if (p > this.peaks[c]!) this.peaks[c] = p;
        } else this.scratch[c]!.fill(0, 0, n);
      }
      const stored = w.claim(this.pos, n, true);
      if (stored > 0) {
        for (let c = 0; c < this.txChannels; c++) w.writeChannel(c, this.scratch[c]!);
      }
      w.commit();
      this.counters.framesWritten += stored;
      this.pos += n;
    }
  }
}
