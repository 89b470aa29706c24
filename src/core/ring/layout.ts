// Shared-memory layout of the media ring (see media-ring.ts for the design and memory ordering).
//
//   [header: 64 Int32 words]  config | writer block (own cache lines) | reader block (own line)
//   [samples: channels × capacity Int32, channel-major, so a reader copies each channel with one
//    or two memcpy-like `set` calls and a writer de-interleaves a packet with strided stores]
import { loadF64, readBegin, readValidate, SEQLOCK_MAX_ATTEMPTS } from './seqlock.js';

export const RING_MAGIC = 0x52494e47; // "RING"
export const HEADER_WORDS = 64;

// config (written once before the buffer is shared)
export const C_MAGIC = 0;
export const C_CHANNELS = 1;
export const C_CAPACITY = 2;
export const C_HOLE_FIX_WAIT = 3;

// writer block: seqlock-protected, written only by the writer (doubles at even indices)
export const W_SEQ = 16;
export const W_WRITE_POS = 18;
export const W_READABLE = 20;
export const W_VALID_FROM = 22;
export const W_ACK = 24;
export const W_ZERO_FILLED = 26;
export const W_HOLES = 28;
export const W_LATE = 30;
export const W_OVERRUN = 32;
export const W_SKIPPED = 34;

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

export function emptyWriterState(): RingWriterState {
  return {
    writePos: -Infinity,
    readable: -Infinity,
    validFrom: -Infinity,
    ack: 0,
    zeroFilled: 0,
    holes: 0,
    late: 0,
    overrun: 0,
    skipped: 0,
  };
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

/** Consistent copy of the writer block into `out`; false if the writer seems stuck mid-update. */
export function loadWriterState(words: Int32Array, out: RingWriterState): boolean {
  for (let attempt = 0; attempt < SEQLOCK_MAX_ATTEMPTS; attempt++) {
    const seq = readBegin(words, W_SEQ);
    if (seq === -1) continue;
    const writePos = loadF64(words, W_WRITE_POS);
    const readable = loadF64(words, W_READABLE);
    const validFrom = loadF64(words, W_VALID_FROM);
    const ack = loadF64(words, W_ACK);
    const zeroFilled = loadF64(words, W_ZERO_FILLED);
    const holes = loadF64(words, W_HOLES);
    const late = loadF64(words, W_LATE);
    const overrun = loadF64(words, W_OVERRUN);
    const skipped = loadF64(words, W_SKIPPED);
    if (!readValidate(words, W_SEQ, seq)) continue;
    out.writePos = writePos;
    out.readable = readable;
    out.validFrom = validFrom;
    out.ack = ack;
    out.zeroFilled = zeroFilled;
    out.holes = holes;
    out.late = late;
    out.overrun = overrun;
    out.skipped = skipped;
    return true;
  }
  return false;
}
