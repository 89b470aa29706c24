// Exact PTP time arithmetic. Wire timestamps are (seconds up to 48 bits, nanoseconds); times since
// the epoch exceed 2^53 ns, so absolute times are bigint nanoseconds and only small differences
// (offsets, delays) become plain numbers.
import { DecodeError } from '../errors.js';

/** A timestamp as carried on the wire. v1 allows a negative `nanoseconds` (sign of the whole time). */
export interface PtpTimestamp {
  seconds: bigint;
  nanoseconds: number;
}

export const NS_PER_S = 1_000_000_000n;
const MAX_SECONDS_48 = (1n << 48n) - 1n;

export function timestampToNs(ts: PtpTimestamp): bigint {
  if (ts.nanoseconds < 0) return -(ts.seconds * NS_PER_S + BigInt(-ts.nanoseconds));
  return ts.seconds * NS_PER_S + BigInt(ts.nanoseconds);
}

/** Splits non-negative ns into a wire timestamp; negative times are clamped to 0 (never sent). */
export function nsToTimestamp(ns: bigint): PtpTimestamp {
  if (ns < 0n) ns = 0n;
  let seconds = ns / NS_PER_S;
  if (seconds > MAX_SECONDS_48) seconds = MAX_SECONDS_48;
  return { seconds, nanoseconds: Number(ns % NS_PER_S) };
}

export function checkNanoseconds(ns: number, what: string): void {
  if (!(Math.abs(ns) < 1_000_000_000)) throw new DecodeError('bad-timestamp', `${what} nanoseconds ${ns}`);
}

/** Exact difference a − b as a number of ns (precise while |a − b| < 2^53 ns, about 104 days). */
export function diffNs(a: bigint, b: bigint): number {
  return Number(a - b);
}

/** 2^log2 seconds in ns, for message intervals (log2 in −7…+6 on the wire). */
export function intervalNs(log2: number): bigint {
  const l = Math.max(-10, Math.min(10, Math.trunc(log2)));
  return l >= 0 ? NS_PER_S << BigInt(l) : NS_PER_S >> BigInt(-l);
}

export function bigMin(...xs: bigint[]): bigint {
  return xs.reduce((a, b) => (b < a ? b : a));
}
