// Compares audio that went through a real audio server (which may add latency, resample or
// convert the format) with what was sent: per channel, align on the onset and refine by
// cross-correlation, then the normalised correlation and the level difference over the overlap.
import { writeFileSync } from 'node:fs';

/** Writes interleaved s16 PCM as a canonical 44-byte-header WAV. */
export function writeWav16(path: string, channels: number, rate: number, samples: Int16Array): void {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([h, data]));
}

/** One sine per channel (Hz, dBFS), starting at phase 0, as interleaved float in -1..1. */
export function tones(rate: number, seconds: number, perChannel: { hz: number; dbfs: number }[]): Float64Array {
  const ch = perChannel.length;
  const frames = Math.round(rate * seconds);
  const out = new Float64Array(frames * ch);
  for (let c = 0; c < ch; c++) {
    const { hz, dbfs } = perChannel[c]!;
    const a = 10 ** (dbfs / 20);
    for (let n = 0; n < frames; n++) out[n * ch + c] = a * Math.sin((2 * Math.PI * hz * n) / rate);
  }
  return out;
}

/**
 * One linear sweep per channel (from → to Hz, dBFS), as interleaved float. Unlike a steady tone it
 * has no period, so the alignment by correlation has exactly one answer.
 */
export function sweeps(rate: number, seconds: number, perChannel: { fromHz: number; toHz: number; dbfs: number }[]): Float64Array {
  const ch = perChannel.length;
  const frames = Math.round(rate * seconds);
  const out = new Float64Array(frames * ch);
  for (let c = 0; c < ch; c++) {
    const { fromHz, toHz, dbfs } = perChannel[c]!;
    const a = 10 ** (dbfs / 20);
    const k = (toHz - fromHz) / seconds;
    for (let n = 0; n < frames; n++) {
      const t = n / rate;
      out[n * ch + c] = a * Math.sin(2 * Math.PI * (fromHz * t + (k * t * t) / 2));
    }
  }
  return out;
}

export function toS16(x: Float64Array): Int16Array {
  return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
}

/** Interleaved integer samples of `bits` (left-aligned s32 when 32) to float -1..1. */
export function toFloat(x: Int32Array | Int16Array, fullScale: number): Float64Array {
  return Float64Array.from(x, (v) => v / fullScale);
}

function channel(x: Float64Array, channels: number, c: number): Float64Array {
  const out = new Float64Array(Math.floor(x.length / channels));
  for (let i = 0; i < out.length; i++) out[i] = x[i * channels + c]!;
  return out;
}

function onset(x: Float64Array): number {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  const th = peak * 0.1;
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i]!) > th) return i;
  return -1;
}

function correlation(a: Float64Array, aFrom: number, b: Float64Array, bFrom: number, n: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[aFrom + i]!;
    const y = b[bFrom + i]!;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

function rms(a: Float64Array, from: number, n: number): number {
  let s = 0;
  for (let i = from; i < from + n; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s / n);
}

export interface ChannelMatch {
  /** Frames the capture lags the reference (−1 when the capture is silent). */
  lagFrames: number;
  /** Normalised correlation over the compared span (1 = identical up to gain). */
  correlation: number;
  /** Capture level minus reference level, dB. */
  levelDb: number;
  /** Frames compared. */
  frames: number;
}

/**
 * Channel c of `ref` against channel c of `cap` (both interleaved float). `refChannel` picks another
 * reference channel, to show that channels are not swapped. The first and last `edgeFrames` of the
 * reference are left out (fade-in of a resampler, the end of a capture).
 */
export function matchChannel(ref: Float64Array, refChannels: number, cap: Float64Array, capChannels: number, c: number, refChannel = c, edgeFrames = 2400): ChannelMatch {
  const r = channel(ref, refChannels, refChannel);
  const x = channel(cap, capChannels, c);
  const or = onset(r);
  const ox = onset(x);
  if (or < 0 || ox < 0) return { lagFrames: -1, correlation: 0, levelDb: -Infinity, frames: 0 };
  const from = edgeFrames;
  let best = { lag: ox - or, corr: -2 };
  const probe = Math.min(9600, r.length - 2 * edgeFrames);
  for (let lag = ox - or - 64; lag <= ox - or + 64; lag++) {
    if (from + lag < 0 || from + lag + probe > x.length) continue;
    const k = correlation(r, from, x, from + lag, probe);
    if (k > best.corr) best = { lag, corr: k };
  }
  const n = Math.min(r.length - 2 * edgeFrames, x.length - (from + best.lag));
  if (n <= 0 || from + best.lag < 0) return { lagFrames: best.lag, correlation: 0, levelDb: -Infinity, frames: 0 };
  return {
    lagFrames: best.lag,
    correlation: correlation(r, from, x, from + best.lag, n),
    levelDb: 20 * Math.log10(rms(x, from + best.lag, n) / rms(r, from, n)),
    frames: n,
  };
}
