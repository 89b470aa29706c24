// WAV (RIFF) and RF64 (EBU Tech 3306). RF64 follows the EBU recommendation: the file starts as an
// ordinary WAV whose first chunk is a 28-byte JUNK placeholder; once the RIFF size passes 4 GiB the
// header is rewritten as RF64 with that placeholder turned into `ds64` holding the 64-bit sizes.
// So a short take is a plain WAV any tool reads, and a long one never stops.
import { fmtBody, putId } from './container.js';
import type { Container, StreamParams } from './container.js';
import { bextBody, infoListBody, ixmlBody } from './metadata.js';
import type { RecordingMetadata } from './metadata.js';

const U32_MAX = 0xffffffff;
const DS64_BODY = 28;

interface Chunk {
  id: string;
  body: Uint8Array;
}

/** Bytes a chunk takes in the file (8-byte header, body padded to even). */
const chunkSpan = (c: Chunk) => 8 + c.body.length + (c.body.length & 1);

export interface RiffOptions {
  /** RF64 upgrade point (largest RIFF size kept in 32 bits); lowered only by tests. */
  riffLimit?: number;
}

export function riffContainer(kind: 'wav' | 'rf64', p: StreamParams, m: RecordingMetadata, opts: RiffOptions = {}): Container {
  const limit = opts.riffLimit ?? U32_MAX;
  const chunks: Chunk[] = [
    ...(kind === 'rf64' ? [{ id: 'JUNK', body: new Uint8Array(DS64_BODY) }] : []),
    { id: 'fmt ', body: fmtBody(p) },
    { id: 'bext', body: bextBody(m) },
    { id: 'iXML', body: ixmlBody(m) },
    { id: 'LIST', body: infoListBody(m) },
  ];
  const headerLength = 12 + chunks.reduce((a, c) => a + chunkSpan(c), 0) + 8;
  const frameBytes = (p.channels * p.bits) / 8;
  const fixed = new Uint8Array(headerLength);
  let o = 12;
  for (const c of chunks) {
    putId(fixed, o, c.id);
    new DataView(fixed.buffer).setUint32(o + 4, c.body.length, true);
    fixed.set(c.body, o + 8);
    o += chunkSpan(c);
  }
  putId(fixed, o, 'data');
  return {
    format: kind,
    ext: 'wav',
    headerLength,
    frameBytes,
    maxDataBytes: kind === 'wav' ? limit - (headerLength - 8) - 1 : Number.MAX_SAFE_INTEGER,
    header(dataBytes: number): Uint8Array {
      const out = fixed.slice();
      const dv = new DataView(out.buffer);
      const riffSize = headerLength - 8 + dataBytes + (dataBytes & 1);
      const big = kind === 'rf64' && riffSize > limit;
      putId(out, 0, big ? 'RF64' : 'RIFF');
      putId(out, 8, 'WAVE');
      dv.setUint32(4, big ? U32_MAX : riffSize, true);
      dv.setUint32(headerLength - 4, big ? U32_MAX : dataBytes, true);
      if (big) {
        putId(out, 12, 'ds64');
        dv.setBigUint64(20, BigInt(riffSize), true);
        dv.setBigUint64(28, BigInt(dataBytes), true);
        dv.setBigUint64(36, BigInt(Math.floor(dataBytes / frameBytes)), true);
        dv.setUint32(44, 0, true);
      }
      return out;
    },
    trailer: (dataBytes) => new Uint8Array(dataBytes & 1),
  };
}
