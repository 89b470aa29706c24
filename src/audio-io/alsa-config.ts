// Settings of the ALSA sink and source: `--rx-sink alsa:PCM`, `--tx-source alsa:PCM`, and the
// channel maps between Dante channels and PCM channels.
//
// Map syntax: one entry per PCM channel, in PCM channel order, separated by commas; an entry is a
// Dante channel number (1-based), a range A-B (A..B, either direction) or 0 for none.
//   --alsa-map 1,2       RX 1 -> PCM channel 1, RX 2 -> PCM channel 2
//   --alsa-map 3-4,0     RX 3, RX 4 -> PCM channels 1, 2; PCM channel 3 silent
//   --alsa-map 1,1       RX 1 on both PCM channels (duplicates are fine for playback)
//   --alsa-tx-map 0,1    capture PCM channel 2 -> TX 1 (PCM channel 1 unused); a TX channel once only
// Unset: every RX (TX) channel in order, one PCM channel each.
import { ConfigError } from '../core/errors.js';

/** Most PCM channels a map may name (a large multichannel card; the ring and thread copy per frame). */
export const MAX_PCM_CHANNELS = 64;
export const ALSA_MAP_HELP = 'comma-separated channel numbers (1-based), ranges A-B, 0 = none; one entry per PCM channel, e.g. 1,2';

export function parseAlsaMap(setting: string, raw: unknown, maxChannel = 128, unique = false): number[] {
  const fail = (why?: string): never => {
    throw new ConfigError(setting, raw, why ? `${ALSA_MAP_HELP} (${why})` : ALSA_MAP_HELP);
  };
  const parts = Array.isArray(raw) ? raw.map((x) => String(x)) : typeof raw === 'string' || typeof raw === 'number' ? String(raw).split(',') : fail();
  const out: number[] = [];
  for (const p of parts) {
    const m = /^\s*(\d{1,4})(?:\s*-\s*(\d{1,4}))?\s*$/.exec(p);
    if (!m) fail();
    const a = Number(m![1]);
    const b = m![2] === undefined ? a : Number(m![2]);
    if ((a === 0 || b === 0) && a !== b) fail('0 cannot start or end a range');
    const step = b >= a ? 1 : -1;
    for (let c = a; ; c += step) {
      if (c > maxChannel) fail(`channel ${c} above ${maxChannel}`);
      out.push(c);
      if (out.length > MAX_PCM_CHANNELS) fail(`at most ${MAX_PCM_CHANNELS} PCM channels`);
      if (c === b) break;
    }
  }
  if (out.length === 0 || out.every((c) => c === 0)) fail('maps no channel');
  if (unique) {
    const seen = new Set<number>();
    for (const c of out) {
      if (c !== 0 && seen.has(c)) fail(`channel ${c} appears twice`);
      seen.add(c);
    }
  }
  return out;
}

/** Every channel 1..n in order: the map when none is given. */
export function identityMap(channels: number): number[] {
  return Array.from({ length: Math.min(channels, MAX_PCM_CHANNELS) }, (_, i) => i + 1);
}

/** Checks a map against the device's channel count (known only once all settings are read). */
export function checkAlsaMap(setting: string, map: readonly number[], channels: number, what: 'RX' | 'TX'): void {
  const bad = map.find((c) => c > channels);
  if (bad !== undefined) throw new ConfigError(setting, map.join(','), `${what} channels 1 to ${channels} (--${what.toLowerCase()}-channels), 0 = none; ${bad} is not one`);
}

/** `alsa:PCM`: any ALSA PCM name after the prefix (hw:0, plughw:1,0, default, dmix, file:'x.raw',raw, ...). */
export function parseAlsaPcm(s: string): string | undefined {
  const m = /^alsa:(.+)$/s.exec(s);
  return m ? m[1]!.trim() || undefined : undefined;
}

/** Requested PCM timing: the card grants the nearest it can (shown in /status). */
export const DEFAULT_ALSA_PERIOD_FRAMES = 240;
export const DEFAULT_ALSA_BUFFER_FRAMES = 960;
