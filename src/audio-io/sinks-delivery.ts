// Delivery of received audio to the local consumer (PROTOCOL.md §6.4): every few ms read each RX
// channel's ring up to now − RX latency, so a sample stamped t by its transmitter is handed over
// when the media clock reads t + latency. Missing data comes out as zeros and is counted per
// channel; peaks feed the level meters (heartbeat 0x8002, §4.4). Allocation-free per call.
import type { MediaRingReader } from '../core/media-ring.js';
import type { SinkOutput } from './sinks.js';

/** Most frames handed over in one block. */
export const MAX_DELIVERY_FRAMES = 4096;
/**
 * Most frames a delivery may fall behind before it skips ahead (counted in `skippedFrames`): ~5 s at
 * 48 kHz. Below that, frames the RX ring (32768 frames) no longer holds come out as counted zeros,
 * so frame k of the output stays at media time `firstFrame + k`.
 */
export const MAX_CATCH_UP_FRAMES = 64 * MAX_DELIVERY_FRAMES;

export interface DeliveryChannelStats {
  /** Frames delivered as zeros while the channel was routed (lost, late or not yet arrived). */
  missingFrames: number;
  /** Runs of consecutive blocks with missing frames: each is one gap in the output, however long. */
  missingRuns: number;
  /** Peak |sample| since the last `takePeaks()`. */
  peak: number;
}

export class RxDelivery {
  /** Media time of the next frame to deliver (NaN before the first call). */
  position = NaN;
  /** Media time of the first frame handed to the output (frame 0 of a file or FIFO). */
  firstFrame = NaN;
  frames = 0;
  skippedFrames = 0;
  /** Blocks dropped after the first frame because the output was no longer open (it failed). */
  blocksDropped = 0;
  /** Calls that stopped early because the open output had no free buffer (a slow consumer). */
  stalls = 0;
  readonly channels: DeliveryChannelStats[];
  /** Per RX channel: 1 while routed to a flow (set by the receive worker). */
  readonly routed: Uint8Array;
  private readonly scratch: Int32Array[];
  /** Per channel: 1 when the last block had missing frames (a gap continues). */
  private readonly missing: Uint8Array;
  /** One-element output lists per channel ring (rings are single-channel). */
  private readonly outputs: Int32Array[][];
  /** now − delivered end (samples) after each call that handed over everything due: the latency achieved. */
  private latMin = Infinity;
  private latMax = -Infinity;
  private latSum = 0;
  private latCount = 0;

  constructor(
    private readonly readers: readonly MediaRingReader[],
    private readonly latencySamples: number,
    private readonly output: SinkOutput,
  ) {
    this.channels = readers.map(() => ({ missingFrames: 0, missingRuns: 0, peak: 0 }));
    this.routed = new Uint8Array(readers.length);
    this.missing = new Uint8Array(readers.length);
    this.scratch = readers.map(() => new Int32Array(MAX_DELIVERY_FRAMES));
    this.outputs = this.scratch.map((s) => [s]);
  }

  /** Hands over everything up to now − latency. `now` is the media time at the call. */
  run(now: number): number {
    const end = now - this.latencySamples;
    if (Number.isNaN(this.position)) this.position = end;
    const behind = end - this.position;
    if (behind <= 0) return 0;
    if (behind > MAX_CATCH_UP_FRAMES) {
      this.skippedFrames += behind - MAX_CATCH_UP_FRAMES;
      this.position = end - MAX_CATCH_UP_FRAMES;
    }
    // After a stall, catch up block by block: frame k of the output stays at media time first + k.
    // An open output without a free buffer keeps the position: the frames stay in the rings and go
    // out on a later call (dropping them would shift every later frame of a FIFO or file).
    let total = 0;
    while (this.position < end) {
      const n = this.block(Math.min(end - this.position, MAX_DELIVERY_FRAMES));
      if (n === 0) {
        // The consumer's backlog, not the device's latency: measured by `stalls`.
        this.stalls++;
        return total;
      }
      total += n;
    }
    const lat = now - this.position;
    if (lat < this.latMin) this.latMin = lat;
    if (lat > this.latMax) this.latMax = lat;
    this.latSum += lat;
    this.latCount++;
    return total;
  }

