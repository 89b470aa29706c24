// The 10-byte header shared by ARC, CMC and flows control (PROTOCOL.md §3.1, §4.1, §5):
// start code, total length, transaction id, opcode, status.
import { u16 } from '../bytes.js';
import { DecodeError } from '../errors.js';

export const CONTROL_HEADER_LENGTH = 10;

/** Status words used on the CMC and flows-control ports. */
export const STATUS_REQUEST = 0x0000;
export const STATUS_OK = 0x0001;
/** §3.1 (netaudio notes): what a device answers ARC-framed packets on the CMC port with. */
export const STATUS_CMC_UNSUPPORTED = 0x0020;

export interface ControlHeader {
  startCode: number;
  /** Total payload length including the header. */
  length: number;
  transactionId: number;
  opcode: number;
  status: number;
}

/**
 * Decodes the header and checks that the length field matches the datagram, so a reply can
 * never be built from bytes past the packet.
 */
export function decodeControlHeader(buf: Uint8Array): ControlHeader {
  if (buf.length < CONTROL_HEADER_LENGTH) throw new DecodeError('truncated', `${buf.length}-byte control packet`);
  const length = u16(buf, 2, 'length');
  if (length !== buf.length) {
    throw new DecodeError('length-mismatch', `length field ${length}, datagram ${buf.length}`);
  }
  return {
    startCode: u16(buf, 0, 'start code'),
    length,
    transactionId: u16(buf, 4, 'transaction id'),
    opcode: u16(buf, 6, 'opcode'),
    status: u16(buf, 8, 'status'),
  };
}

/** Writes a header into `out` at 0; `length` must be the final payload length. */
export function writeControlHeader(out: Buffer, h: ControlHeader): void {
  out.writeUInt16BE(h.startCode & 0xffff, 0);
  out.writeUInt16BE(h.length & 0xffff, 2);
  out.writeUInt16BE(h.transactionId & 0xffff, 4);
  out.writeUInt16BE(h.opcode & 0xffff, 6);
  out.writeUInt16BE(h.status & 0xffff, 8);
}

/** A header-only packet (requests without content, error replies). */
export function encodeBareControlPacket(h: Omit<ControlHeader, 'length'>): Buffer {
  const out = Buffer.alloc(CONTROL_HEADER_LENGTH);
  writeControlHeader(out, { ...h, length: CONTROL_HEADER_LENGTH });
  return out;
}

// Re-exported: older modules import the address helpers from here.
export { ipv4Bytes, ipv4String } from '../ipv4.js';
