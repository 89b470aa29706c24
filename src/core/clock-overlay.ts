// The published media clock (PROTOCOL.md §7.1): the clock worker keeps an overlay over a Linux
// clock (overlay ns = u + shift + (u − last_sync) × freq_scale) and publishes its parameters in a
// SharedArrayBuffer; every worker turns its own reading of the underlying clock into overlay time
// and media time (samples) without messages. Consistency comes from the seqlock in
// ring/seqlock.ts (one writer, readers retry while a write is in progress).
//
// Arithmetic is split (seconds, nanoseconds) with plain numbers (see media-time.ts): u + shift is
// exact; the correction (u − last_sync) × freq_scale is computed in double and truncated toward
// zero, like Inferno's `as i64`. The elapsed interval is exact below 2^53 ns (104 days since the
// last sync); beyond that its rounding is at most 2^-53 relative, i.e. far below 1 ns once scaled
// by any realistic freq_scale.
import {
  NS_PER_SECOND,
  mediaTimeFromSplit,
  normaliseSplit,
  splitFromBigInt,
  splitFromMediaTime,
  underlyingNsForOverlayNs,
  type SampleRate,
  type SplitNs,
} from './media-time.js';
import {
  SEQLOCK_MAX_ATTEMPTS,
  beginWrite,
  endWrite,
  loadF64,
  readBegin,
  readValidate,
  sequence,
  storeF64,
} from './ring/seqlock.js';

/** What the clock worker currently knows; readers must not produce audio timing in `None`. */
export enum ClockState {
  None = 0,
  FreeRunning = 1,
  Locked = 2,
  Holdover = 3,
}

/** Linux clock ids seen in overlays (§7.1). */
export const CLOCK_MONOTONIC = 1;
export const CLOCK_MONOTONIC_RAW = 4;
export const CLOCK_TAI = 11;

// Int32 word layout of the shared record. Doubles take two words (even index).
const SEQ = 0;
const MAGIC = 1;
const CLOCK_ID = 2;
const STATE = 3;
const SAMPLE_RATE = 4;
const STEP_GENERATION = 5;
const LEADER_HI = 6;
const LEADER_LO = 7;
const LAST_SYNC_SEC = 8;
const LAST_SYNC_NSEC = 10;
const SHIFT_SEC = 12;
const SHIFT_NSEC = 14;
const FREQ_SCALE = 16;
const UPDATE_COUNT = 18;
const WORDS = 20;
/** Marks an initialised overlay buffer ("OVL1"). */
const OVERLAY_MAGIC = 0x4f564c31;

export const CLOCK_OVERLAY_BYTES = WORDS * 4;

/** A consistent copy of the published record. */
export interface ClockOverlaySnapshot {
  clockId: number;
  state: ClockState;
  sampleRate: number;
  /** Incremented on every clock step: audio workers re-align their rings when it changes. */
  stepGeneration: number;
  /** Leader (grandmaster) clock identity, 8 bytes as two big-endian u32 halves. */
  leaderHi: number;
  leaderLo: number;
  lastSyncSec: number;
  lastSyncNsec: number;
  shiftSec: number;
  shiftNsec: number;
  freqScale: number;
  /** Number of publications so far. */
  updateCount: number;
}

export interface ClockOverlayParams {
  clockId: number;
  state: ClockState;
  sampleRate: SampleRate;
  /** Underlying-clock reading (ns) at the last adjustment, as an i64 or split. */
  lastSync: bigint | SplitNs;
  /** Overlay minus underlying clock at last_sync (ns). */
  shift: bigint | SplitNs;
  /** Fractional frequency offset of the overlay: +1e-6 = 1 ppm fast. */
  freqScale: number;
  /** 8-byte leader clock identity; all zeros when there is none. */
  leaderId?: Uint8Array;
}

