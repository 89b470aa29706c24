// Dotted IPv4 text <-> wire forms (4 bytes, or a u32), for address fields in control packets.
import { need } from './bytes.js';
import { DecodeError } from './errors.js';

export function ipv4ToU32(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: ${ip}`);
  let v = 0;
  for (const p of parts) {
    const n = Number(p);
    if (!/^\d{1,3}$/.test(p) || n > 255) throw new RangeError(`not an IPv4 address: ${ip}`);
    v = v * 256 + n;
  }
  return v;
}

export function u32ToIpv4(v: number): string {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new DecodeError('bad-address', `${v}`);
  return [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff].join('.');
}

/** Parses a dotted IPv4 address into 4 bytes. */
export function ipv4Bytes(ip: string): Uint8Array {
  const v = ipv4ToU32(ip);
  return new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

export function ipv4String(buf: Uint8Array, off: number): string {
  need(buf, off, 4, 'IPv4 address');
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}
