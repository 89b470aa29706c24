// Follows the test pattern (src/core/pattern.ts) through a path that resamples it at a drifting
// ratio (a device's ALSA sink into an audio server on its own clock): for every window of the
// capture, the media time it stands for (fractional), and how well it matches the pattern
// band-limited and shifted to that time (correlation, level). A dropout, a wrong channel or a wrong
// level shows up as a bad window; the drift shows up as the slope of media time against capture
// frames.
import { designSincTable, RESAMPLER_DESIGNS } from '../../dist/core/drift/index.js';
import { patternSample } from '../../dist/core/pattern.js';

export interface PatternWindow {
  /** Capture frame at the window's centre. */
  at: number;
  /** Media time of that frame (fractional), relative to PatternTrack.base. */
  mediaTime: number;
  /** Per channel: normalised correlation with the band-limited pattern, and level difference (dB). */
  corr: number[];
  levelDb: number[];
}

export interface PatternTrack {
  windows: PatternWindow[];
  /** Capture frame where tracking started (the first window's start). */
  start: number;
  /** Media time the windows' mediaTime is counted from (kept small so fractions stay exact). */
  base: number;
  /** Coarse search: media time found for frame `start`, and its normalised correlation (raw pattern). */
  coarse: { mediaTime: number; corr: number };
}

const FULL = 2 ** 31;

/** The device's resampler filter, to band-limit the reference the same way. */
interface Band { table: Float64Array; taps: number; phases: number }
function bandOf(quality: 'high' | 'medium'): Band {
  const d = RESAMPLER_DESIGNS[quality];
  return { table: designSincTable(d), taps: d.taps, phases: d.phases };
}

/** Pattern of `txChannel` as float for media times [from, from + n). */
function patternRange(txChannel: number, from: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = patternSample(txChannel, from + i, 24) / FULL;
  return out;
}

/** The pattern at fractional index u of p (band-limited like the device's resampler). */
function interp(band: Band, p: Float64Array, u: number): number {
  const { table, taps, phases } = band;
  const n = Math.floor(u);
  const row = Math.min(phases, Math.round((u - n) * phases)) * taps;
  let s = 0;
  const base = n - (taps / 2 - 1);
  for (let j = 0; j < taps; j++) s += p[base + j]! * table[row + j]!;
  return s;
}

function corrAt(band: Band, x: Float64Array, from: number, n: number, p: Float64Array, d0: number, slope: number): { corr: number; levelDb: number } {
  let xy = 0, xx = 0, yy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[from + i]!;
    const b = interp(band, p, d0 + i * slope);
    xy += a * b; xx += a * a; yy += b * b;
  }
  return { corr: xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0, levelDb: 10 * Math.log10(xx / yy) };
}

function channelOf(s: Int32Array, channels: number, c: number): Float64Array {
  const n = Math.floor(s.length / channels);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = s[i * channels + c]! / FULL;
  return out;
}

/**
 * Tracks `txChannels[c]` in capture channel c. `start` is a capture frame where the pattern is
 * already playing, `searchFrom..searchTo` the media times it may stand for (coarse search on the
 * first capture channel).
 */
