// 0x0060 versions/board info content, 200 bytes (PROTOCOL.md §4.3 table, offsets from content
// start). Sent at start-up and in answer to 0x0061.
import { need, paddedString, u8 } from '../bytes.js';
import { DecodeError } from '../errors.js';

export const BOARD_INFO_LENGTH = 200;

/** Byte 0x17 capability bits (§4.3, found by trial with DC in the legopc fork). */
export const CAPABILITY_LOW_A = 0x01;
/** 0x01 | 0x02 "seemed needed" together with Reboot (legopc). */
export const CAPABILITY_LOW_B = 0x02;
export const CAPABILITY_IDENTIFY = 0x08;
/** DC offers sample rate / encoding as editable. */
export const CAPABILITY_EDITABLE_RATE_ENCODING = 0x10;
export const CAPABILITY_REBOOT = 0x40;
export const CAPABILITY_FACTORY_RESET = 0x80;

/** Byte 0x14 feature flags. */
export const FEATURE_AES67 = 0x04;
export const FEATURE_LOCKABLE = 0x08;
/** Byte 0x16: has manufacturer name / network configurable (enables DC's Addresses tabs). */
export const INFO_HAS_MANUFACTURER = 0x10;
export const INFO_NETWORK_CONFIGURABLE = 0x40;

/**
 * §4.3: byte 0xBB must be non-zero or DC floods the device with info requests; Inferno uses 0x1F
 * (devices 0x1B).
 */
export const BOARD_INFO_BB = 0x1f;
/**
 * Defaults for the unknown/guessed bytes: the legopc fork's final values (§4.3, §11.14), which it
 * reports enable Identify and Reboot in DC once the CMC 0x3010 exchange works.
 */
export const DEFAULT_FEATURE_FLAGS = 0x00;
export const DEFAULT_BYTE_15 = 0x7c;
export const DEFAULT_INFO_FLAGS = INFO_HAS_MANUFACTURER;
export const DEFAULT_CAPABILITIES = CAPABILITY_REBOOT | CAPABILITY_IDENTIFY | CAPABILITY_LOW_B | CAPABILITY_LOW_A;
/** v0.5 values of bytes 0x23 and 0x27 (meaning unknown). */
export const DEFAULT_BYTE_23 = 2;
export const DEFAULT_BYTE_27 = 1;
export const DEFAULT_BOOT_VERSION: readonly number[] = [1, 0, 0, 0];

export interface BoardInfo {
  /** 4 version bytes (major, minor, patch high, patch low). */
  firmwareVersion: readonly number[];
  hardwareVersion: readonly number[];
  /** Content 0x08–0x0B: devices put a third version here; Inferno leaves it zero. */
  extraVersion: readonly number[];
  /** Short board name at 0x0C (max 8 bytes). */
  boardName: string;
  featureFlags: number;
  byte15: number;
  infoFlags: number;
  capabilities: number;
  byte23: number;
  byte27: number;
  bootVersion: readonly number[];
  /** Long board name at 0x38 (max 16 bytes in Inferno; devices use more). */
  boardLongName: string;
  byteBB: number;
  /** Bytes 0xBF, 0xC3, 0xC7 (unknown; a device had 5, 3, 3). */
  tailBytes: readonly number[];
}

export function defaultBoardInfo(boardName: string, firmwareVersion: readonly number[]): BoardInfo {
  return {
    firmwareVersion,
    hardwareVersion: [4, 1, 0, 3],
    extraVersion: [0, 0, 0, 0],
    boardName,
    featureFlags: DEFAULT_FEATURE_FLAGS,
    byte15: DEFAULT_BYTE_15,
    infoFlags: DEFAULT_INFO_FLAGS,
    capabilities: DEFAULT_CAPABILITIES,
    byte23: DEFAULT_BYTE_23,
    byte27: DEFAULT_BYTE_27,
    bootVersion: DEFAULT_BOOT_VERSION,
    boardLongName: boardName,
    byteBB: BOARD_INFO_BB,
    tailBytes: [0, 0, 0],
  };
}

export function encodingLength(): number {
  return BOARD_INFO_LENGTH;
}

export function encode(info: BoardInfo): Buffer {
  const out = Buffer.alloc(BOARD_INFO_LENGTH);
  putBytes(out, 0x00, info.firmwareVersion);
  putBytes(out, 0x04, info.hardwareVersion);
  putBytes(out, 0x08, info.extraVersion);
  putString(out, 0x0c, 8, info.boardName);
  out[0x14] = info.featureFlags & 0xff;
  out[0x15] = info.byte15 & 0xff;
  out[0x16] = info.infoFlags & 0xff;
  out[0x17] = info.capabilities & 0xff;
  out[0x23] = info.byte23 & 0xff;
  out[0x27] = info.byte27 & 0xff;
  putBytes(out, 0x28, info.bootVersion);
  putString(out, 0x38, 16, info.boardLongName);
  out[0xbb] = info.byteBB & 0xff;
  const [a = 0, b = 0, c = 0] = info.tailBytes;
  out[0xbf] = a & 0xff;
  out[0xc3] = b & 0xff;
  out[0xc7] = c & 0xff;
  return out;
}

export function decode(content: Uint8Array): BoardInfo {
  if (content.length < BOARD_INFO_LENGTH) {
    throw new DecodeError('truncated', `board info ${content.length} < ${BOARD_INFO_LENGTH} bytes`);
  }
  return {
    firmwareVersion: getBytes(content, 0x00, 4),
    hardwareVersion: getBytes(content, 0x04, 4),
    extraVersion: getBytes(content, 0x08, 4),
    boardName: paddedString(content, 0x0c, 8, 'board name'),
    featureFlags: u8(content, 0x14),
    byte15: u8(content, 0x15),
    infoFlags: u8(content, 0x16),
    capabilities: u8(content, 0x17),
    byte23: u8(content, 0x23),
    byte27: u8(content, 0x27),
    bootVersion: getBytes(content, 0x28, 4),
    boardLongName: paddedString(content, 0x38, 0x80, 'board long name'),
    byteBB: u8(content, 0xbb),
    tailBytes: [u8(content, 0xbf), u8(content, 0xc3), u8(content, 0xc7)],
  };
}

// Shared by the fixed-layout info codecs.
export function putBytes(out: Buffer, off: number, bytes: readonly number[], width = 4): void {
  for (let i = 0; i < width; i++) out[off + i] = (bytes[i] ?? 0) & 0xff;
}

export function getBytes(buf: Uint8Array, off: number, width: number): number[] {
  need(buf, off, width);
  return Array.from(buf.subarray(off, off + width));
}

/** NUL-padded string cut to `width` bytes (a name filling the field has no NUL, as in Inferno). */
export function putString(out: Buffer, off: number, width: number, s: string): void {
  const b = Buffer.from(s, 'utf8').subarray(0, width);
  out.set(b, off);
}
