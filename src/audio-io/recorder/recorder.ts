// The recorder: a SinkOutput the receive worker hands interleaved blocks to. On the receive side it
// only copies each block into a staging chunk (a SharedArrayBuffer from a fixed pool: the bounded
// queue); full chunks go to the current TakeFile, whose encoding and writing run on the io (a
// piscina pool). No free chunk means the frames are dropped, counted and reported. Files rotate at
// exact frame counts (gapless), the header is refreshed every `headerIntervalMs`, and the first
// write error stops the take cleanly: the file is closed with a header describing everything that
// reached the disk, and `onError` gets a message naming the file.
import { containerFor } from '../formats/index.js';
import type { Container, RecordFormat } from '../formats/container.js';
import type { RecordingMetadata, TrackInfo } from '../formats/metadata.js';
import type { PcmBits } from '../formats/pcm.js';
import type { SinkOutput } from '../sinks.js';
import type { RecorderIo } from './io.js';
import { splitFrames, takeFileName } from './options.js';
import type { SplitSpec } from './options.js';
import { TakeFile } from './take-file.js';
import type { Chunk } from './take-file.js';

export interface RecorderOptions {
  /** The file (no split) or the file name prefix (split). */
  path: string;
  format: RecordFormat;
  bits: PcmBits;
  channels: number;
  sampleRate: number;
  device: string;
  tracks: readonly TrackInfo[];
  split?: SplitSpec;
  software?: string;
  /** How far behind the wall clock delivered audio is (the RX latency), for start times. */
  latencyMs?: number;
  /** Largest block `submit` receives, in samples. */
  blockSamples: number;
  /** Staging chunk length (default 100 ms) and count (default 30: 3 s of slack for a slow disk). */
  chunkFrames?: number;
  queueChunks?: number;
  headerIntervalMs?: number;
  /** RF64 upgrade / WAV size limit override (tests). */
  riffLimit?: number;
  now?: () => number;
  io: RecorderIo;
  onError?: (err: Error) => void;
}

