// The 10-byte ARC header (PROTOCOL.md §3.1) and helpers shared by every ARC codec.
import { PacketWriter, cstring, u16 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { ArcStatus } from './constants.js';

export const ARC_HEADER_LENGTH = 10;

export interface ArcHeader {
  protocolId: number;
  /** Whole payload length, header included. */
  length: number;
  transactionId: number;
  opcode: number;
  status: number;
}

/** Header fields every ARC message carries; `length` and `opcode` are implied by the codec. */
export interface ArcMessage {
  protocolId: number;
  transactionId: number;
  /** 0 in requests; a reply status otherwise (defaults per codec). */
  status?: number;
}

export interface ArcCodec<T> {
  encode(msg: T): Buffer;
  decode(buf: Uint8Array): T;
  encodingLength(msg: T): number;
}

/** Reads the header; checks only that 10 bytes are there (length agreement is `checkLength`). */
export function decodeHeader(buf: Uint8Array): ArcHeader {
  if (buf.length < ARC_HEADER_LENGTH) throw new DecodeError('short', `${buf.length}-byte ARC packet`);
  return {
    protocolId: u16(buf, 0),
    length: u16(buf, 2),
    transactionId: u16(buf, 4),
    opcode: u16(buf, 6),
    status: u16(buf, 8),
  };
}

/** The length field must equal the datagram length. */
export function checkLength(buf: Uint8Array, h: ArcHeader): void {
  if (h.length !== buf.length) {
    throw new DecodeError('length-mismatch', `length field ${h.length}, datagram ${buf.length}`);
  }
}

/** Decodes and validates the header of a message of a known opcode. */
export function expectHeader(buf: Uint8Array, opcode: number): ArcHeader {
  const h = decodeHeader(buf);
  checkLength(buf, h);
  if (h.opcode !== opcode) {
    throw new DecodeError('wrong-opcode', `opcode 0x${h.opcode.toString(16)}, want 0x${opcode.toString(16)}`);
  }
  return h;
}

/** Starts a packet: header with a zero length that `finishPacket` patches. */
export function startPacket(msg: ArcMessage, opcode: number, defaultStatus: number, initial = 64): PacketWriter {
  return new PacketWriter(initial)
    .u16(msg.protocolId)
    .u16(0)
    .u16(msg.transactionId)
    .u16(opcode)
    .u16(msg.status ?? defaultStatus);
}

export function finishPacket(w: PacketWriter): Buffer {
  w.patchU16(2, w.offset);
  return w.finish();
}

export function headerFields(h: ArcHeader): ArcMessage {
  return { protocolId: h.protocolId, transactionId: h.transactionId, status: h.status };
}

/** True for statuses whose reply carries content (OK and "more pages"). */
export function hasContent(status: number): boolean {
  return status === ArcStatus.OK || status === ArcStatus.MORE_PAGES;
}

/** A header-only message: requests without content and replies without content. */
export interface ArcBareMessage extends ArcMessage {
  opcode: number;
}

export const bareMessage: ArcCodec<ArcBareMessage> = {
  encode(msg) {
    return finishPacket(startPacket(msg, msg.opcode, ArcStatus.REQUEST, ARC_HEADER_LENGTH));
  },
  decode(buf) {
    const h = decodeHeader(buf);
    checkLength(buf, h);
    if (buf.length !== ARC_HEADER_LENGTH) throw new DecodeError('unexpected-content', `${buf.length}-byte bare message`);
    return { ...headerFields(h), opcode: h.opcode };
  },
  encodingLength() {
    return ARC_HEADER_LENGTH;
  },
};

/** Byte length of `s` + NUL. */
export function cstrLen(s: string): number {
  return Buffer.byteLength(s, 'utf8') + 1;
}

/** Reads a string behind a u16 pointer that must point past the header (0 → undefined). */
export function stringAt(buf: Uint8Array, ptrOff: number, what: string): string | undefined {
  const ptr = u16(buf, ptrOff, `${what} pointer`);
  if (ptr === 0) return undefined;
  if (ptr < ARC_HEADER_LENGTH) throw new DecodeError('bad-pointer', `${what} pointer ${ptr} inside header`);
  return cstring(buf, ptr, what);
}

/** A u8 count whose records of `size` bytes from `at` must fit in the packet. */
export function checkedCount(buf: Uint8Array, count: number, at: number, size: number, what: string): number {
  if (at + count * size > buf.length) {
    throw new DecodeError('count-overflow', `${count} ${what} records do not fit in ${buf.length} bytes`);
  }
  return count;
}

/** A string behind a pointer that must be present. */
export function needString(buf: Uint8Array, ptrOff: number, what: string): string {
  const s = stringAt(buf, ptrOff, what);
  if (s === undefined) throw new DecodeError('missing-string', `${what} pointer is 0`);
  return s;
}

/** Channel numbers are 1-based; 0 in a record is malformed. */
export function channelNumber(buf: Uint8Array, off: number, what = 'channel number'): number {
  const n = u16(buf, off, what);
  if (n === 0) throw new DecodeError('channel-zero', `${what} 0 at ${off}`);
  return n;
}