export function trackPattern(capture: Int32Array, channels: number, txChannels: number[], start: number, searchFrom: number, searchTo: number, windowFrames = 2048, quality: 'high' | 'medium' = 'high'): PatternTrack {
  const band = bandOf(quality);
  const x = txChannels.map((_, c) => channelOf(capture, channels, c));
  const frames = x[0]!.length;
  // Coarse: integer media time of capture frame `start`, by raw correlation over 256 frames.
  const probe = 256;
  const span = searchTo - searchFrom + probe;
  const p0 = patternRange(txChannels[0]!, searchFrom, span);
  let best = { t: searchFrom, c: -1 };
  let xx = 0;
  for (let i = 0; i < probe; i++) xx += x[0]![start + i]! ** 2;
  for (let k = 0; k + probe <= span; k++) {
    let xy = 0;
    let yy = 0;
    for (let i = 0; i < probe; i++) {
      xy += x[0]![start + i]! * p0[k + i]!;
      yy += p0[k + i]! ** 2;
    }
    const c = xy / Math.sqrt(xx * yy);
    if (c > best.c) best = { t: searchFrom + k, c };
  }
  // Pattern arrays for the whole capture from there (drift is at most 0.1 %, so 1 % margin).
  const pFrom = best.t - 4096;
  // Dropped stretches (a backlog left out, packets lost) make media time jump ahead: 20 s of room.
  const pLen = Math.ceil((frames - start) * 1.01) + 20 * 48000;
  const pats = txChannels.map((ch) => patternRange(ch, pFrom, pLen));
  const windows: PatternWindow[] = [];
  const g = (Math.sqrt(5) - 1) / 2;
  const sub = 512;
  // Media time (index into pats) of capture frame `from`, near the guess `d`, with `slope` over `n` frames.
  const locate = (from: number, n: number, d: number, slope: number): number => {
    const score = (d0: number) => corrAt(band, x[0]!, from, n, pats[0]!, d0, slope).corr;
    let bd = Math.round(d);
    let bs = -2;
    for (let k = -3; k <= 3; k++) {
      const sc = score(Math.round(d) + k);
      if (sc > bs) { bs = sc; bd = Math.round(d) + k; }
    }
    let lo = bd - 0.6;
    let hi = bd + 0.6;
    let m1 = hi - g * (hi - lo);
    let m2 = lo + g * (hi - lo);
    let s1 = score(m1);
    let s2 = score(m2);
    for (let it = 0; it < 14; it++) {
      if (s1 > s2) { hi = m2; m2 = m1; s2 = s1; m1 = hi - g * (hi - lo); s1 = score(m1); }
      else { lo = m1; m1 = m2; s1 = s2; m2 = lo + g * (hi - lo); s2 = score(m2); }
    }
    return (lo + hi) / 2;
  };
  let d = best.t - pFrom; // media time of the current window's first frame, as an index into pats
  let slope = 1;
  for (let at = start; at + windowFrames <= frames; at += windowFrames) {
    // The ratio moves by up to 0.1 %, two frames over a window: locate its first and last 512
    // frames separately; the line through them is the window's time base.
    const dHead = locate(at, sub, d, slope);
    const dTail = locate(at + windowFrames - sub, sub, dHead + (windowFrames - sub) * slope, slope);
    const s = (dTail - dHead) / (windowFrames - sub);
    if (Math.abs(s - 1) < 0.01) slope = s;
    const corr: number[] = [];
    const levelDb: number[] = [];
    for (let c = 0; c < txChannels.length; c++) {
      const r = corrAt(band, x[c]!, at, windowFrames, pats[c]!, dHead, slope);
      corr.push(r.corr);
      levelDb.push(r.levelDb);
    }
    windows.push({ at: at + windowFrames / 2, mediaTime: dHead + (windowFrames / 2) * slope, corr, levelDb });
    d = dHead + windowFrames * slope;
    if (Math.min(...corr) < 0.5) {
      // Lost: a dropout or a jump. Search the next window's start afresh, from 0.5 s behind (the
      // sink padded silence: media time falls behind) to 2.5 s ahead, by raw correlation as at the start.
      const next = at + windowFrames;
      if (next + probe > frames) break;
      let nx = 0;
      for (let i = 0; i < probe; i++) nx += x[0]![next + i]! ** 2;
      if (nx === 0) continue; // silence: keep predicting
      let found = { d, c: -1 };
      const p = pats[0]!;
      for (let k = Math.max(0, Math.round(d) - 24_000); k < Math.min(pLen - probe, Math.round(d) + 120_000); k++) {
        let xy = 0;
        let yy = 0;
        for (let i = 0; i < probe; i++) {
          xy += x[0]![next + i]! * p[k + i]!;
          yy += p[k + i]! ** 2;
        }
        const c = xy / Math.sqrt(nx * yy);
        if (c > found.c) found = { d: k, c };
      }
      if (found.c > 0.5) d = found.d;
    }
    if (d + windowFrames * 1.01 + band.taps >= pLen) break;
  }
  return { windows, start, base: pFrom, coarse: { mediaTime: best.t, corr: best.c } };
}

/**
 * Drift of the recording against media time, in ppm (recorded frames per media frame − 1): the
 * median over neighbouring windows that both matched, so dropouts and jumps do not count.
 */
export function recordedDriftPpm(w: PatternWindow[], good: (w: PatternWindow) => boolean): number {
  const slopes: number[] = [];
  for (let i = 1; i < w.length; i++) {
    if (good(w[i - 1]!) && good(w[i]!)) slopes.push((w[i]!.mediaTime - w[i - 1]!.mediaTime) / (w[i]!.at - w[i - 1]!.at));
  }
  slopes.sort((a, b) => a - b);
  const median = slopes[Math.floor(slopes.length / 2)] ?? Number.NaN;
  return (1 / median - 1) * 1e6;
}
