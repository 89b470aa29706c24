// One file of a take. Sample blocks (and silence standing in for dropped frames) are written at
// their final positions while the header is rewritten (on request, at least every second, and at
// the end) to describe only the contiguous prefix of data whose writes completed, so the file on
// disk is always playable up to that point; `sync` makes that state durable (fdatasync).
import { stat } from 'node:fs/promises';
import type { Container } from '../formats/container.js';
import type { PcmBits } from '../formats/pcm.js';
import type { RecorderIo } from './io.js';

export interface Chunk {
  samples: Int32Array;
  frames: number;
}

/** How the file is opened: a new name never overwrites; `reuseEmpty` may take over an empty file. */
export interface OpenSpec {
  /** Candidate k (0, 1, 2, ...) of the file's name; the first one that is free is used. */
  name(k: number): string;
  /** Truncate whatever is at name(0) (otherwise existing files are skipped). */
  truncate: boolean;
  /** An existing empty file at a candidate is used (a take that was prepared but never written). */
  reuseEmpty: boolean;
}

const MAX_NAME_TRIES = 1000;

interface Write {
  /** Samples, or none for silence. */
  chunk: Chunk | undefined;
  /** Data offset and end of this write. */
  at: number;
  end: number;
  done: boolean;
  ok: boolean;
}

export class TakeFile {
  /** Frames handed to this file (written or in flight). */
  framesAssigned = 0;
  /** Data bytes on disk as one contiguous prefix. */
  durableBytes = 0;
  /** Data bytes the header on disk describes. */
  headerBytes = -1;
  /** Data bytes the header described at the last completed fdatasync. */
  syncedBytes = 0;
  syncs = 0;
  error: Error | undefined;
  /** The file's name (known for sure once it is open: a taken name moves on to the next candidate). */
  path: string;
  private fd = -1;
  private readonly opened: Promise<void>;
  private readonly pending: Write[] = [];
  /** Writes in issue order; the durable prefix advances over the completed head. */
  private readonly inflight: Write[] = [];
  private outstanding = 0;
  /** Set at the first failed write: nothing after it counts as durable. */
  private broken = false;
  private idle: (() => void) | undefined;
  private header: Promise<void> = Promise.resolve();

  constructor(
    spec: OpenSpec,
    readonly container: Container,
    private readonly io: RecorderIo,
    private readonly bits: PcmBits,
    private readonly channels: number,
    private readonly release: (c: Chunk) => void,
    private readonly onError: (f: TakeFile, err: Error) => void,
    private readonly onRenamed: (f: TakeFile, from: string) => void = () => {},
  ) {
    this.path = spec.name(0);
    this.opened = this.openFree(spec).then(
      async (fd) => {
        this.fd = fd;
        // A valid empty file first: a take killed right now still leaves a readable file.
        await this.writeHeader();
        for (const w of this.pending.splice(0)) this.issue(w);
      },
      (err: Error) => {
        for (const w of this.pending.splice(0)) this.complete(w, false);
        this.fail(err);
      },
    );
  }

  /** Opens the first free candidate name (off the receive path: everything here is async). */
  private async openFree(spec: OpenSpec): Promise<number> {
    if (spec.truncate) return this.io.open(this.path, false);
    for (let k = 0; ; k++) {
      const path = spec.name(k);
      try {
        const fd = await this.io.open(path, true);
        this.rename(path);
        return fd;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || k >= MAX_NAME_TRIES) throw err;
        if (spec.reuseEmpty && (await stat(path).then((s) => s.isFile() && s.size === 0, () => false))) {
          const fd = await this.io.open(path, false);
          this.rename(path);
          return fd;
        }
      }
    }
  }

  private rename(path: string): void {
    if (path === this.path) return;
    const from = this.path;
    this.path = path;
    this.onRenamed(this, from);
  }

  get dataBytesAssigned(): number {
    return this.framesAssigned * this.container.frameBytes;
  }

  /** Queues a chunk (returned through `release` once written or abandoned). */
  enqueue(chunk: Chunk): void {
    this.push(chunk, chunk.frames);
  }

  /** Queues `frames` of silence (in place of frames that were dropped). */
  enqueueSilence(frames: number): void {
    if (frames > 0) this.push(undefined, frames);
  }

  private push(chunk: Chunk | undefined, frames: number): void {
    const at = this.dataBytesAssigned;
    this.framesAssigned += frames;
    const w: Write = { chunk, at, end: at + frames * this.container.frameBytes, done: false, ok: false };
    this.inflight.push(w);
    this.outstanding++;
    if (this.fd < 0 && !this.error) this.pending.push(w);
    else this.issue(w);
  }

  private issue(w: Write): void {
    if (this.error || this.fd < 0) return this.complete(w, false);
    const c = w.chunk;
    const position = this.container.headerLength + w.at;
    const written = c ? this.io.writeSamples(this.fd, c.samples, c.frames * this.channels, this.bits, position) : this.io.writeZeros(this.fd, w.end - w.at, position);
    written.then(
      () => this.complete(w, true),
      (err: Error) => {
        this.fail(err);
        this.complete(w, false);
      },
    );
  }

  private complete(w: Write, ok: boolean): void {
    w.done = true;
    w.ok = ok;
    if (w.chunk) this.release(w.chunk);
    while (!this.broken && this.inflight.length && this.inflight[0]!.done) {
      const head = this.inflight.shift()!;
      if (head.ok) this.durableBytes = head.end;
      else this.broken = true;
    }
    if (--this.outstanding === 0) this.idle?.();
  }

  private fail(err: Error): void {
    if (this.error) return;
    this.error = err;
    this.onError(this, err);
  }

  /** Rewrites the header if the durable prefix grew (one header write at a time). */
  updateHeader(): Promise<void> {
    if (this.fd < 0 || this.durableBytes === this.headerBytes) return this.header;
    this.header = this.header.then(() => this.writeHeader());
    return this.header;
  }

  /** Header first (if the durable prefix grew), then fdatasync; one at a time, in order with header writes. */
  sync(): Promise<void> {
    if (this.fd < 0) return this.header;
    this.header = this.header.then(async () => {
      await this.writeHeader();
      const fd = this.fd;
      const covered = this.headerBytes;
      if (fd < 0 || covered < 0 || this.error) return;
      try {
        await this.io.sync(fd);
        this.syncs++;
        this.syncedBytes = covered;
      } catch (err) {
        this.fail(err as Error);
      }
    });
    return this.header;
  }

  private async writeHeader(): Promise<void> {
    const bytes = this.durableBytes;
    if (bytes === this.headerBytes || this.fd < 0) return;
    try {
      await this.io.writeBytes(this.fd, this.container.header(bytes), 0);
      this.headerBytes = bytes;
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /** Waits for every write, writes the final header and padding, closes. Never rejects. */
  async finish(): Promise<void> {
    await this.opened;
    if (this.fd < 0) return;
    if (this.outstanding > 0) await new Promise<void>((r) => (this.idle = r));
    await this.header;
    await this.writeHeader();
    const trailer = this.container.trailer(this.durableBytes);
    if (trailer.length && !this.error) {
      await this.io.writeBytes(this.fd, trailer, this.container.headerLength + this.durableBytes).catch((err: Error) => this.fail(err));
    }
    if (!this.error) await this.sync();
    const fd = this.fd;
    this.fd = -1;
    await this.io.close(fd).catch((err: Error) => this.fail(err));
  }
}