export class Recorder implements SinkOutput {
  readonly counters = { blocksWritten: 0, bytesWritten: 0, droppedBlocks: 0, writeErrors: 0, droppedFrames: 0, framesRecorded: 0 };
  state: 'opening' | 'open' | 'closed' = 'open';
  error: Error | undefined;
  /** Every file of the take, in order. */
  readonly files: string[] = [];
  private readonly scratch: Int32Array;
  private readonly free: Chunk[] = [];
  private fill: Chunk | undefined;
  private current: TakeFile | undefined;
  private readonly finishing = new Set<Promise<void>>();
  private startWall = NaN;
  /** Frames since the start of the take, dropped ones included (the timeline). */
  private timeline = 0;
  private fileLimit = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly chunkFrames: number;
  private readonly now: () => number;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: RecorderOptions) {
    this.now = opts.now ?? Date.now;
    this.chunkFrames = opts.chunkFrames ?? Math.round(opts.sampleRate / 10);
    this.scratch = new Int32Array(opts.blockSamples);
    for (let i = 0; i < (opts.queueChunks ?? 30); i++) {
      this.free.push({ samples: new Int32Array(new SharedArrayBuffer(this.chunkFrames * opts.channels * 4)), frames: 0 });
    }
    this.timer = setInterval(() => this.tick(), opts.headerIntervalMs ?? 500);
    this.timer.unref();
  }

  acquire(): Int32Array | undefined {
    return this.state === 'open' ? this.scratch : undefined;
  }

  submit(block: Int32Array, samples: number): void {
    if (this.state !== 'open') return;
    const ch = this.opts.channels;
    const frames = samples / ch;
    if (Number.isNaN(this.startWall)) this.startWall = this.now() - (this.opts.latencyMs ?? 0) - (frames / this.opts.sampleRate) * 1000;
    let f = 0;
    while (f < frames) {
      if (!this.current) this.current = this.openFile();
      if (!this.fill) {
        const c = this.free.pop();
        if (!c) {
          this.counters.droppedBlocks++;
          this.counters.droppedFrames += frames - f;
          this.timeline += frames - f;
          return;
        }
        c.frames = 0;
        this.fill = c;
      }
      const fill = this.fill;
      const room = Math.min(this.chunkFrames - fill.frames, this.fileLimit - this.current.framesAssigned - fill.frames, frames - f);
      fill.samples.set(block.subarray(f * ch, (f + room) * ch), fill.frames * ch);
      fill.frames += room;
      f += room;
      this.timeline += room;
      this.counters.framesRecorded += room;
      const fileFull = this.current.framesAssigned + fill.frames >= this.fileLimit;
      if (fill.frames === this.chunkFrames || fileFull) this.dispatch();
      if (fileFull) this.rotate();
    }
  }

  private metadata(start: Date): RecordingMetadata {
    const o = this.opts;
    return { device: o.device, software: o.software ?? 'inferno-aoip', start, sampleRate: o.sampleRate, bits: o.bits, tracks: o.tracks };
  }

  private openFile(): TakeFile {
    const o = this.opts;
    const start = new Date(this.startWall + (this.timeline / o.sampleRate) * 1000);
    const container: Container = containerFor(o.format, { channels: o.channels, sampleRate: o.sampleRate, bits: o.bits }, this.metadata(start), o.riffLimit === undefined ? {} : { riffLimit: o.riffLimit });
    const first = this.files.length === 0 && !o.split;
    let path = first ? o.path : takeFileName(o.path, o.device, start, container.ext);
    // Two files starting in the same second (short splits) get a suffix rather than overwrite.
    for (let k = 1; this.files.includes(path); k++) path = takeFileName(o.path, o.device, start, container.ext, k);
    const maxFrames = Math.floor(container.maxDataBytes / container.frameBytes);
    this.fileLimit = Math.min(maxFrames, o.split ? splitFrames(o.split, o.sampleRate, container.frameBytes) : Infinity);
    this.files.push(path);
    return new TakeFile(path, container, o.io, o.bits, o.channels, !first, (c) => this.release(c), (f, err) => this.fail(f, err));
  }

  private release(c: Chunk): void {
    this.free.push(c);
  }

  private dispatch(): void {
    const c = this.fill;
    if (!c || !this.current) return;
    this.fill = undefined;
    if (c.frames === 0) {
      this.free.push(c);
      return;
    }
    this.counters.blocksWritten++;
    this.current.enqueue(c);
  }

  private rotate(): void {
    const f = this.current;
    this.current = undefined;
    if (f) this.track(f.finish());
  }

  private track(p: Promise<void>): void {
    const q = p.finally(() => this.finishing.delete(q));
    this.finishing.add(q);
  }

  /** Writes what is staged and refreshes the header, so a kill loses at most about one interval. */
  private tick(): void {
    if (this.state !== 'open') return;
    this.dispatch();
    void this.current?.updateHeader();
    this.counters.bytesWritten = this.current?.durableBytes ?? 0;
  }

  private fail(file: TakeFile, err: Error): void {
    this.counters.writeErrors++;
    if (this.error) return;
    const code = (err as NodeJS.ErrnoException).code;
    this.error = new Error(`cannot write ${file.path}: ${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}`);
    this.opts.onError?.(this.error);
    void this.close();
  }

  /** Ends the take: writes what is staged, finalises every file, stops the io. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closed';
      clearInterval(this.timer);
      this.dispatch();
      this.rotate();
      while (this.finishing.size) await Promise.all([...this.finishing]);
      await this.opts.io.destroy();
    })();
    return this.closing;
  }

  info(): Record<string, unknown> {
    return {
      format: this.opts.format,
      bits: this.opts.bits,
      files: this.files,
      ...(this.error ? { error: this.error.message } : {}),
      queuedChunks: (this.opts.queueChunks ?? 30) - this.free.length,
      droppedFrames: this.counters.droppedFrames,
      framesRecorded: this.counters.framesRecorded,
    };
  }
}