function emptySnapshot(): ClockOverlaySnapshot {
  return {
    clockId: 0,
    state: ClockState.None,
    sampleRate: 0,
    stepGeneration: 0,
    leaderHi: 0,
    leaderLo: 0,
    lastSyncSec: 0,
    lastSyncNsec: 0,
    shiftSec: 0,
    shiftNsec: 0,
    freqScale: 0,
    updateCount: 0,
  };
}

export function createClockOverlayBuffer(): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(CLOCK_OVERLAY_BYTES);
  Atomics.store(new Int32Array(sab), MAGIC, OVERLAY_MAGIC);
  return sab;
}

function wordsOf(sab: SharedArrayBuffer): Int32Array {
  if (sab.byteLength < CLOCK_OVERLAY_BYTES) throw new RangeError('clock overlay buffer too small');
  const words = new Int32Array(sab, 0, WORDS);
  if (Atomics.load(words, MAGIC) !== OVERLAY_MAGIC) throw new RangeError('not a clock overlay buffer');
  return words;
}

/** The single writer: the clock worker. */
export class ClockOverlayWriter {
  private readonly words: Int32Array;
  private readonly split: SplitNs = { sec: 0, nsec: 0 };
  private stepGeneration = 0;
  private updateCount = 0;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = wordsOf(buffer);
    this.stepGeneration = Atomics.load(this.words, STEP_GENERATION);
    this.updateCount = loadF64(this.words, UPDATE_COUNT);
  }

  /** Publish a complete overlay. `stepped` marks a clock step (phase jump), bumping the generation. */
  publish(p: ClockOverlayParams, stepped = false): void {
    if (stepped) this.stepGeneration = (this.stepGeneration + 1) | 0;
    this.updateCount += 1;
    const w = this.words;
    let hi = 0;
    let lo = 0;
    if (p.leaderId) {
      if (p.leaderId.length !== 8) throw new RangeError('leader id must be 8 bytes');
      const dv = new DataView(p.leaderId.buffer, p.leaderId.byteOffset, 8);
      hi = dv.getInt32(0);
      lo = dv.getInt32(4);
    }
    beginWrite(w, SEQ);
    Atomics.store(w, CLOCK_ID, p.clockId);
    Atomics.store(w, STATE, p.state);
    Atomics.store(w, SAMPLE_RATE, p.sampleRate);
    Atomics.store(w, STEP_GENERATION, this.stepGeneration);
    Atomics.store(w, LEADER_HI, hi);
    Atomics.store(w, LEADER_LO, lo);
    const ls = typeof p.lastSync === 'bigint' ? splitFromBigInt(p.lastSync, this.split) : p.lastSync;
    storeF64(w, LAST_SYNC_SEC, ls.sec);
    storeF64(w, LAST_SYNC_NSEC, ls.nsec);
    const sh = typeof p.shift === 'bigint' ? splitFromBigInt(p.shift, this.split) : normaliseSplit(p.shift.sec, p.shift.nsec, this.split);
    storeF64(w, SHIFT_SEC, sh.sec);
    storeF64(w, SHIFT_NSEC, sh.nsec);
    storeF64(w, FREQ_SCALE, p.freqScale);
    storeF64(w, UPDATE_COUNT, this.updateCount);
    endWrite(w, SEQ);
  }
}

/** Any thread: reads the overlay and converts underlying-clock readings. Allocation-free per call. */
export class ClockOverlayReader {
  private readonly words: Int32Array;
  /** The last consistent snapshot; refreshed by every conversion. */
  readonly snapshot: ClockOverlaySnapshot = emptySnapshot();
  private seenSeq = -1;
  private readonly tmp: SplitNs = { sec: 0, nsec: 0 };
  private readonly target: SplitNs = { sec: 0, nsec: 0 };

  constructor(buffer: SharedArrayBuffer) {
    this.words = wordsOf(buffer);
  }

