// What the transmitter sends (`--tx-source`): synthetic signals computed in the transmit worker for
// the exact media time of each frame, or the TX media ring that a feeder (sources-feeder.ts) or an
// application fills. Every source fills per-channel scratch arrays for a range of *wire* media
// times (the time in the packet header of that frame); hot path, no allocation.
import { ConfigError } from '../core/errors.js';
import { MediaRingReader } from '../core/media-ring.js';
import { fillPattern, patternSample, sampleMask } from '../core/pattern.js';
import { parseAlsaPcm } from './alsa-config.js';

export type TxSourceSpec =
  | { kind: 'silence' }
  | { kind: 'tone'; hz: number; dbfs: number }
  | { kind: 'pattern' }
  | { kind: 'fifo'; path: string }
  | { kind: 'file'; path: string }
  // An ALSA capture PCM feeding the TX media ring (alsa-source.ts).
  | { kind: 'alsa'; pcm: string }
  // The TX media ring filled by the application through the library (Device.transmit); not a
  // command-line value: nothing else would fill the ring.
  | { kind: 'app' };

export const TX_SOURCE_HELP = 'silence | tone:HZ[:DBFS] | pattern | fifo:PATH | file:PATH | alsa:PCM';
export const DEFAULT_TONE_DBFS = -20;

export function parseTxSource(raw: unknown, setting = 'tx-source'): TxSourceSpec {
  const s = typeof raw === 'string' ? raw.trim() : '';
  if (s === 'silence' || s === 'pattern') return { kind: s };
  const pcm = parseAlsaPcm(s);
  if (pcm) return { kind: 'alsa', pcm };
  const m = /^(fifo|file):(.+)$/.exec(s);
  if (m) return { kind: m[1] as 'fifo' | 'file', path: m[2]! };
  const t = /^tone:(\d+(?:\.\d+)?)(?::(-?\d+(?:\.\d+)?))?$/.exec(s);
  if (t) {
    const hz = Number(t[1]);
    const dbfs = t[2] === undefined ? DEFAULT_TONE_DBFS : Number(t[2]);
    if (hz > 0 && hz < 100_000 && dbfs <= 0 && dbfs >= -140) return { kind: 'tone', hz, dbfs };
  }
  throw new ConfigError(setting, raw, TX_SOURCE_HELP);
}

export function describeTxSource(s: TxSourceSpec): string {
  switch (s.kind) {
    case 'tone': return `tone:${s.hz}:${s.dbfs}`;
    case 'fifo':
    case 'file': return `${s.kind}:${s.path}`;
    case 'alsa': return `alsa:${s.pcm}`;
    default: return s.kind;
  }
}

export interface TxSampleSource {
  /**
   * False for signals defined to be truncated, never dithered, at any wire depth (the pattern is
   * exact at 16, 24 and 32 bits only if its low bits are dropped, not dithered).
   */
  readonly ditherable: boolean;
  /** True when any range can be computed again (synthetic): only used channels are filled. A ring
   * is consumed as it is read, so all its channels are copied once, in order. */
  readonly regenerable: boolean;
  /** Write the samples of wire media times [from, from + count) into outs[c] from index 0 (null = unused channel). */
  fill(from: number, count: number, outs: ArrayLike<Int32Array | null>): void;
  /** Frames that had to be sent as zeros (missing TX data). */
  readonly missingFrames: number;
}

export class SilenceSource implements TxSampleSource {
  readonly regenerable = true;
  readonly ditherable = true;
  readonly missingFrames = 0;
  fill(_from: number, count: number, outs: ArrayLike<Int32Array | null>): void {
    for (let c = 0; c < outs.length; c++) outs[c]?.fill(0, 0, count);
  }
}

/** patternSample(channel, t, 32): truncated to b bits on the wire it equals patternSample(channel, t, b). */
export class PatternSource implements TxSampleSource {
  readonly regenerable = true;
  readonly ditherable = false;
  readonly missingFrames = 0;
  fill(from: number, count: number, outs: ArrayLike<Int32Array | null>): void {
    for (let c = 0; c < outs.length; c++) {
      const out = outs[c];
      if (out) fillPattern(out, c + 1, from, 32, 0, count);
    }
  }
}

/** A sine of `hz` at `dbfs` on every channel, phase locked to media time, quantised to `bits`. */
export class ToneSource implements TxSampleSource {
  readonly regenerable = true;
  readonly ditherable = true;
  readonly missingFrames = 0;
  private readonly amplitude: number;
  private readonly mask: number;
  /** Media-time period after which the phase repeats exactly (keeps the product small and exact). */
  private readonly period: number;
  private readonly step: number;

  constructor(hz: number, dbfs: number, readonly rate: number, bits = 24) {
    this.amplitude = 0x7fffffff * 10 ** (dbfs / 20);
    this.mask = sampleMask(bits);
    // hz has at most two decimals in practice: the phase repeats every 100 s of samples.
    this.period = Number.isInteger(hz) ? rate : rate * 100;
    this.step = (2 * Math.PI * hz) / rate;
  }

  fill(from: number, count: number, outs: ArrayLike<Int32Array | null>): void {
    const base = from % this.period;
    for (let c = 0; c < outs.length; c++) {
      const out = outs[c];
      if (!out) continue;
      for (let i = 0; i < count; i++) out[i] = Math.round(this.amplitude * Math.sin((base + i) * this.step)) & this.mask;
    }
  }
}

/**
 * The TX media ring: a frame written for media time r is sent with wire time r + shift, where
 * shift = TX latency − early guard, i.e. it leaves no later than r + TX latency.
 */
export class RingSource implements TxSampleSource {
  readonly regenerable = false;
  readonly ditherable = true;
  private readonly reader: MediaRingReader;
  private missing = 0;

  constructor(ring: SharedArrayBuffer, readonly shift: number) {
    this.reader = new MediaRingReader(ring);
  }

  get missingFrames(): number {
    return this.missing;
  }

  fill(from: number, count: number, outs: ArrayLike<Int32Array | null>): void {
    const r = this.reader.read(from - this.shift, count, outs);
    this.missing += r.staleFrames + r.pendingFrames;
  }
}
