// The usrvclock frame a PTP daemon pushes over a Unix datagram socket (PROTOCOL.md §7.1, vector
// §12.6): 40 bytes, packed, little-endian (host order on every realistic target).
import { DecodeError } from './errors.js';

export const USRVCLOCK_FRAME_LENGTH = 40;
export const USRVCLOCK_MAGIC = 0x4356; // 'V' 'C' read as little-endian u16
export const USRVCLOCK_VERSION_MAJOR = 1;
export const USRVCLOCK_VERSION_MINOR = 0;
export const USRVCLOCK_FLAG_VALID = 0x0001;
/** Linux clock ids seen in practice: Statime exports CLOCK_TAI, the test stub CLOCK_MONOTONIC_RAW. */
export const CLOCK_MONOTONIC = 1;
export const CLOCK_MONOTONIC_RAW = 4;
export const CLOCK_TAI = 11;

export interface UsrvclockFrame {
  versionMajor: number;
  versionMinor: number;
  flags: number;
  /** Linux clock id of the underlying clock. */
  clockId: bigint;
  /** Underlying-clock reading (ns) at the last adjustment. */
  lastSync: bigint;
  /** ns */
  shift: bigint;
  /** Fractional frequency: +1e-6 = overlay runs 1 ppm fast. */
  freqScale: number;
}

export function isValid(frame: UsrvclockFrame): boolean {
  return (frame.flags & USRVCLOCK_FLAG_VALID) !== 0;
}

export function encodingLength(): number {
  return USRVCLOCK_FRAME_LENGTH;
}

export function encode(f: Omit<UsrvclockFrame, 'versionMajor' | 'versionMinor'> & Partial<UsrvclockFrame>): Buffer {
  const out = Buffer.alloc(USRVCLOCK_FRAME_LENGTH);
  out.writeUInt16LE(USRVCLOCK_MAGIC, 0);
  out.writeUInt16LE(f.versionMajor ?? USRVCLOCK_VERSION_MAJOR, 2);
  out.writeUInt16LE(f.versionMinor ?? USRVCLOCK_VERSION_MINOR, 4);
  out.writeUInt16LE(f.flags & 0xffff, 6);
  out.writeBigInt64LE(f.clockId, 8);
  out.writeBigInt64LE(f.lastSync, 16);
  out.writeBigInt64LE(f.shift, 24);
  out.writeDoubleLE(f.freqScale, 32);
  return out;
}

/** Validates magic, major version and length; a newer minor version is accepted. */
export function decode(buf: Uint8Array): UsrvclockFrame {
  if (buf.length < USRVCLOCK_FRAME_LENGTH) throw new DecodeError('truncated', `${buf.length}-byte usrvclock frame`);
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  if (b.readUInt16LE(0) !== USRVCLOCK_MAGIC) throw new DecodeError('bad-magic', `0x${b.readUInt16LE(0).toString(16)}`);
  const versionMajor = b.readUInt16LE(2);
  if (versionMajor !== USRVCLOCK_VERSION_MAJOR) throw new DecodeError('bad-version', `major ${versionMajor}`);
  const freqScale = b.readDoubleLE(32);
  if (!Number.isFinite(freqScale)) throw new DecodeError('bad-freq-scale', String(freqScale));
  return {
    versionMajor,
    versionMinor: b.readUInt16LE(4),
    flags: b.readUInt16LE(6),
    clockId: b.readBigInt64LE(8),
    lastSync: b.readBigInt64LE(16),
    shift: b.readBigInt64LE(24),
    freqScale,
  };
}

/**
 * Overlay time in ns for an underlying-clock reading `u` (ns):
 * u + shift + (u − last_sync) × freq_scale (§7.1). The product is done in floating point, which
 * is exact to well under a nanosecond for realistic intervals and scales.
 */
export function overlayTimeNs(frame: UsrvclockFrame, u: bigint): bigint {
  const elapsed = Number(u - frame.lastSync);
  return u + frame.shift + BigInt(Math.round(elapsed * frame.freqScale));
}
