// Received audio for the library's `Device.capture()`: the receive worker's delivery (at now − RX
// latency) writes each block into a shared media ring of all RX channels at its media time, and the
// main thread reads it. The RX channel rings stay single-consumer (the delivery is their only
// reader); this ring has one writer (here) and one reader (the Device), so it is SPSC too.
// A main thread that stops reading never blocks the receive worker: the ring writer drops the
// newer frames and counts them (`overrun`), memory stays the ring's fixed size.
import { MediaRingWriter } from '../core/media-ring.js';
import type { SinkOutput } from './sinks.js';

/** Shared-buffer name of the capture ring in the workers' `shared` map. */
export const RX_CAPTURE_SHARED = 'rxCapture';
/** 2^16 frames: 1.36 s at 48 kHz of slack for a busy main thread before frames are dropped. */
export const RX_CAPTURE_CAPACITY = 65536;

export class RingSinkOutput implements SinkOutput {
  readonly counters = { blocksWritten: 0, bytesWritten: 0, droppedBlocks: 0, writeErrors: 0 };
  readonly state = 'open' as const;
  private readonly writer: MediaRingWriter;
  private readonly block: Int32Array;
  private readonly map: Int32Array;

  constructor(
    ring: SharedArrayBuffer,
    blockSamples: number,
    /** Media time of the first frame of the block being submitted (the delivery's position). */
    private readonly blockTime: () => number,
  ) {
    this.writer = new MediaRingWriter(ring);
    this.block = new Int32Array(blockSamples);
    this.map = Int32Array.from({ length: this.writer.channels }, (_, i) => i);
  }

  /** Frames dropped because the reader fell more than the ring behind. */
  get overrunFrames(): number {
    return this.writer.state.overrun;
  }

  acquire(): Int32Array {
    return this.block;
  }

  submit(block: Int32Array, samples: number): void {
    const frames = samples / this.writer.channels;
    const stored = this.writer.writeFrames(this.blockTime(), frames, this.map, block, 0);
    if (stored < frames) this.counters.droppedBlocks++;
    this.counters.blocksWritten++;
    this.counters.bytesWritten += stored * this.writer.channels * 4;
  }

  async close(): Promise<void> {}
}
