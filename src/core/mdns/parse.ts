// Readers for the TXT records a receiver needs (§2.2, §2.3): channel and bundle instances, the
// ARC/CMC pair of a device. Tolerant of real devices: `enc` or `en`, decimal or 0x-hex integers,
// missing optional keys.
import { DecodeError } from '../errors.js';
import { decodeTxt, optionalTxtInt, parseTxtInt, txtMap } from './txt.js';
import type { TxtEntry } from './txt.js';

export interface ChannelTxt {
  /** 1-based TX channel number on the transmitter. */
  id: number;
  /** Max channels per flow. */
  nchan: number;
  /** Bits per sample. */
  enc: number;
  fppMax: number;
  fppMin: number;
  latencyNs: number;
  /** Start code for flows-control packets (§5). */
  dbcp1: number;
  rate?: number;
  /** Bytes per sample and pcm type from `pcm=3 e`. */
  pcm?: { bytesPerSample: number; type: number };
  /** The bare `default` key: this instance carries the factory name. */
  isDefault: boolean;
  /** Multicast bundles the channel is in: `b.<id>=<1-based position>`. */
  bundles: { id: number; position: number }[];
  entries: TxtEntry[];
}

export interface BundleTxt {
  id: number;
  nchan: number;
  group: string;
  port: number;
  enc: number;
  fpp: number;
  latencyNs: number;
  rate?: number;
  entries: TxtEntry[];
}

type TxtInput = readonly (Buffer | Uint8Array | string)[];

function required(m: Map<string, string | null>, key: string): number {
  if (!m.has(key)) throw new DecodeError('txt-missing', key);
  return parseTxtInt(m.get(key), key);
}

function encOf(m: Map<string, string | null>): number {
  if (m.has('enc')) return parseTxtInt(m.get('enc'), 'enc');
  if (m.has('en')) return parseTxtInt(m.get('en'), 'en');
  throw new DecodeError('txt-missing', 'enc');
}

/** Parses a `_netaudio-chan` TXT; throws DecodeError on missing or bad keys. */
export function parseChannelTxt(strings: TxtInput): ChannelTxt {
  const entries = decodeTxt(strings);
  const m = txtMap(entries);
  const fpp = (m.get('fpp') ?? '').split(',');
  const fppMax = parseTxtInt(fpp[0], 'fpp');
  const fppMin = fpp.length > 1 ? parseTxtInt(fpp[1], 'fpp') : fppMax;
  let pcm: ChannelTxt['pcm'];
  const pcmText = m.get('pcm');
  if (pcmText) {
    const [bytes, type] = pcmText.trim().split(/\s+/);
    pcm = { bytesPerSample: parseTxtInt(bytes, 'pcm'), type: parseTxtInt(`0x${type ?? ''}`, 'pcm') };
  }
  const bundles: ChannelTxt['bundles'] = [];
  for (const [k, v] of entries) {
    const b = /^b\.(\d+)$/i.exec(k);
    if (b) bundles.push({ id: parseInt(b[1]!, 10), position: parseTxtInt(v, k) });
  }
  return {
    id: required(m, 'id'),
    nchan: required(m, 'nchan'),
    enc: encOf(m),
    fppMax,
    fppMin,
    latencyNs: required(m, 'latency_ns'),
    dbcp1: required(m, 'dbcp1'),
    rate: optionalTxtInt(m, 'rate'),
    pcm,
    isDefault: m.has('default'),
    bundles,
    entries,
  };
}

/** Parses a `_netaudio-bund` TXT (`a.0`, `p.0`, §2.2). */
export function parseBundleTxt(strings: TxtInput): BundleTxt {
  const entries = decodeTxt(strings);
  const m = txtMap(entries);
  const group = m.get('a.0');
  if (!group) throw new DecodeError('txt-missing', 'a.0');
  const fppText = (m.get('fpp') ?? '').split(',')[0];
  return {
    id: required(m, 'id'),
    nchan: required(m, 'nchan'),
    group,
    port: required(m, 'p.0'),
    enc: encOf(m),
    fpp: parseTxtInt(fppText, 'fpp'),
    latencyNs: required(m, 'latency_ns'),
    rate: optionalTxtInt(m, 'rate'),
    entries,
  };
}
