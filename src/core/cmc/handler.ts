// Pure request → reply logic of the CMC port (PROTOCOL.md §4.1). The caller sends `reply` back to
// the request's source address and counts `drop` reasons.
import { DecodeError } from '../errors.js';
import {
  CONTROL_HEADER_LENGTH,
  decodeControlHeader,
  STATUS_CMC_UNSUPPORTED,
  STATUS_OK,
  STATUS_REQUEST,
  writeControlHeader,
} from './control-header.js';
import {
  CMC_OPCODE_REGISTER,
  CMC_REPLY_START_CODE,
  type CmcDevice,
  decodeRegisterRequest,
  encodeRegisterReply,
} from './register.js';

/** DC polls this about every 3 s; the legopc fork's echo is what enables Device Config (§4.1). */
export const CMC_OPCODE_POLL = 0x3010;

export interface CmcResult {
  reply?: Buffer;
  drop?: string;
}

// Conmon traffic that lands on the CMC port (netaudio fixtures show some) is not ARC-framed.
const CONMON_START_CODES = new Set([0xffff, 0xfffe]);

export function handleCmcRequest(packet: Uint8Array, device: CmcDevice): CmcResult {
  try {
    if (packet.length >= 2 && CONMON_START_CODES.has((packet[0]! << 8) | packet[1]!)) return { drop: 'conmon-on-cmc-port' };
    const h = decodeControlHeader(packet);
    if (h.status !== STATUS_REQUEST) return { drop: 'not-a-request' };
    switch (h.opcode) {
      case CMC_OPCODE_REGISTER: {
        const req = decodeRegisterRequest(packet);
        return { reply: encodeRegisterReply({ ...device, transactionId: req.transactionId }) };
      }
      case CMC_OPCODE_POLL:
        return { reply: echoPoll(packet) };
      default: {
        const out = Buffer.alloc(CONTROL_HEADER_LENGTH);
        writeControlHeader(out, { ...h, startCode: CMC_REPLY_START_CODE, length: CONTROL_HEADER_LENGTH, status: STATUS_CMC_UNSUPPORTED });
        return { reply: out };
      }
    }
  } catch (e) {
    if (e instanceof DecodeError) return { drop: e.reason };
    throw e;
  }
}

/** §4.1 (legopc fork): same opcode and content, status OK; a real device's reply is undocumented. */
function echoPoll(packet: Uint8Array): Buffer {
  const out = Buffer.from(packet);
  out.writeUInt16BE(CMC_REPLY_START_CODE, 0);
  out.writeUInt16BE(STATUS_OK, 8);
  return out;
}