  /**
   * For an idle receiver whose output discards what it gets (the null sink, no channel routed):
   * moves to now − latency like run() and counts the frames, without copying audio nobody takes
   * (64 channels at 48 kHz are 3 M samples a second). Each ring still reads its last frame, so its
   * consumed position follows and a flow opened later writes into a ring with a current reader.
   */
  advanceDiscarding(now: number): number {
    const end = now - this.latencySamples;
    if (Number.isNaN(this.position)) this.position = end;
    let behind = end - this.position;
    if (behind <= 0) return 0;
    if (behind > MAX_CATCH_UP_FRAMES) {
      this.skippedFrames += behind - MAX_CATCH_UP_FRAMES;
      behind = MAX_CATCH_UP_FRAMES;
    }
    for (let c = 0; c < this.readers.length; c++) this.readers[c]!.read(end - 1, 1, this.outputs[c]!);
    if (Number.isNaN(this.firstFrame)) this.firstFrame = end - behind;
    for (let left = behind; left > 0; left -= MAX_DELIVERY_FRAMES) {
      const frames = Math.min(left, MAX_DELIVERY_FRAMES);
      const block = this.output.acquire(frames * this.readers.length);
      if (block) this.output.submit(block, frames * this.readers.length);
    }
    this.position = end;
    this.frames += behind;
    return behind;
  }

  private block(frames: number): number {
    const t = this.position;
    const n = this.readers.length;
    const block = this.output.acquire(frames * n);
    if (!block && this.output.state === 'open') return 0;
    for (let c = 0; c < n; c++) {
      const r = this.readers[c]!.read(t, frames, this.outputs[c]!);
      const miss = this.routed[c] ? r.staleFrames + r.pendingFrames : 0;
      const ch = this.channels[c]!;
      if (miss > 0 && !this.missing[c]) ch.missingRuns++;
      this.missing[c] = miss > 0 ? 1 : 0;
      ch.missingFrames += miss;
      const s = this.scratch[c]!;
      let peak = this.channels[c]!.peak;
      for (let i = 0; i < frames; i++) {
        const v = s[i]!;
        const a = v < 0 ? -v : v;
        if (a > peak) peak = a;
      }
      this.channels[c]!.peak = peak;
    }
    if (block) {
      for (let c = 0; c < n; c++) {
        const s = this.scratch[c]!;
        for (let i = 0, o = c; i < frames; i++, o += n) block[o] = s[i]!;
      }
      this.output.submit(block, frames * n);
      if (Number.isNaN(this.firstFrame)) this.firstFrame = t;
    } else if (!Number.isNaN(this.firstFrame)) {
      // Before the first frame there is no output timeline yet (a FIFO not opened by its reader).
      this.blocksDropped++;
    }
    this.position = t + frames;
    this.frames += frames;
    return frames;
  }

  /** Latency achieved (samples) since the last call: min, mean, max of now − delivered end. */
  takeLatency(): { min: number; mean: number; max: number } | undefined {
    if (this.latCount === 0) return undefined;
    const out = { min: this.latMin, mean: this.latSum / this.latCount, max: this.latMax };
    this.latMin = Infinity;
    this.latMax = -Infinity;
    this.latSum = this.latCount = 0;
    return out;
  }

  /** Peak dBFS per channel since the last call (−Infinity for digital silence). */
  takePeaks(): number[] {
    return this.channels.map((ch) => {
      const p = ch.peak;
      ch.peak = 0;
      return p === 0 ? -Infinity : 20 * Math.log10(p / 2147483648);
    });
  }
}

/** Heartbeat 0x8002 level byte (§4.4): round(−40·log10(peak/full scale)) clamped to 0…255. */
export function levelByte(peakDbfs: number): number {
  if (!Number.isFinite(peakDbfs)) return 255;
  return Math.max(0, Math.min(255, Math.round(-2 * peakDbfs)));
}
