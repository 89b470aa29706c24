// Library capture: the main thread reads the capture ring (filled by the receive worker at now − RX
// latency, see audio-io/sinks-library.ts) every few ms and hands each open capture its channels
// in blocks. Audio cannot wait, so back-pressure ends at a bounded queue per capture: when the
// consumer falls `maxBufferedBlocks` behind, new blocks are dropped and counted (and an
// 'overflow' is signalled), never buffered without bound.
import { MediaRingReader } from '../core/media-ring.js';

export interface CaptureOptions {
  /** RX channel numbers (1-based), in the order of `block.channels`. */
  channels: readonly number[];
  /** Frames per block (default 480: 10 ms at 48 kHz). */
  framesPerBlock?: number;
  /** Blocks held for a slow consumer before new ones are dropped (default 32). */
  maxBufferedBlocks?: number;
}

export interface CaptureBlock {
  /** Media time of the block's first frame. */
  mediaTime: number;
  frames: number;
  /** One array of `frames` signed 32-bit full-scale samples per requested channel. */
  channels: Int32Array[];
}

export interface CaptureStats {
  blocks: number;
  /** Blocks dropped because the consumer was `maxBufferedBlocks` behind. */
  droppedBlocks: number;
  droppedFrames: number;
  /** Discontinuities in media time (frames the receive side skipped or dropped). */
  gaps: number;
}

export const DEFAULT_FRAMES_PER_BLOCK = 480;
export const DEFAULT_MAX_BUFFERED_BLOCKS = 32;
/** Largest block: bounds each capture's memory together with maxBufferedBlocks. */
export const MAX_FRAMES_PER_BLOCK = 65536;
const MAX_BUFFERED_BLOCKS = 4096;
/** Most frames read from the ring per step. */
const READ_CHUNK = 4096;

export class CaptureStream implements AsyncIterableIterator<CaptureBlock> {
  readonly stats: CaptureStats = { blocks: 0, droppedBlocks: 0, droppedFrames: 0, gaps: 0 };
  readonly channels: readonly number[];
  readonly framesPerBlock: number;
  readonly maxBufferedBlocks: number;
  private readonly queue: CaptureBlock[] = [];
  private waiter: ((r: IteratorResult<CaptureBlock>) => void) | undefined;
  private block: Int32Array[] = [];
  private filled = 0;
  private blockStart = NaN;
  private closed = false;

  constructor(
    opts: CaptureOptions,
    rxChannels: number,
    private readonly onOverflow: (stream: CaptureStream, block: CaptureBlock) => void,
    private readonly onClose: (stream: CaptureStream) => void,
  ) {
    const fpb = opts.framesPerBlock ?? DEFAULT_FRAMES_PER_BLOCK;
    const max = opts.maxBufferedBlocks ?? DEFAULT_MAX_BUFFERED_BLOCKS;
    if (!Array.isArray(opts.channels) || opts.channels.length === 0) throw new RangeError('capture needs at least one RX channel');
    for (const c of opts.channels) if (!Number.isInteger(c) || c < 1 || c > rxChannels) throw new RangeError(`RX channel ${c} not in 1..${rxChannels}`);
    if (!Number.isInteger(fpb) || fpb < 1 || fpb > MAX_FRAMES_PER_BLOCK) throw new RangeError(`framesPerBlock ${fpb} not in 1..${MAX_FRAMES_PER_BLOCK}`);
    if (!Number.isInteger(max) || max < 1 || max > MAX_BUFFERED_BLOCKS) throw new RangeError(`maxBufferedBlocks ${max} not in 1..${MAX_BUFFERED_BLOCKS}`);
    this.channels = [...opts.channels];
    this.framesPerBlock = fpb;
    this.maxBufferedBlocks = max;
  }

  /** Blocks waiting for the consumer. */
  get buffered(): number {
    return this.queue.length;
  }

