// Shared-memory layout of the media ring (see media-ring.ts for the design and memory ordering).
//
//   [header: 64 Int32 words]  config | writer block (own cache lines) | reader block (own line)
//   [samples: channels × capacity Int32, channel-major, so a reader copies each channel with one
//    or two memcpy-like `set` calls and a writer de-interleaves a packet with strided stores]
import { beginWrite, endWrite, loadF64, readBegin, readValidate, SEQLOCK_MAX_ATTEMPTS, storeF64Changed } from './seqlock.js';

export const RING_MAGIC = 0x52494e47; // "RING"
export const HEADER_WORDS = 64;

// config (written once before the buffer is shared)
export const C_MAGIC = 0;
export const C_CHANNELS = 1;
export const C_CAPACITY = 2;
export const C_HOLE_FIX_WAIT = 3;

// writer block: seqlock-protected, written only by the writer (doubles at even indices)
export const W_SEQ = 16;
export const W_STATE = 18; // STATE_FIELDS doubles, 18..35

// reader block: seqlock-protected, written only by the reader
export const R_SEQ = 48;
export const R_CONSUMED = 50;

export const DEFAULT_HOLE_FIX_WAIT = 4800; // PROTOCOL.md §6.4
export const DEFAULT_RING_CAPACITY = 65536; // 1.36 s at 48 kHz, 0.34 s at 192 kHz

export interface MediaRingOptions {
  channels: number;
  /** Frames per channel; a power of two. */
  capacity?: number;
  /** Frames a hole may stay open behind the write position before it is zero-filled. */
  holeFixWait?: number;
}

export interface RingGeometry {
  words: Int32Array;
  samples: Int32Array;
  channels: number;
  capacity: number;
  mask: number;
  holeFixWait: number;
}

/** Writer-published positions and counters (all in frames; media times are exact integers). */
export interface RingWriterState {
  /** Highest end written (exclusive); -Infinity before the first write. */
  writePos: number;
  /** End of contiguous readable data (exclusive). */
  readable: number;
  /** Oldest media time whose frame is still held. */
  validFrom: number;
  /** 1 once the writer has seen the reader attach: only then may the reader copy samples. */
  ack: number;
  /** Frames zero-filled because they stayed missing longer than hole_fix_wait (× channels = samples). */
  zeroFilled: number;
  /** Runs of zero-filled frames (each a lost stretch). */
  holes: number;
  /** Frames dropped on arrival: older than the readable position or already consumed (late or duplicate). */
  late: number;
  /** Frames dropped because the reader lagged by more than the capacity. */
  overrun: number;
  /** Frames the readable position jumped over without storing them (stream restart, reader skipped ahead). */
  skipped: number;
}

// Writer state kept in a Float64Array (hot paths read and write these per packet; object fields
// holding non-Smi numbers would box a HeapNumber on many stores). Index k is published at
// W_STATE + 2k in the shared words.
export const S_WRITE_POS = 0;
export const S_READABLE = 1;
export const S_VALID_FROM = 2;
export const S_ACK = 3;
export const S_ZERO_FILLED = 4;
export const S_HOLES = 5;
export const S_LATE = 6;
export const S_OVERRUN = 7;
export const S_SKIPPED = 8;
export const STATE_FIELDS = 9;
const STATE_NAMES = ['writePos', 'readable', 'validFrom', 'ack', 'zeroFilled', 'holes', 'late', 'overrun', 'skipped'] as const;

export function emptyStateVector(): Float64Array {
  const v = new Float64Array(STATE_FIELDS);
  v[S_WRITE_POS] = v[S_READABLE] = v[S_VALID_FROM] = -Infinity;
  return v;
}

/** Object view of a state vector (allocates: for tests, stats and control paths). */
export function stateObject(v: Float64Array): RingWriterState {
  const o = {} as Record<(typeof STATE_NAMES)[number], number>;
  STATE_NAMES.forEach((name, k) => (o[name] = v[k]!));
  return o;
}

export function ringBytes(channels: number, capacity: number): number {
  return HEADER_WORDS * 4 + channels * capacity * 4;
}

export function geometryOf(buffer: SharedArrayBuffer): RingGeometry {
  const words = new Int32Array(buffer, 0, HEADER_WORDS);
  if (Atomics.load(words, C_MAGIC) !== RING_MAGIC) throw new RangeError('not a media ring buffer');
  const channels = Atomics.load(words, C_CHANNELS);
  const capacity = Atomics.load(words, C_CAPACITY);
  const samples = new Int32Array(buffer, HEADER_WORDS * 4, channels * capacity);
  return { words, samples, channels, capacity, mask: capacity - 1, holeFixWait: Atomics.load(words, C_HOLE_FIX_WAIT) };
}

/**
 * Consistent copy of the writer block into `out`. Returns the sequence it is valid for, or -1
 * (and `out` untouched) if the writer stayed mid-update.
 */
export function loadWriterState(words: Int32Array, out: Float64Array, scratch: Float64Array): number {
  for (let attempt = 0; attempt < SEQLOCK_MAX_ATTEMPTS; attempt++) {
    const seq = readBegin(words, W_SEQ);
    if (seq === -1) continue;
    for (let k = 0; k < STATE_FIELDS; k++) scratch[k] = loadF64(words, W_STATE + 2 * k);
    if (!readValidate(words, W_SEQ, seq)) continue;
    for (let k = 0; k < STATE_FIELDS; k++) out[k] = scratch[k]!;
    return seq;
  }
  return -1;
}

/** Publish a writer state vector (writer only); `shadow` mirrors the shared words it last stored. */
export function storeWriterState(words: Int32Array, v: Float64Array, shadow: Int32Array): void {
  beginWrite(words, W_SEQ);
  for (let k = 0; k < STATE_FIELDS; k++) storeF64Changed(words, shadow, W_STATE + 2 * k, v[k]!);
  endWrite(words, W_SEQ);
}