  /**
   * Bring `snapshot` up to date. Costs one atomic load when nothing changed. Returns false only
   * if no consistent read succeeded (writer stuck mid-update); the previous snapshot then stays.
   */
  refresh(): boolean {
    const w = this.words;
    if (sequence(w, SEQ) === this.seenSeq) return true;
    const s = this.snapshot;
    for (let attempt = 0; attempt < SEQLOCK_MAX_ATTEMPTS; attempt++) {
      const seq = readBegin(w, SEQ);
      if (seq === -1) continue;
      const clockId = Atomics.load(w, CLOCK_ID);
      const state = Atomics.load(w, STATE);
      const sampleRate = Atomics.load(w, SAMPLE_RATE);
      const stepGeneration = Atomics.load(w, STEP_GENERATION);
      const leaderHi = Atomics.load(w, LEADER_HI);
      const leaderLo = Atomics.load(w, LEADER_LO);
      const lastSyncSec = loadF64(w, LAST_SYNC_SEC);
      const lastSyncNsec = loadF64(w, LAST_SYNC_NSEC);
      const shiftSec = loadF64(w, SHIFT_SEC);
      const shiftNsec = loadF64(w, SHIFT_NSEC);
      const freqScale = loadF64(w, FREQ_SCALE);
      const updateCount = loadF64(w, UPDATE_COUNT);
      if (!readValidate(w, SEQ, seq)) continue;
      s.clockId = clockId;
      s.state = state as ClockState;
      s.sampleRate = sampleRate;
      s.stepGeneration = stepGeneration;
      s.leaderHi = leaderHi >>> 0;
      s.leaderLo = leaderLo >>> 0;
      s.lastSyncSec = lastSyncSec;
      s.lastSyncNsec = lastSyncNsec;
      s.shiftSec = shiftSec;
      s.shiftNsec = shiftNsec;
      s.freqScale = freqScale;
      s.updateCount = updateCount;
      this.seenSeq = seq;
      return true;
    }
    return false;
  }

  /** True when the overlay can time audio (a clock is published and not `None`). */
  ready(): boolean {
    this.refresh();
    return this.snapshot.state !== ClockState.None && this.snapshot.sampleRate > 0;
  }

  /** Overlay time for the underlying-clock reading (uSec, uNsec), written to `out`. */
  overlayNs(uSec: number, uNsec: number, out: SplitNs): SplitNs {
    this.refresh();
    return this.overlayFromSnapshot(uSec, uNsec, out);
  }

  private overlayFromSnapshot(uSec: number, uNsec: number, out: SplitNs): SplitNs {
    const s = this.snapshot;
    const elapsed = (uSec - s.lastSyncSec) * NS_PER_SECOND + (uNsec - s.lastSyncNsec);
    const correction = Math.trunc(elapsed * s.freqScale);
    return normaliseSplit(uSec + s.shiftSec, uNsec + s.shiftNsec + correction, out);
  }

  /** Media time (samples) now, or NaN when no clock is published. */
  mediaTime(uSec: number, uNsec: number): number {
    if (!this.ready()) return NaN;
    const o = this.overlayFromSnapshot(uSec, uNsec, this.tmp);
    return mediaTimeFromSplit(o.sec, o.nsec, this.snapshot.sampleRate);
  }

  /**
   * Underlying-clock nanoseconds from the reading (uSec, uNsec) until media time `t` begins
   * (≤ 0 if it has); NaN without a clock. A sleeper adds this to its reading of the underlying clock.
   */
  underlyingNsUntil(t: number, uSec: number, uNsec: number): number {
    if (!this.ready()) return NaN;
    const target = splitFromMediaTime(t, this.snapshot.sampleRate, this.target);
    const now = this.overlayFromSnapshot(uSec, uNsec, this.tmp);
    const remaining = (target.sec - now.sec) * NS_PER_SECOND + (target.nsec - now.nsec);
    return underlyingNsForOverlayNs(remaining, this.snapshot.freqScale);
  }

  /** Leader clock identity (8 bytes). Allocates: for control-path use. */
  leaderId(): Uint8Array {
    this.refresh();
    const out = new Uint8Array(8);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, this.snapshot.leaderHi);
    dv.setUint32(4, this.snapshot.leaderLo);
    return out;
  }
}
