// The 32-byte info/conmon header (PROTOCOL.md §4.2), used by requests to port 8700, the 8702
// notifications (start code 0xFFFF) and the 8708 heartbeat (0xFFFE).
import { need, u16, u32 } from '../bytes.js';
import { DecodeError } from '../errors.js';

export const CONMON_HEADER_LENGTH = 32;
export const START_CODE_CONMON = 0xffff;
export const START_CODE_HEARTBEAT = 0xfffe;
export const CONMON_VENDOR = 'Audinate';
/** §4.2: Inferno's "version" word; devices use 0x0724…0x0738 and receivers ignore the second byte. */
export const CONMON_VERSION = 0x072a;
/** §4.3: requests are matched on their first version byte `07 ??`. */
export const CONMON_VERSION_MAJOR = 0x07;

/** Multicast destinations the caller sends our conmon packets to (§1.2). */
export const CONMON_MULTICAST_GROUP = '224.0.0.231';
export const CONMON_MULTICAST_PORT = 8702;
export const HEARTBEAT_MULTICAST_GROUP = '224.0.0.233';
export const HEARTBEAT_MULTICAST_PORT = 8708;

export interface ConmonHeader {
  startCode: number;
  /** Total length including the header. */
  length: number;
  sequence: number;
  processId: number;
  /** 8 bytes. */
  deviceId: Uint8Array;
  /** Normally `Audinate`; kept as read so odd senders still decode. */
  vendor: string;
  version: number;
  messageType: number;
  /** Bytes 28–31: 0 in Inferno's messages, 0x64 in most DC/netaudio requests. */
  tail: number;
}

/** The fields a sender chooses; length, vendor and (by default) version are filled in. */
export interface ConmonHeaderInit {
  startCode?: number;
  sequence: number;
  processId: number;
  deviceId: Uint8Array;
  version?: number;
  messageType: number;
  tail?: number;
}

/**
 * Decodes the header. The length field must lie between 32 and the datagram size; bytes after it
 * are ignored.
 */
export function decodeConmonHeader(buf: Uint8Array): ConmonHeader {
  need(buf, 0, CONMON_HEADER_LENGTH, 'conmon header');
  const startCode = u16(buf, 0);
  if (startCode !== START_CODE_CONMON && startCode !== START_CODE_HEARTBEAT) {
    throw new DecodeError('bad-start-code', `0x${startCode.toString(16)}`);
  }
  const length = u16(buf, 2);
  if (length < CONMON_HEADER_LENGTH || length > buf.length) {
    throw new DecodeError('length-mismatch', `length field ${length}, datagram ${buf.length}`);
  }
  let vendorEnd = 16;
  while (vendorEnd < 24 && buf[vendorEnd] !== 0) vendorEnd++;
  return {
    startCode,
    length,
    sequence: u16(buf, 4),
    processId: u16(buf, 6),
    deviceId: Uint8Array.from(buf.subarray(8, 16)),
    vendor: Buffer.from(buf.buffer, buf.byteOffset + 16, vendorEnd - 16).toString('latin1'),
    version: u16(buf, 24),
    messageType: u16(buf, 26),
    tail: u32(buf, 28),
  };
}

/** The content bytes (after the header, up to the length field). */
export function conmonContent(buf: Uint8Array, h: ConmonHeader): Uint8Array {
  return buf.subarray(CONMON_HEADER_LENGTH, h.length);
}

/** Builds a whole packet: header + `content`. */
export function encodeConmonPacket(init: ConmonHeaderInit, content: Uint8Array = new Uint8Array(0)): Buffer {
  if (init.deviceId.length !== 8) throw new RangeError(`device id must be 8 bytes, got ${init.deviceId.length}`);
  const length = CONMON_HEADER_LENGTH + content.length;
  if (length > 0xffff) throw new RangeError(`conmon packet too long: ${length}`);
  const out = Buffer.alloc(length);
  out.writeUInt16BE(init.startCode ?? START_CODE_CONMON, 0);
  out.writeUInt16BE(length, 2);
  out.writeUInt16BE(init.sequence & 0xffff, 4);
  out.writeUInt16BE(init.processId & 0xffff, 6);
  out.set(init.deviceId, 8);
  out.write(CONMON_VENDOR, 16, 8, 'latin1');
  out.writeUInt16BE((init.version ?? CONMON_VERSION) & 0xffff, 24);
  out.writeUInt16BE(init.messageType & 0xffff, 26);
  out.writeUInt32BE((init.tail ?? 0) >>> 0, 28);
  out.set(content, CONMON_HEADER_LENGTH);
  return out;
}

/**
 * One sequence counter per device for all its conmon and heartbeat multicasts (§4.2): starts at 1,
 * +1 per packet, wraps at 16 bits.
 */
export class ConmonSequence {
  private value: number;

  constructor(first = 1) {
    this.value = first & 0xffff;
  }

  /** The number for the next packet. */
  next(): number {
    const v = this.value;
    this.value = (this.value + 1) & 0xffff;
    return v;
  }

  peek(): number {
    return this.value;
  }
}
