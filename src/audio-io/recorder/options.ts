// `--split-every` and file naming for recordings.
import { ConfigError } from '../../core/errors.js';

export type SplitSpec = { seconds: number } | { bytes: number };

const DURATION: Record<string, number> = { s: 1, m: 60, min: 60, h: 3600 };
const SIZE: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** `90s`, `10m`, `1h`, `1.5h` or `2GB`, `500MB`, `4GiB` (kB/MB/GB decimal, KiB/MiB/GiB binary). */
export function parseSplit(raw: string): SplitSpec {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]+)$/.exec(raw.trim());
  const n = m ? Number(m[1]) : NaN;
  const unit = m?.[2] ?? '';
  if (m && n > 0 && unit in DURATION) return { seconds: n * DURATION[unit]! };
  if (m && n > 0 && /b$/i.test(unit) && unit.toLowerCase() in SIZE) return { bytes: Math.floor(n * SIZE[unit.toLowerCase()]!) };
  throw new ConfigError('split-every', raw, 'a duration (30s, 10m, 1h) or a size (500MB, 2GB, 4GiB)');
}

/** Frames per file for a split (at least one). */
export function splitFrames(split: SplitSpec, sampleRate: number, frameBytes: number): number {
  const f = 'seconds' in split ? Math.round(split.seconds * sampleRate) : Math.floor(split.bytes / frameBytes);
  return Math.max(1, f);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYYmmdd-HHMMSS` in UTC. */
export function stampUtc(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** `take.wav`, then `take-2.wav`, `take-3.wav`, ... (a take continued after a receive restart). */
export function continuedFileName(path: string, attempt: number): string {
  if (attempt === 0) return path;
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  const cut = dot > slash + 1 ? dot : path.length;
  return `${path.slice(0, cut)}-${attempt + 1}${path.slice(cut)}`;
}

/** `<prefix>-<device>-<YYYYmmdd-HHMMSS>.<ext>`; `prefix` loses a trailing `.<ext>`. */
export function takeFileName(prefix: string, device: string, start: Date, ext: string, attempt = 0): string {
  const base = prefix.endsWith(`.${ext}`) ? prefix.slice(0, -ext.length - 1) : prefix;
  const dev = device.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${base}-${dev}-${stampUtc(start)}${attempt > 0 ? `-${attempt + 1}` : ''}.${ext}`;
}
