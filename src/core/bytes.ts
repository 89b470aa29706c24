// Bounds-checked big-endian byte access for Dante control packets. Offsets are absolute from
// the first byte of the UDP payload, as in PROTOCOL.md; every read that would leave the packet
// throws DecodeError so a malformed packet becomes a counted drop, never a crash.
import { DecodeError } from './errors.js';

export function need(buf: Uint8Array, off: number, len: number, what = 'field'): void {
  if (!Number.isInteger(off) || off < 0 || off + len > buf.length) {
    throw new DecodeError('truncated', `${what} at ${off}+${len} outside ${buf.length}-byte packet`);
  }
}

export function u8(buf: Uint8Array, off: number, what?: string): number {
  need(buf, off, 1, what);
  return buf[off]!;
}

export function u16(buf: Uint8Array, off: number, what?: string): number {
  need(buf, off, 2, what);
  return (buf[off]! << 8) | buf[off + 1]!;
}

export function u32(buf: Uint8Array, off: number, what?: string): number {
  need(buf, off, 4, what);
  return ((buf[off]! << 24) >>> 0) + ((buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!);
}

export function i32(buf: Uint8Array, off: number, what?: string): number {
  return u32(buf, off, what) | 0;
}

/** NUL-terminated UTF-8 string starting at `off`; the NUL must be inside the packet. */
export function cstring(buf: Uint8Array, off: number, what = 'string'): string {
  if (!Number.isInteger(off) || off < 0 || off >= buf.length) {
    throw new DecodeError('bad-pointer', `${what} pointer ${off} outside ${buf.length}-byte packet`);
  }
  const end = buf.indexOf(0, off);
  if (end < 0) throw new DecodeError('unterminated', `${what} at ${off} has no NUL`);
  return Buffer.from(buf.buffer, buf.byteOffset + off, end - off).toString('utf8');
}

/** A string behind a u16 pointer field; pointer 0 means absent. */
export function pointedString(buf: Uint8Array, ptrOff: number, what = 'string'): string | undefined {
  const ptr = u16(buf, ptrOff, `${what} pointer`);
  return ptr === 0 ? undefined : cstring(buf, ptr, what);
}

/** Fixed-width NUL-padded string field (e.g. board names in conmon info). */
export function paddedString(buf: Uint8Array, off: number, width: number, what = 'string'): string {
  need(buf, off, width, what);
  let end = off;
  while (end < off + width && buf[end] !== 0) end++;
  return Buffer.from(buf.buffer, buf.byteOffset + off, end - off).toString('utf8');
}

export function cstringLength(s: string): number {
  return Buffer.byteLength(s, 'utf8') + 1;
}

/**
 * Growable packet writer. Fields are appended in order; pointers to strings written later are
 * reserved with `u16(0)` and patched with `patchU16` once the string's offset is known.
 */
export class PacketWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initial = 256) {
    this.buf = Buffer.alloc(initial);
  }

  get offset(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.len);
    this.len += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.len);
    this.len += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  /** Appends `s` + NUL and returns the offset it was written at. */
  cstring(s: string): number {
    const at = this.len;
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(n + 1);
    this.buf.write(s, this.len, 'utf8');
    this.len += n;
    this.buf[this.len++] = 0;
    return at;
  }

  /** Writes `s` NUL-padded (and truncated) to exactly `width` bytes. */
  padded(s: string, width: number): this {
    this.ensure(width);
    this.buf.fill(0, this.len, this.len + width);
    const b = Buffer.from(s, 'utf8').subarray(0, width);
    this.buf.set(b, this.len);
    this.len += width;
    return this;
  }

  /** Zero-pads until the offset is a multiple of `n`. */
  align(n: number): this {
    const rem = this.len % n;
    return rem === 0 ? this : this.zeros(n - rem);
  }

  patchU16(at: number, v: number): this {
    this.buf.writeUInt16BE(v & 0xffff, at);
    return this;
  }

  patchU32(at: number, v: number): this {
    this.buf.writeUInt32BE(v >>> 0, at);
    return this;
  }

  /** A copy of the bytes written so far. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

/** Parses hex grouped in words ("27ff 000a c546") as used by PROTOCOL.md's test vectors. */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex');
}
