// The recorder: a SinkOutput the receive worker hands interleaved blocks to. On the receive side it
// only copies each block into a staging chunk (a SharedArrayBuffer from a fixed pool: the bounded
// queue); full chunks go to the current TakeFile, whose encoding and writing run on the io (a
// piscina pool). No free chunk means the frames are dropped and counted, and the same number of
// frames of silence is written in their place (so the file's timeline never shortens). Files rotate
// at exact frame counts (gapless), the header is refreshed every `headerIntervalMs` and synced to
// disk every `syncIntervalMs`, and the first write error stops the take cleanly: the file is closed
// with a header describing everything that reached the disk, and `onError` gets a message naming
// the file. Files are never overwritten: a recorder started again on the same take (the receive
// worker restarted) continues in `PATH-2.EXT`, ... or, with a split, in the next free name; so
// `inferno capture` truncates its output once, before the first start. Track names are taken when
// a file starts: `setTracks` (renames, new subscriptions) shows from the next file of a split.
import { continuedFileName, splitFrames, takeFileName } from './options.js';
import { containerFor } from '../formats/index.js';
import type { Container, RecordFormat } from '../formats/container.js';
import type { RecordingMetadata, TrackInfo } from '../formats/metadata.js';
import type { PcmBits } from '../formats/pcm.js';
import type { SinkOutput } from '../sinks.js';
import type { RecorderIo } from './io.js';
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
  /** fdatasync of the current file (default 1000 ms; 0 = only at the end of each file). */
  syncIntervalMs?: number;
  /** RF64 upgrade / WAV size limit override (tests). */
  riffLimit?: number;
  now?: () => number;
  io: RecorderIo;
  onError?: (err: Error) => void;
}

export class Recorder implements SinkOutput {
  readonly counters = { blocksWritten: 0, bytesWritten: 0, droppedBlocks: 0, writeErrors: 0, droppedFrames: 0, framesRecorded: 0, silenceFrames: 0, syncs: 0, trackChanges: 0 };
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
  /** Frames given to files since the start of the take, silence for dropped ones included (the timeline). */
  private timeline = 0;
  /** Dropped frames whose silence is not yet in a file (written before the next samples). */
  private silence = 0;
  private tracks: readonly TrackInfo[];
  private lastSync = 0;
  private fileLimit = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly chunkFrames: number;
  private readonly now: () => number;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: RecorderOptions) {
    this.now = opts.now ?? Date.now;
    this.tracks = opts.tracks;
    this.lastSync = this.now();
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
          this.silence += frames - f;
          return;
        }
        if (this.silence) {
          // The silence goes first; it may fill and rotate the file.
          this.free.push(c);
          this.flushSilence();
          continue;
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

  /** Writes the pending silence (no staging chunk needed), rotating files at their limits. */
  private flushSilence(): void {
    while (this.silence > 0) {
      if (!this.current) this.current = this.openFile();
      const n = Math.min(this.silence, this.fileLimit - this.current.framesAssigned);
      this.current.enqueueSilence(n);
      this.silence -= n;
      this.timeline += n;
      this.counters.silenceFrames += n;
      if (this.current.framesAssigned >= this.fileLimit) this.rotate();
    }
  }

  /** Track names for files started from now on (renames, subscription changes during the take). */
  setTracks(tracks: readonly TrackInfo[]): void {
    if (JSON.stringify(tracks) === JSON.stringify(this.tracks)) return;
    this.tracks = tracks.map((t) => ({ ...t }));
    this.counters.trackChanges++;
  }

  private metadata(start: Date): RecordingMetadata {
    const o = this.opts;
    return { device: o.device, software: o.software ?? 'inferno-aoip', start, sampleRate: o.sampleRate, bits: o.bits, tracks: this.tracks };
  }

  private openFile(): TakeFile {
    const o = this.opts;
    const start = new Date(this.startWall + (this.timeline / o.sampleRate) * 1000);
    const container: Container = containerFor(o.format, { channels: o.channels, sampleRate: o.sampleRate, bits: o.bits }, this.metadata(start), o.riffLimit === undefined ? {} : { riffLimit: o.riffLimit });
    const first = this.files.length === 0 && !o.split;
    // Names already taken (by this take, another take or an earlier run of this one) are skipped:
    // two files starting in the same second get a suffix rather than overwrite.
    const candidate = first
      ? (k: number) => continuedFileName(o.path, k)
      : o.split
        ? (k: number) => takeFileName(o.path, o.device, start, container.ext, k)
        : (k: number) => continuedFileName(o.path, k + 1);
    // Our own names are skipped at once, so suffixes follow the order of the files.
    let base = 0;
    while (this.files.includes(candidate(base))) base++;
    const name = (k: number) => candidate(base + k);
    const maxFrames = Math.floor(container.maxDataBytes / container.frameBytes);
    this.fileLimit = Math.min(maxFrames, o.split ? splitFrames(o.split, o.sampleRate, container.frameBytes) : Infinity);
    const index = this.files.length;
    const file = new TakeFile({ name, truncate: false, reuseEmpty: first }, container, o.io, o.bits, o.channels,
      (c) => this.release(c), (f, err) => this.fail(f, err), (f) => (this.files[index] = f.path));
    this.files.push(file.path);
    return file;
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
    if (this.silence) this.flushSilence();
    const now = this.now();
    const syncEvery = this.opts.syncIntervalMs ?? 1000;
    if (syncEvery > 0 && now - this.lastSync >= syncEvery && this.current) {
      this.lastSync = now;
      const f = this.current;
      const before = f.syncs;
      void f.sync().then(() => (this.counters.syncs += f.syncs - before));
    } else void this.current?.updateHeader();
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
      this.flushSilence();
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
      silenceFrames: this.counters.silenceFrames,
      framesRecorded: this.counters.framesRecorded,
      syncs: this.counters.syncs,
      syncedBytes: this.current?.syncedBytes ?? 0,
      tracks: this.tracks.map((t) => t.name),
    };
  }
}
