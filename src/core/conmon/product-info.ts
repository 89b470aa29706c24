// 0x00C0 manufacturer/product info content, 336 bytes (PROTOCOL.md §4.3). Sent at start-up and
// in answer to 0x00C1.
import { paddedString, u32 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { getBytes, putBytes, putString } from './board-info.js';

export const PRODUCT_INFO_LENGTH = 336;
/** Devices use 128-byte name fields at 0x2C and 0xAC (Inferno fills at most 16). */
const LONG_NAME_WIDTH = 0x80;
/** Keep a terminating NUL in the long names. */
const LONG_NAME_MAX = LONG_NAME_WIDTH - 1;

export interface ProductInfo {
  /** Short manufacturer at 0x00 (max 8). */
  manufacturer: string;
  /** 8 bytes at 0x08: devices put their model id here (`LX-DANTE`, or `00…0b` for `_000000000000000b`). */
  modelId: Uint8Array;
  /** 4 bytes at 0x18 (v0.5 "software version"). */
  softwareVersion: readonly number[];
  /** 4 bytes at 0x1C (v0.5: the library version). */
  firmwareVersion: readonly number[];
  /** u32 at 0x24 and 0x28 (v0.5 patch numbers). */
  patchA: number;
  patchB: number;
  /** Manufacturer name at 0x2C. */
  manufacturerName: string;
  /** Model/product name at 0xAC. */
  modelName: string;
  /** 4 bytes at 0x12C (netaudio shows major.minor.byte3); legopc writes the version here too. */
  productVersion: readonly number[];
}

/** `_000000000000000b` (the mDNS `model` form) or 16 hex digits → 8 bytes. */
export function modelIdFromHex(model: string): Uint8Array {
  const hex = model.startsWith('_') ? model.slice(1) : model;
  if (!/^[0-9a-fA-F]{16}$/.test(hex)) throw new RangeError(`model id must be 16 hex digits: ${model}`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function encodingLength(): number {
  return PRODUCT_INFO_LENGTH;
}

export function encode(info: ProductInfo): Buffer {
  const out = Buffer.alloc(PRODUCT_INFO_LENGTH);
  putString(out, 0x00, 8, info.manufacturer);
  out.set(info.modelId.subarray(0, 8), 0x08);
  putBytes(out, 0x18, info.softwareVersion);
  putBytes(out, 0x1c, info.firmwareVersion);
  out.writeUInt32BE(info.patchA >>> 0, 0x24);
  out.writeUInt32BE(info.patchB >>> 0, 0x28);
  putString(out, 0x2c, LONG_NAME_MAX, info.manufacturerName);
  putString(out, 0xac, LONG_NAME_MAX, info.modelName);
  putBytes(out, 0x12c, info.productVersion);
  return out;
}

export function decode(content: Uint8Array): ProductInfo {
  if (content.length < PRODUCT_INFO_LENGTH) {
    throw new DecodeError('truncated', `product info ${content.length} < ${PRODUCT_INFO_LENGTH} bytes`);
  }
  return {
    manufacturer: paddedString(content, 0x00, 8, 'manufacturer'),
    modelId: Uint8Array.from(content.subarray(0x08, 0x10)),
    softwareVersion: getBytes(content, 0x18, 4),
    firmwareVersion: getBytes(content, 0x1c, 4),
    patchA: u32(content, 0x24),
    patchB: u32(content, 0x28),
    manufacturerName: paddedString(content, 0x2c, LONG_NAME_WIDTH, 'manufacturer name'),
    modelName: paddedString(content, 0xac, LONG_NAME_WIDTH, 'model name'),
    productVersion: getBytes(content, 0x12c, 4),
  };
}
