// Sony Wave64: RIFF's layout with 16-byte GUID chunk ids and 64-bit chunk sizes that include the
// 24-byte chunk header; every chunk starts on an 8-byte boundary. No size limit.
import { fmtBody } from './container.js';
import type { Container, StreamParams } from './container.js';
import { bextBody, infoListBody, ixmlBody } from './metadata.js';
import type { RecordingMetadata } from './metadata.js';

/** GUID {XXXXXXXX-ACF3-11D3-8CD1-00C04F8EDB8A} for a RIFF fourcc, as stored (first fields LE). */
function fourccGuid(id: string): number[] {
  return [...id].map((c) => c.charCodeAt(0)).concat([0xf3, 0xac, 0xd3, 0x11, 0x8c, 0xd1, 0x00, 0xc0, 0x4f, 0x8e, 0xdb, 0x8a]);
}

/** {66666972-912E-11CF-A5D6-28DB04C10000} and {7473696C-912F-11CF-A5D6-28DB04C10000}. */
export const W64_RIFF = [0x72, 0x69, 0x66, 0x66, 0x2e, 0x91, 0xcf, 0x11, 0xa5, 0xd6, 0x28, 0xdb, 0x04, 0xc1, 0x00, 0x00];
const W64_LIST = [0x6c, 0x69, 0x73, 0x74, 0x2f, 0x91, 0xcf, 0x11, 0xa5, 0xd6, 0x28, 0xdb, 0x04, 0xc1, 0x00, 0x00];
export const W64_WAVE = fourccGuid('wave');
export const W64_FMT = fourccGuid('fmt ');
export const W64_DATA = fourccGuid('data');
export const W64_BEXT = fourccGuid('bext');
export const W64_IXML = fourccGuid('iXML');

const align8 = (n: number) => (n + 7) & ~7;

export function w64Container(p: StreamParams, m: RecordingMetadata): Container {
  const chunks: { guid: number[]; body: Uint8Array }[] = [
    { guid: W64_FMT, body: fmtBody(p) },
    { guid: W64_BEXT, body: bextBody(m) },
    { guid: W64_IXML, body: ixmlBody(m) },
    { guid: W64_LIST, body: infoListBody(m) },
  ];
  const headerLength = 40 + chunks.reduce((a, c) => a + align8(24 + c.body.length), 0) + 24;
  const fixed = new Uint8Array(headerLength);
  const fdv = new DataView(fixed.buffer);
  fixed.set(W64_RIFF, 0);
  fixed.set(W64_WAVE, 24);
  let o = 40;
  for (const c of chunks) {
    fixed.set(c.guid, o);
    fdv.setBigUint64(o + 16, BigInt(24 + c.body.length), true);
    fixed.set(c.body, o + 24);
    o += align8(24 + c.body.length);
  }
  fixed.set(W64_DATA, o);
  return {
    format: 'w64',
    ext: 'w64',
    headerLength,
    frameBytes: (p.channels * p.bits) / 8,
    maxDataBytes: Number.MAX_SAFE_INTEGER,
    header(dataBytes: number): Uint8Array {
      const out = fixed.slice();
      const dv = new DataView(out.buffer);
      dv.setBigUint64(16, BigInt(headerLength + dataBytes), true);
      dv.setBigUint64(headerLength - 8, BigInt(24 + dataBytes), true);
      return out;
    },
    // data is the last chunk and stays unpadded: padding it would make readers that size the data
    // from the file (libsndfile) see a phantom frame.
    trailer: () => new Uint8Array(0),
  };
}
