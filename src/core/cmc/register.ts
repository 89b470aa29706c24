// CMC 0x1001 "register" (PROTOCOL.md §4.1, vector §12.2): a controller announces its id, the device
// answers with its process id, device id, IPv4 and the conmon request port.
import { need, u16 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { CONTROL_HEADER_LENGTH, decodeControlHeader, ipv4Bytes, ipv4String, STATUS_OK, writeControlHeader } from './control-header.js';

export const CMC_OPCODE_REGISTER = 0x1001;
/**
 * §4.1 (legopc fork): replies always carry start code 0x1200, whatever the request used; current DC
 * sends 0x1000 and only enables Device Config once it sees 0x1200 (empirical, §11.14).
 */
export const CMC_REPLY_START_CODE = 0x1200;
export const CMC_REGISTER_REQUEST_LENGTH = 20;
export const CMC_REGISTER_REPLY_LENGTH = 32;

export interface CmcRegisterRequest {
  startCode: number;
  transactionId: number;
  /** Controller id: its MAC + `00 00`. */
  controllerId: Uint8Array;
}

export interface CmcDevice {
  processId: number;
  /** 8 bytes. */
  deviceId: Uint8Array;
  /** Dotted IPv4 address the device is reachable at. */
  ip: string;
  /** Conmon request port (8700 unless ALT_PORT moves it). */
  infoPort: number;
}

export interface CmcRegisterReply extends CmcDevice {
  transactionId: number;
}

export function decodeRegisterRequest(buf: Uint8Array): CmcRegisterRequest {
  const h = decodeControlHeader(buf);
  if (h.opcode !== CMC_OPCODE_REGISTER) throw new DecodeError('wrong-opcode', `0x${h.opcode.toString(16)}`);
  need(buf, 12, 8, 'controller id');
  return {
    startCode: h.startCode,
    transactionId: h.transactionId,
    controllerId: Uint8Array.from(buf.subarray(12, 20)),
  };
}

export function encodeRegisterRequest(req: CmcRegisterRequest): Buffer {
  checkId(req.controllerId, 'controller id');
  const out = Buffer.alloc(CMC_REGISTER_REQUEST_LENGTH);
  writeControlHeader(out, {
    startCode: req.startCode,
    length: CMC_REGISTER_REQUEST_LENGTH,
    transactionId: req.transactionId,
    opcode: CMC_OPCODE_REGISTER,
    status: 0,
  });
  out.set(req.controllerId, 12);
  return out;
}

export function encodeRegisterReply(reply: CmcRegisterReply): Buffer {
  checkId(reply.deviceId, 'device id');
  const out = Buffer.alloc(CMC_REGISTER_REPLY_LENGTH);
  writeControlHeader(out, {
    startCode: CMC_REPLY_START_CODE,
    length: CMC_REGISTER_REPLY_LENGTH,
    transactionId: reply.transactionId,
    opcode: CMC_OPCODE_REGISTER,
    status: STATUS_OK,
  });
  out.writeUInt16BE(reply.processId & 0xffff, 10);
  out.set(reply.deviceId, 12);
  out.writeUInt16BE(0x0001, 20);
  out.writeUInt16BE(0x0000, 22);
  out.set(ipv4Bytes(reply.ip), 24);
  out.writeUInt16BE(reply.infoPort & 0xffff, 28);
  return out;
}

export function decodeRegisterReply(buf: Uint8Array): CmcRegisterReply {
  const h = decodeControlHeader(buf);
  if (h.opcode !== CMC_OPCODE_REGISTER) throw new DecodeError('wrong-opcode', `0x${h.opcode.toString(16)}`);
  need(buf, CONTROL_HEADER_LENGTH, CMC_REGISTER_REPLY_LENGTH - CONTROL_HEADER_LENGTH, 'register reply');
  return {
    transactionId: h.transactionId,
    processId: u16(buf, 10),
    deviceId: Uint8Array.from(buf.subarray(12, 20)),
    ip: ipv4String(buf, 24),
    infoPort: u16(buf, 28),
  };
}

function checkId(id: Uint8Array, what: string): void {
  if (id.length !== 8) throw new RangeError(`${what} must be 8 bytes, got ${id.length}`);
}
