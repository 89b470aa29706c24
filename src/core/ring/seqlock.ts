// A sequence lock over a block of Int32 words in a SharedArrayBuffer: one writer thread publishes
// a record of several fields, any number of reader threads take consistent snapshots without
// locks or messages. Used by the clock overlay and by the media ring's position blocks.
//
// Memory ordering. Every access to a protected word, the sequence word included, is an Atomics
// operation, and ECMAScript Atomics are sequentially consistent: all of them fall in one total
// order that respects each thread's program order. The writer does
//     seq += 1 (odd);  store the words that change;  seq += 1 (even)
// and a reader does
//     s1 = load seq;  load fields;  s2 = load seq;  accept iff s1 is even and s2 == s1.
// Suppose a reader accepts, and let P be the update whose final increment produced s1. No update
// begins between s1 and s2: its odd increment would lie between them in the total order and s2
// would differ (the word only wraps after 2^32 increments, impossible between two loads of one
// reader). So each word load, which lies between s1 and s2, returns the last store to that word
// before s1: the store made by P or, if P did not touch the word, by the last update before P that
// did. That is exactly the record as P left it: the snapshot is never torn.
// Why not plain loads for the fields, as in a C seqlock with fences? JS has no fences, and an
// unordered load may be satisfied after a later Atomics.load on weakly ordered CPUs (Arm), so
// the fields must be atomic too. Loads are cheap (a plain mov on x86, ldar on Arm).
//
// Doubles travel as two Int32 words through a thread-local scratch buffer (Atomics do not work on
// Float64Array); integers up to 2^53 (media times, ns splits, counters) go the same way, so no
// BigInt is created on any read.

const scratchF64 = new Float64Array(1);
const scratchI32 = new Int32Array(scratchF64.buffer);

/** Store a double in words[index], words[index + 1] (two atomic stores: call inside a write). */
export function storeF64(words: Int32Array, index: number, value: number): void {
  scratchF64[0] = value;
  Atomics.store(words, index, scratchI32[0]!);
  Atomics.store(words, index + 1, scratchI32[1]!);
}

/**
 * Store a double like storeF64 but skip words that `shadow` (the writer's private mirror of the
 * shared words) says already hold the value: a position advancing by one packet changes only its
 * low word, so a publication costs two or three atomic stores instead of one per word.
 */
export function storeF64Changed(words: Int32Array, shadow: Int32Array, index: number, value: number): void {
  scratchF64[0] = value;
  const lo = scratchI32[0]!;
  const hi = scratchI32[1]!;
  if (shadow[index] !== lo) {
    shadow[index] = lo;
    Atomics.store(words, index, lo);
  }
  if (shadow[index + 1] !== hi) {
    shadow[index + 1] = hi;
    Atomics.store(words, index + 1, hi);
  }
}

/** Load a double from words[index], words[index + 1]; consistent only inside a validated read. */
export function loadF64(words: Int32Array, index: number): number {
  scratchI32[0] = Atomics.load(words, index);
  scratchI32[1] = Atomics.load(words, index + 1);
  return scratchF64[0]!;
}

/** Writer: mark the record as being modified (sequence becomes odd). */
export function beginWrite(words: Int32Array, seqIndex: number): void {
  Atomics.add(words, seqIndex, 1);
}

/** Writer: publish the record (sequence becomes even again). */
export function endWrite(words: Int32Array, seqIndex: number): void {
  Atomics.add(words, seqIndex, 1);
}

/** Reader: start a snapshot. Returns the sequence, or -1 if a write is in progress (retry). */
export function readBegin(words: Int32Array, seqIndex: number): number {
  const s = Atomics.load(words, seqIndex);
  return (s & 1) === 0 ? s : -1;
}

/** Reader: true if no write happened since `readBegin` returned `seq`. */
export function readValidate(words: Int32Array, seqIndex: number, seq: number): boolean {
  return seq !== -1 && Atomics.load(words, seqIndex) === seq;
}

/** Current sequence value (even when idle); readers compare it to skip re-reading an unchanged record. */
export function sequence(words: Int32Array, seqIndex: number): number {
  return Atomics.load(words, seqIndex);
}

/**
 * Bound on read attempts before a reader gives up and keeps its previous snapshot: a writer's
 * critical section is a few stores, so failing this often means the writer thread was descheduled
 * mid-update (common on a loaded machine) or died; spinning longer would only burn the CPU it needs.
 */
export const SEQLOCK_MAX_ATTEMPTS = 128;
