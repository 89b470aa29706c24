// Shared pieces of the recorder tests: a synthetic pattern source and sox / ffprobe probes.
import { spawnSync } from 'node:child_process';
import { patternSample } from '../../dist/core/pattern.js';

/** Interleaved pattern frames for channels 1..n at media times t0.. (24-bit exact). */
export function patternBlock(channels: number, t0: number, frames: number): Int32Array {
  const out = new Int32Array(frames * channels);
  for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) out[f * channels + c] = patternSample(c + 1, t0 + f, 24);
  return out;
}

/** The media time of frame 0 of `s` (channel 1 of `channels`), searching near `guess`, or NaN. */
export function patternOffset(s: Int32Array, channels: number, bits: number, from: number, to: number): number {
  const mask = bits >= 32 ? -1 : ~((1 << (32 - bits)) - 1);
  for (let t = from; t <= to; t++) {
    if (s[0] === (patternSample(1, t, 24) & mask) && s[channels] === (patternSample(1, t + 1, 24) & mask)) return t;
  }
  return NaN;
}

export function soxInfo(path: string): { channels: number; rate: number; bits: number; samples: number } {
  const q = (flag: string) => {
    const r = spawnSync('sox', ['--i', flag, path], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sox --i ${flag} ${path}: ${r.stderr}`);
    return Number(r.stdout.trim());
  };
  return { channels: q('-c'), rate: q('-r'), bits: q('-b'), samples: q('-s') };
}

export interface ProbeStream { codec_name: string; channels: number; sample_rate: string; bits_per_sample: number; duration_ts?: number }
export function ffprobe(path: string): { streams: ProbeStream[]; format: { format_name: string; tags?: Record<string, string> } } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe ${path}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ReturnType<typeof ffprobe>;
}

/** Decodes the file with sox to interleaved s32 (what a player would get). */
export function soxSamples(path: string): Int32Array {
  const r = spawnSync('sox', [path, '-t', 's32', '-e', 'signed', '-'], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`sox ${path}: ${r.stderr.toString()}`);
  const b = r.stdout as Buffer;
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}