  /** Frames [t, t + n) of every RX channel (`outs[rx − 1]`, from index `offset`). */
  push(t: number, n: number, outs: ArrayLike<Int32Array | null>, offset: number): void {
    if (this.closed) return;
    if (this.filled > 0 && t !== this.blockStart + this.filled) {
      this.stats.gaps++;
      this.flush();
    }
    let done = 0;
    while (done < n) {
      if (this.filled === 0) {
        this.blockStart = t + done;
        this.block = this.channels.map(() => new Int32Array(this.framesPerBlock));
      }
      const k = Math.min(this.framesPerBlock - this.filled, n - done);
      for (let c = 0; c < this.channels.length; c++) {
        const src = outs[this.channels[c]! - 1]!;
        this.block[c]!.set(src.subarray(offset + done, offset + done + k), this.filled);
      }
      this.filled += k;
      done += k;
      if (this.filled === this.framesPerBlock) this.flush();
    }
  }

  private flush(): void {
    const frames = this.filled;
    if (frames === 0) return;
    const channels = frames === this.framesPerBlock ? this.block : this.block.map((a) => a.subarray(0, frames));
    const block: CaptureBlock = { mediaTime: this.blockStart, frames, channels };
    this.filled = 0;
    this.block = [];
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      this.stats.blocks++;
      w({ value: block, done: false });
    } else if (this.queue.length < this.maxBufferedBlocks) {
      this.stats.blocks++;
      this.queue.push(block);
    } else {
      this.stats.droppedBlocks++;
      this.stats.droppedFrames += frames;
      this.onOverflow(this, block);
    }
  }

  next(): Promise<IteratorResult<CaptureBlock>> {
    const b = this.queue.shift();
    if (b) return Promise.resolve({ value: b, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter) return Promise.reject(new Error('capture: next() called again before the previous block arrived'));
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Ends the capture (also what `break` in a for-await loop does); buffered blocks are discarded. */
  return(): Promise<IteratorResult<CaptureBlock>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.block = [];
    this.filled = 0;
    this.onClose(this);
    const w = this.waiter;
    this.waiter = undefined;
    w?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** The capture ring's reader on the main thread; fans frames out to the open captures. */
export class CaptureHub {
  readonly streams = new Set<CaptureStream>();
  private reader: MediaRingReader | undefined;
  private pos = NaN;
  private outs: (Int32Array | null)[] = [];
  private scratch: Int32Array[] = [];

  constructor(readonly rxChannels: number) {}

  /** (Re)binds to a ring (at start and after an in-process restart of the workers). */
  bind(ring: SharedArrayBuffer | undefined): void {
    this.reader = ring ? new MediaRingReader(ring) : undefined;
    this.pos = NaN;
    this.scratch = this.reader ? Array.from({ length: this.reader.channels }, () => new Int32Array(READ_CHUNK)) : [];
    this.updateOutputs();
  }

  /** Frames the receive worker dropped because this reader was more than the ring behind. */
  ringOverrunFrames(): number {
    return this.reader ? this.reader.writerState.overrun : 0;
  }

  add(stream: CaptureStream): void {
    this.streams.add(stream);
    this.updateOutputs();
  }

  remove(stream: CaptureStream): void {
    this.streams.delete(stream);
    this.updateOutputs();
  }

  /** Only channels some capture wants are copied out of the ring. */
  private updateOutputs(): void {
    const want = new Set<number>();
    for (const s of this.streams) for (const c of s.channels) want.add(c - 1);
    this.outs = this.scratch.map((a, i) => (want.has(i) ? a : null));
  }

  /** Reads everything readable and delivers it. Runs on a timer; without captures it only consumes. */
  poll(): void {
    const r = this.reader;
    if (!r) return;
    if (Number.isNaN(this.pos)) {
      // Attach at the writer's readable end: the first read publishes our position.
      const st = r.refresh();
      if (!Number.isFinite(st.readable)) return;
      this.pos = st.readable;
      r.read(this.pos, 0, []);
      return;
    }
    const end = r.readableEnd();
    if (!(end > this.pos)) return;
    while (this.pos < end) {
      const n = Math.min(end - this.pos, READ_CHUNK);
      const res = r.read(this.pos, n, this.outs);
      // Stale frames were skipped by the writer (not data): deliver only what was valid.
      if (res.validFrames > 0) for (const s of this.streams) s.push(this.pos + res.staleFrames, res.validFrames, this.outs, res.staleFrames);
      this.pos += n;
    }
  }
}
