// A small reader for the recorder's WAV / RF64 / W64 files: format fields, chunk list, sample data
// and iXML track names, so tests check the bytes independently of sox and ffprobe.
import { readFileSync } from 'node:fs';

export interface ParsedTake {
  kind: 'RIFF' | 'RF64' | 'W64';
  formatTag: number;
  channels: number;
  sampleRate: number;
  bits: number;
  channelMask?: number;
  chunks: Map<string, Buffer>;
  /** Sample data as the header describes it. */
  data: Buffer;
  trackNames: string[];
}

export function parseTake(path: string): ParsedTake {
  const b = readFileSync(path);
  const id = b.toString('latin1', 0, 4);
  const chunks = new Map<string, Buffer>();
  let data = Buffer.alloc(0);
  let kind: ParsedTake['kind'];
  if (id === 'riff' && b.readUInt32LE(4) === 0x11cf912e) {
    kind = 'W64';
    let o = 40;
    while (o + 24 <= b.length) {
      const cid = b.toString('latin1', o, o + 4);
      const size = Number(b.readBigUInt64LE(o + 16));
      const body = b.subarray(o + 24, o + size);
      if (cid === 'data') data = body;
      else chunks.set(cid, body);
      o += (size + 7) & ~7;
    }
  } else {
    kind = id as 'RIFF' | 'RF64';
    let ds64Data = -1;
    let o = 12;
    while (o + 8 <= b.length) {
      const cid = b.toString('latin1', o, o + 4);
      let size = b.readUInt32LE(o + 4);
      if (cid === 'ds64') ds64Data = Number(b.readBigUInt64LE(o + 16));
      if (cid === 'data' && kind === 'RF64' && size === 0xffffffff) size = ds64Data;
      const body = b.subarray(o + 8, o + 8 + size);
      if (cid === 'data') data = body;
      else chunks.set(cid, body);
      o += 8 + size + (size & 1);
    }
  }
  const fmt = chunks.get('fmt ')!;
  const ixml = chunks.get('iXML')?.toString('utf8') ?? '';
  const trackNames = [...ixml.matchAll(/<TRACK>.*?<NAME>(.*?)<\/NAME>/g)].map((m) => m[1]!);
  return {
    kind,
    formatTag: fmt.readUInt16LE(0),
    channels: fmt.readUInt16LE(2),
    sampleRate: fmt.readUInt32LE(4),
    bits: fmt.readUInt16LE(14),
    ...(fmt.length >= 24 ? { channelMask: fmt.readUInt32LE(20) } : {}),
    chunks,
    data,
    trackNames,
  };
}

/** Interleaved left-aligned 32-bit samples from PCM of `bits`. */
export function samplesOf(data: Buffer, bits: number): Int32Array {
  const step = bits / 8;
  const out = new Int32Array(Math.floor(data.length / step));
  for (let i = 0; i < out.length; i++) out[i] = data.readIntLE(i * step, step) << (32 - bits);
  return out;
}
