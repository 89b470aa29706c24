// Feeds `--tx-source fifo:PATH` / `file:PATH` into the TX media ring: interleaved signed 32-bit
// little-endian frames of all TX channels, written at consecutive media times and paced by the
// media clock (kept LEAD ahead of now). Reads are asynchronous (libuv's thread pool), so the
// transmit worker's send loop never waits on I/O; it only runs these callbacks between rounds.
// A file loops at EOF. A fifo whose writer stops (or is slow) leaves the ring empty: those frames
// are sent as zeros and counted (missingFrames); when the writer closes, the fifo is reopened
// for the next one.
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { ClockOverlayReader } from '../core/clock-overlay.js';
import { MediaRingWriter } from '../core/media-ring.js';
import type { NativeTimer } from '../native/types.js';
import type { Logger } from '../log.js';

/** Frames per read (10 ms at 48 kHz). */
const CHUNK_FRAMES = 480;
/** How far ahead of the media clock the ring is kept filled, in ns. */
const LEAD_NS = 100_000_000;
const POLL_MS = 5;
const REOPEN_MS = 200;

export class TxFeeder {
  readonly counters = { feederFrames: 0, feederRestarts: 0, feederReopens: 0, feederErrors: 0 };
  private readonly writer: MediaRingWriter;
  private readonly buf: Buffer;
  private readonly frames: Int32Array;
  private readonly map: Int32Array;
  private readonly frameBytes: number;
  private readonly reading = new Float64Array(2);
  private stopped = false;
  private pos = NaN;
  private carry = 0;

  constructor(
    private readonly spec: { kind: 'fifo' | 'file'; path: string },
    ring: SharedArrayBuffer,
    private readonly clock: ClockOverlayReader,
    private readonly native: NativeTimer,
    /** Wire time − ring time (TX latency − early guard): frames must be in before now − shift. */
    private readonly shift: number,
    private readonly log: Logger,
  ) {
    this.writer = new MediaRingWriter(ring);
    this.frameBytes = 4 * this.writer.channels;
    // Own ArrayBuffer at offset 0, so an Int32Array view is aligned (hosts are little-endian).
    this.buf = Buffer.from(new ArrayBuffer(CHUNK_FRAMES * this.frameBytes));
    this.frames = new Int32Array(this.buf.buffer, 0, CHUNK_FRAMES * this.writer.channels);
    this.map = Int32Array.from({ length: this.writer.channels }, (_, i) => i);
  }

  start(): void {
    void this.run().catch((err: Error) => this.log.error('TX feeder stopped', { err }));
  }

  stop(): void {
    this.stopped = true;
  }

  private now(): number {
    if (!this.clock.ready()) return NaN;
    this.native.clockReadInto(this.clock.snapshot.clockId, this.reading, 0);
    return this.clock.mediaTime(this.reading[0]!, this.reading[1]!);
  }

  private async run(): Promise<void> {
    const rate = () => this.clock.snapshot.sampleRate;
    while (!this.stopped) {
      let fh: FileHandle | undefined;
      try {
        fh = await open(this.spec.path, 'r');
        await this.pump(fh, rate);
      } catch (err) {
        this.counters.feederErrors++;
        this.log.warn('TX source read failed', { path: this.spec.path, err: err as Error });
      } finally {
        await fh?.close().catch(() => undefined);
      }
      this.counters.feederReopens++;
      await delay(REOPEN_MS);
    }
  }

  /** Reads until EOF of a fifo (writer gone) or stop; a file rewinds at EOF. */
  private async pump(fh: FileHandle, rate: () => number): Promise<void> {
    let position = 0;
    while (!this.stopped) {
      const now = this.now();
      if (now !== now) {
        await delay(POLL_MS);
        continue;
      }
      const lead = Math.round((LEAD_NS / 1e9) * rate());
      // Behind the send position: those frames would be late, restart at now.
      if (!(this.pos >= now - this.shift)) {
        if (this.pos === this.pos) this.counters.feederRestarts++;
        this.pos = now;
      }
      if (this.pos > now + lead) {
        await delay(POLL_MS);
        continue;
      }
      const want = this.buf.length - this.carry;
      const r = await fh.read(this.buf, this.carry, want, this.spec.kind === 'file' ? position : null);
      if (r.bytesRead === 0) {
        if (this.spec.kind === 'fifo') return;
        if (position === 0) throw new Error('empty TX source file');
        position = 0;
        continue;
      }
      position += r.bytesRead;
      const bytes = this.carry + r.bytesRead;
      const n = Math.floor(bytes / this.frameBytes);
      this.carry = bytes - n * this.frameBytes;
      if (n > 0) {
        this.writer.writeFrames(this.pos, n, this.map, this.frames, 0);
        this.pos += n;
        this.counters.feederFrames += n;
        // Keep a partial frame for the next read.
        if (this.carry) this.buf.copy(this.buf, 0, n * this.frameBytes, bytes);
      }
    }
  }
}
