// Media-clock arithmetic: nanoseconds <-> samples, wire timestamps (PROTOCOL.md §6.1) and the
// transmit schedule (§6.3).
//
// Precision. Absolute clock readings (~1.8e18 ns since the epoch) exceed 2^53, so absolute times
// travel as split (seconds, nanoseconds) pairs of plain numbers, the form clock_gettime and
// process.hrtime give. Every product below stays under 2^53:
//   seconds × rate        < 2^53 while seconds < 2^53 / 192000 ≈ 4.69e10 (year ~3400 for TAI),
//   nanoseconds × rate    < 1e9 × 192000 = 1.92e14,
//   subsamples × 1e9      < 192000 × 1e9 = 1.92e14.
// Media time in samples is therefore an exact JS integer: at 192 kHz in 2025 it is ~3.4e14,
// and it stays exact up to MAX_EXACT_MEDIA_TIME (2^53, about 1484 years of samples at 192 kHz).
// Floor of an exact quotient a / 1e9 with a < 2^53 is exact too: when a / 1e9 is not an
// integer it is at least 1e-9 below the next integer, far more than one ulp at these sizes.
// BigInt appears only on slow paths (config, tests) and never per packet or per clock read.
import { ConfigError } from './errors.js';

export const NS_PER_SECOND = 1_000_000_000;
export const SUPPORTED_SAMPLE_RATES = [44100, 48000, 88200, 96000, 176400, 192000] as const;
export type SampleRate = (typeof SUPPORTED_SAMPLE_RATES)[number];
/** Largest media time (samples) that a JS number holds exactly. */
export const MAX_EXACT_MEDIA_TIME = Number.MAX_SAFE_INTEGER;
const TWO_32 = 4294967296;

export function isSampleRate(v: unknown): v is SampleRate {
  return (SUPPORTED_SAMPLE_RATES as readonly unknown[]).includes(v);
}

export function checkSampleRate(v: unknown, setting = 'sample_rate'): SampleRate {
  if (!isSampleRate(v)) throw new ConfigError(setting, v, SUPPORTED_SAMPLE_RATES.join(', '));
  return v;
}

/** A clock reading or an absolute time split so both parts are exact; nsec is in [0, 1e9). */
export interface SplitNs {
  sec: number;
  nsec: number;
}

/** Normalise (sec, nsec) with any integer nsec (|nsec| < 2^53) into `out`. Returns `out`. */
export function normaliseSplit(sec: number, nsec: number, out: SplitNs): SplitNs {
  // Near 2^53 the rounded quotient can land on the next integer (its ulp exceeds 1e-9), so the
  // remainder, which is exact, corrects the carry by one.
  let carry = Math.floor(nsec / NS_PER_SECOND);
  let rem = nsec - carry * NS_PER_SECOND;
  if (rem < 0) {
    carry -= 1;
    rem += NS_PER_SECOND;
  } else if (rem >= NS_PER_SECOND) {
    carry += 1;
    rem -= NS_PER_SECOND;
  }
  out.sec = sec + carry;
  out.nsec = rem;
  return out;
}

/** Slow path: a bigint nanosecond count (e.g. an i64 from a usrvclock frame) as a split pair. */
export function splitFromBigInt(ns: bigint, out: SplitNs = { sec: 0, nsec: 0 }): SplitNs {
  const b = BigInt(NS_PER_SECOND);
  let sec = ns / b;
  let nsec = ns % b;
  if (nsec < 0n) {
    nsec += b;
    sec -= 1n;
  }
  out.sec = Number(sec);
  out.nsec = Number(nsec);
  return out;
}

export function bigIntFromSplit(sec: number, nsec: number): bigint {
  return BigInt(sec) * BigInt(NS_PER_SECOND) + BigInt(nsec);
}

/** Media time (samples) of the absolute time sec + nsec: floor(ns × rate / 1e9), exact. */
export function mediaTimeFromSplit(sec: number, nsec: number, rate: number): number {
  return sec * rate + Math.floor((nsec * rate) / NS_PER_SECOND);
}

