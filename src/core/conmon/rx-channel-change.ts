// 0x0102 RX channel change (PROTOCOL.md §4.3, vectors §12.3, §12.8): u16 mask length L, then L
// bytes; RX channel index i (0-based) is bit (i mod 8) of byte ⌊i/8⌋. The v0.3 form and the real
// devices' `00 01 <mask>` are the L = 1 case of the same layout.
import { need, u16 } from '../bytes.js';
import { DecodeError } from '../errors.js';

/** A 16-bit length field bounds the mask; no device has more channels than this. */
export const MAX_RX_CHANNEL_NUMBER = 0xffff * 8;

/** Content for the given 1-based RX channel numbers. */
export function encode(rxChannels: Iterable<number>): Buffer {
  let max = 0;
  const list = [...rxChannels];
  for (const c of list) {
    if (!Number.isInteger(c) || c < 1 || c > MAX_RX_CHANNEL_NUMBER) throw new RangeError(`bad RX channel number ${c}`);
    if (c > max) max = c;
  }
  const maskLength = Math.max(1, Math.ceil(max / 8));
  const out = Buffer.alloc(2 + maskLength);
  out.writeUInt16BE(maskLength, 0);
  for (const c of list) out[2 + ((c - 1) >> 3)]! |= 1 << ((c - 1) & 7);
  return out;
}

export function encodingLength(rxChannels: Iterable<number>): number {
  let max = 0;
  for (const c of rxChannels) if (c > max) max = c;
  return 2 + Math.max(1, Math.ceil(max / 8));
}

/** Changed RX channel numbers (1-based, ascending). */
export function decode(content: Uint8Array): number[] {
  const maskLength = u16(content, 0, 'mask length');
  if (maskLength === 0) throw new DecodeError('bad-mask-length', 'mask length 0');
  need(content, 2, maskLength, 'channel mask');
  const channels: number[] = [];
  for (let byte = 0; byte < maskLength; byte++) {
    const m = content[2 + byte]!;
    for (let bit = 0; bit < 8; bit++) if (m & (1 << bit)) channels.push(byte * 8 + bit + 1);
  }
  return channels;
}
