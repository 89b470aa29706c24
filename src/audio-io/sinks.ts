// Where received audio goes (`--rx-sink`): nothing, a FIFO or a file, as interleaved signed 32-bit
// native-endian samples (s32le on usual hosts, like inferno2pipe, PROTOCOL.md §10). Writes are
// asynchronous from a fixed pool of buffers so a slow reader never blocks the receive worker;
// blocks that find no free buffer are dropped and counted.
import { close, open, write } from 'node:fs';
import { ConfigError } from '../core/errors.js';
import { parseAlsaPcm } from './alsa-config.js';

export type RxSinkSpec = { kind: 'none' } | { kind: 'fifo' | 'file'; path: string } | { kind: 'alsa'; pcm: string };

export function parseRxSink(raw: unknown, setting = 'rx-sink'): RxSinkSpec {
  const s = typeof raw === 'string' ? raw.trim() : '';
  if (s === 'none') return { kind: 'none' };
  const pcm = parseAlsaPcm(s);
  if (pcm) return { kind: 'alsa', pcm };
  const m = /^(fifo|file):(.+)$/.exec(s);
  if (!m) throw new ConfigError(setting, raw, 'none, fifo:PATH, file:PATH or alsa:PCM');
  return { kind: m[1] as 'fifo' | 'file', path: m[2]! };
}

export function formatRxSink(spec: RxSinkSpec): string {
  return spec.kind === 'none' ? 'none' : spec.kind === 'alsa' ? `alsa:${spec.pcm}` : `${spec.kind}:${spec.path}`;
}

/** Receives interleaved blocks; `frames × channels` samples at the start of `block`. */
export interface SinkOutput {
  /**
   * A buffer to fill with up to `samples` samples (default: the largest block), or undefined when
   * all are in flight (the block is dropped).
   */
  acquire(samples?: number): Int32Array | undefined;
  /** Queues the first `samples` of an acquired buffer. */
  submit(block: Int32Array, samples: number): void;
  readonly counters: { blocksWritten: number; bytesWritten: number; droppedBlocks: number; writeErrors: number };
  readonly state: 'opening' | 'open' | 'closed';
  close(): Promise<void>;
}

/** Accepts and discards everything (meters and counters still run). */
export class NullSinkOutput implements SinkOutput {
  readonly counters = { blocksWritten: 0, bytesWritten: 0, droppedBlocks: 0, writeErrors: 0 };
  readonly state = 'open' as const;
  private readonly block: Int32Array;
  constructor(blockSamples: number) {
    this.block = new Int32Array(blockSamples);
  }
  acquire(): Int32Array {
    return this.block;
  }
  submit(_block: Int32Array, samples: number): void {
    this.counters.blocksWritten++;
    this.counters.bytesWritten += samples * 4;
  }
  async close(): Promise<void> {}
}

/**
 * A file or FIFO. Opening a FIFO waits (in the thread pool) until a reader opens it; blocks before
 * that are dropped. A failed write (e.g. the FIFO reader went away) closes the sink and calls `onError`.
 * Writes go one at a time; while one is in flight, further small deliveries are appended to one
 * buffer (each buffer holds the largest block), so the pool covers seconds of audio rather than a
 * few deliveries when a write stalls (a slow reader, a loaded machine).
 */
export class FileSinkOutput implements SinkOutput {
  readonly counters = { blocksWritten: 0, bytesWritten: 0, droppedBlocks: 0, writeErrors: 0 };
  state: 'opening' | 'open' | 'closed' = 'opening';
  private fd = -1;
  private readonly free: Int32Array[] = [];
  private inFlight = 0;
  /** Pending writes: block, sample count, ... (a flat list, reused). */
  private readonly queue: (Int32Array | number)[] = [];
  private drained: (() => void) | undefined;
  /** The buffer deliveries are appended to while a write is in flight, and its fill. */
  private filling: Int32Array | undefined;
  private filled = 0;

  /** Blocks made so far: made on demand up to the pool size, since a writer that keeps up needs
   *  one or two (16 × 4096 frames × 64 channels made up front were 16 MB of RSS). */
  private made = 0;

  constructor(path: string, private readonly blockSamples: number, private readonly poolSize = 16, private readonly onError?: (err: Error) => void) {
    open(path, 'w', (err, fd) => {
      if (err) return this.fail(err);
      if (this.state === 'closed') {
        close(fd, () => {});
        return;
      }
      this.fd = fd;
      this.state = 'open';
    });
  }

  acquire(samples?: number): Int32Array | undefined {
    if (this.state !== 'open') return undefined;
    const f = this.filling;
    if (f && f.length - this.filled >= (samples ?? f.length)) return f.subarray(this.filled);
    this.flushFilling();
    const b = this.takeBlock();
    if (b) {
      this.filling = b;
      this.filled = 0;
    }
    return b;
  }

  /** A free block, made on demand up to the pool size. */
  private takeBlock(): Int32Array | undefined {
    const block = this.free.pop();
    if (block || this.made >= this.poolSize) return block;
    this.made++;
    return new Int32Array(this.blockSamples);
  }

  submit(_block: Int32Array, samples: number): void {
    // `_block` is the view acquire() handed out: the filling buffer from `filled` on.
    this.filled += samples;
    // Idle: write now (low latency); else it goes when the write in flight completes.
    if (this.inFlight === 0) this.flushFilling();
  }

  /** Queues the filling buffer for writing. */
  private flushFilling(): void {
    const b = this.filling;
    if (!b) return;
    this.filling = undefined;
    if (this.filled === 0) {
      this.free.push(b);
      return;
    }
    // One write at a time: concurrent writes from the thread pool could land out of order.
    this.queue.push(b, this.filled);
    this.inFlight++;
    if (this.inFlight === 1) this.writeNext();
  }

  private writeNext(): void {
    const block = this.queue[0] as Int32Array;
    const bytes = (this.queue[1] as number) * 4;
    write(this.fd, new Uint8Array(block.buffer, block.byteOffset, bytes), 0, bytes, null, (err, n) => {
      this.queue.splice(0, 2);
      this.inFlight--;
      this.free.push(block);
      if (err) {
        this.counters.writeErrors++;
        this.fail(err);
      } else {
        this.counters.blocksWritten++;
        this.counters.bytesWritten += n;
      }
      if (this.inFlight > 0) {
        if (this.fd >= 0) this.writeNext();
        return;
      }
      // Idle again: what arrived meanwhile goes out in one write.
      if (this.fd >= 0 && this.state === 'open') this.flushFilling();
      if (this.inFlight === 0) this.drained?.();
    });
  }

  private fail(err: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.onError?.(err);
    void this.close();
  }

  async close(): Promise<void> {
    if (this.fd >= 0 && this.state === 'open') this.flushFilling();
    this.state = 'closed';
    if (this.inFlight > 0) await new Promise<void>((r) => (this.drained = r));
    if (this.fd >= 0) {
      const fd = this.fd;
      this.fd = -1;
      await new Promise<void>((r) => close(fd, () => r()));
    }
  }
}
