// Multi-channel audio ring in a SharedArrayBuffer, indexed by media time (PROTOCOL.md §6.4):
// slot = media time mod capacity. One writer, one reader, lock-free.
//
// RX: the receive worker writes packets at their timestamps (+ per-channel shift), in any order;
// the sink/capture thread reads at now − latency. TX: the application writes, the transmit worker
// reads at next timestamp + shift. One ring per set of channels that share timing (an RX flow):
// validity and positions are per frame, across all the ring's channels.
//
// Positions (frames, exact integer media times, see media-time.ts):
//   writePos   highest end written;
//   readable   end of contiguous valid data: advances over committed frames; when writePos runs
//              more than hole_fix_wait ahead, the remaining holes up to writePos − hole_fix_wait are
//              zero-filled (counted in zeroFilled, holes) and readable jumps;
//   consumed   end of what the reader has read (published by the reader).
// Improvements on Inferno: every dropped or invented frame is counted by cause (late, overrun,
// zeroFilled, skipped); the writer never overwrites unread frames, so a reader lagging by more than
// the capacity reads old-but-correct frames and the writer counts the newer ones it had to drop
// (overrun) instead of the reader getting a mix of laps; a write more than a buffer ahead of
// everything pending restarts the stream (skipped) rather than zero-filling a whole buffer.
//
// Memory ordering (same reasoning as ringbuf.js, with media-time windows instead of indices).
// Samples are plain (non-atomic) Int32Array accesses; positions are published through the seqlocks
// of ring/seqlock.ts, whose words are all Atomics (sequentially consistent).
// 1. Writer -> reader. The writer stores samples, then publishes `readable` with Atomics stores.
//    A reader that loads that value with Atomics.load synchronises with the store, so every sample
//    store before it happens-before the reader's later plain loads: the reader sees the data.
// 2. Reader -> writer. The reader copies samples, then publishes `consumed` with Atomics stores.
//    The writer loads `consumed` (Atomics) before each claim, so the reader's plain loads of slots
//    it has finished with happen-before the writer's next plain stores to them.
// 3. Disjointness. The writer stores only to frames in [readable_w, consumed_w + capacity), where
//    consumed_w is its latest (possibly stale, hence smaller: positions only grow) view of the
//    reader. The reader loads only frames in [consumed_r, readable_r) with consumed_r ≥ consumed_w
//    and readable_r ≤ readable_w. Both intervals lie inside [consumed_w, consumed_w + capacity)
//    and do not overlap, so they map to different slots: no sample is ever accessed by both
//    threads without a happens-before edge between them, i.e. there is no data race at all.
// 4. Attach. Before the reader's first read the writer is unbounded (no reader to protect). The
//    reader's first read publishes `consumed`; the writer acknowledges (ack = 1, published with its
//    positions) at the end of the first write that was bounded by it. The reader copies samples
//    only after seeing ack, so every unbounded write happens-before its copies. Reads before that
//    return zeros reported as pending.
//
// Allocation: none per sample or per frame, and positions live in Float64Arrays rather than object
// fields. Measured: 0 bytes per writeFrames/read call while media times are small integers (Smi);
// at realistic media times (~1e14, doubles) V8 boxes the media-time argument and return values of
// calls it does not inline, about 40 bytes per call (per packet, not per sample).
export { MediaRingWriter } from './ring/ring-writer.js';
export { MediaRingReader, type RingReadResult } from './ring/ring-reader.js';
export { DEFAULT_HOLE_FIX_WAIT, DEFAULT_RING_CAPACITY, type MediaRingOptions, type RingWriterState } from './ring/layout.js';
import {
  C_CAPACITY,
  C_CHANNELS,
  C_HOLE_FIX_WAIT,
  C_MAGIC,
  DEFAULT_HOLE_FIX_WAIT,
  DEFAULT_RING_CAPACITY,
  HEADER_WORDS,
  RING_MAGIC,
  R_CONSUMED,
  emptyStateVector,
  ringBytes,
  storeWriterState,
  type MediaRingOptions,
} from './ring/layout.js';
import { storeF64 } from './ring/seqlock.js';

/** Allocate and initialise a ring; pass the buffer to one writer and one reader (any threads). */
export function createMediaRing(opts: MediaRingOptions): SharedArrayBuffer {
  const channels = opts.channels;
  const capacity = opts.capacity ?? DEFAULT_RING_CAPACITY;
  const holeFixWait = opts.holeFixWait ?? DEFAULT_HOLE_FIX_WAIT;
  if (!Number.isInteger(channels) || channels < 1 || channels > 1024) throw new RangeError(`channels ${channels} not in 1..1024`);
  if (!Number.isInteger(capacity) || capacity < 16 || capacity > 2 ** 24 || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`capacity ${capacity} is not a power of two in 16..2^24`);
  }
  if (!Number.isInteger(holeFixWait) || holeFixWait < 0 || holeFixWait >= capacity) {
    throw new RangeError(`holeFixWait ${holeFixWait} not in 0..capacity-1`);
  }
  const buffer = new SharedArrayBuffer(ringBytes(channels, capacity));
  const words = new Int32Array(buffer, 0, HEADER_WORDS);
  storeWriterState(words, emptyStateVector(), new Int32Array(HEADER_WORDS));
  storeF64(words, R_CONSUMED, -Infinity);
  Atomics.store(words, C_CHANNELS, channels);
  Atomics.store(words, C_CAPACITY, capacity);
  Atomics.store(words, C_HOLE_FIX_WAIT, holeFixWait);
  Atomics.store(words, C_MAGIC, RING_MAGIC);
  return buffer;
}
