// One file of a take. Sample blocks are written at their final positions while the header is
// rewritten (on request, at least every second, and at the end) to describe only the contiguous
// prefix of data whose writes completed, so the file on disk is always playable up to that point.
import type { Container } from '../formats/container.js';
import type { PcmBits } from '../formats/pcm.js';
import type { RecorderIo } from './io.js';

export interface Chunk {
  samples: Int32Array;
  frames: number;
}

interface Write {
  chunk: Chunk;
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
  error: Error | undefined;
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
    readonly path: string,
    readonly container: Container,
    private readonly io: RecorderIo,
    private readonly bits: PcmBits,
    private readonly channels: number,
    exclusive: boolean,
    private readonly release: (c: Chunk) => void,
    private readonly onError: (f: TakeFile, err: Error) => void,
  ) {
    this.opened = io.open(path, exclusive).then(
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

  get dataBytesAssigned(): number {
    return this.framesAssigned * this.container.frameBytes;
  }

  /** Queues a chunk (returned through `release` once written or abandoned). */
  enqueue(chunk: Chunk): void {
    const at = this.dataBytesAssigned;
    this.framesAssigned += chunk.frames;
    const w: Write = { chunk, at, end: at + chunk.frames * this.container.frameBytes, done: false, ok: false };
    this.inflight.push(w);
    this.outstanding++;
    if (this.fd < 0 && !this.error) this.pending.push(w);
    else this.issue(w);
  }

  private issue(w: Write): void {
    if (this.error || this.fd < 0) return this.complete(w, false);
    const c = w.chunk;
    this.io.writeSamples(this.fd, c.samples, c.frames * this.channels, this.bits, this.container.headerLength + w.at).then(
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
    this.release(w.chunk);
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
    const fd = this.fd;
    this.fd = -1;
    await this.io.close(fd).catch((err: Error) => this.fail(err));
  }
}