/** floor(ns × rate / 1e9) for an integer interval or time |ns| ≤ 2^53, exact. */
export function samplesFromNs(ns: number, rate: number): number {
  const s = normaliseSplit(0, ns, scratchSplit);
  return mediaTimeFromSplit(s.sec, s.nsec, rate);
}
const scratchSplit: SplitNs = { sec: 0, nsec: 0 };

/**
 * First nanosecond (as a split pair) at which the media time reaches `t`: ceil(t × 1e9 / rate).
 * `mediaTimeFromSplit` of the result is exactly t, and one nanosecond earlier is t − 1.
 */
export function splitFromMediaTime(t: number, rate: number, out: SplitNs): SplitNs {
  const sec = Math.floor(t / rate);
  const sub = t - sec * rate;
  return normaliseSplit(sec, Math.ceil((sub * NS_PER_SECOND) / rate), out);
}

/** ceil(samples × 1e9 / rate) for an integer sample count or time, exact while the result < 2^53. */
export function nsFromSamples(samples: number, rate: number): number {
  const sec = Math.floor(samples / rate);
  const sub = samples - sec * rate;
  return sec * NS_PER_SECOND + Math.ceil((sub * NS_PER_SECOND) / rate);
}

/** Slow-path reference: floor(ns × rate / 1e9) with bigint arithmetic. */
export function mediaTimeFromBigInt(ns: bigint, rate: number): number {
  const num = ns * BigInt(rate);
  const den = BigInt(NS_PER_SECOND);
  let q = num / den;
  if (num % den !== 0n && num < 0n) q -= 1n;
  return Number(q);
}

/**
 * Underlying-clock nanoseconds to wait until the overlay advances by `overlayNs`: the overlay runs
 * at (1 + freqScale) times the underlying clock (§7.1), so the interval shrinks when it runs fast.
 * Rounded up so a sleeper never wakes before its media time.
 */
export function underlyingNsForOverlayNs(overlayNs: number, freqScale: number): number {
  return Math.ceil(overlayNs / (1 + freqScale));
}

// ---- wire timestamps (§6.1) ----

/** Wire header timestamp of a media time: u32 seconds (mod 2^32) and subsamples within it. */
export interface WireTimestamp {
  seconds: number;
  subsamples: number;
}

export function wireFromMediaTime(t: number, rate: number, out: WireTimestamp): WireTimestamp {
  const sec = Math.floor(t / rate);
  out.subsamples = t - sec * rate;
  out.seconds = sec >>> 0; // mod 2^32, also correct for negative sec (two's complement)
  return out;
}

/**
 * Full media time of a wire timestamp, choosing among the candidates that differ by
 * rate × 2^32 the one nearest `nowMediaTime` (the seconds field wraps every 2^32 s).
 */
export function mediaTimeFromWire(seconds: number, subsamples: number, rate: number, nowMediaTime: number): number {
  const nowSec = Math.floor(nowMediaTime / rate);
  // Signed 32-bit distance in seconds from now to the packet: nearest candidate.
  const delta = ((seconds >>> 0) - (nowSec >>> 0)) | 0;
  let t = (nowSec + delta) * rate + subsamples;
  // Break the remaining sub-second ambiguity at the half-way point towards the nearer candidate.
  const period = rate * TWO_32;
  if (t - nowMediaTime > period / 2) t -= period;
  else if (nowMediaTime - t > period / 2) t += period;
  return t;
}

// ---- transmit schedule (§6.3) ----

/** First multiple of `fpp` strictly after `now` (media time): a new flow's first packet timestamp. */
export function nextAlignedTimestamp(now: number, fpp: number): number {
  return (Math.floor(now / fpp) + 1) * fpp;
}

/**
 * Samples in a duration, truncated toward zero (v0.5 moves the 0.5 ms early-guard into the packet
 * header: −24 samples at 48 kHz, −22 at 44.1 kHz, §6.3). Exact for any |durationNs| ≤ 2^53.
 */
export function samplesInDurationNs(durationNs: number, rate: number): number {
  return durationNs < 0 ? -samplesFromNs(-durationNs, rate) : samplesFromNs(durationNs, rate);
}
