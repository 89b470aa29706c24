// Flow replies, 0x0101 stop and 0x0102 update (PROTOCOL.md §5.1–§5.3, vectors §12.4).
import { need, u16 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { CONTROL_HEADER_LENGTH, decodeControlHeader, writeControlHeader } from '../cmc/control-header.js';
import { FLOW_HANDLE_LENGTH, type FlowHandle, readHandle, writeHandle } from './handle.js';
import { FLOW_STATUS_OK, FLOWS_OPCODE_STOP, FLOWS_OPCODE_UPDATE, FLOWS_START_CODE, MAX_CHANNELS_PER_FLOW } from './limits.js';

export interface FlowReply {
  startCode: number;
  transactionId: number;
  opcode: number;
  status: number;
  /** Present on a successful 0x0100 reply only. */
  handle?: FlowHandle;
}

export function encodeReply(r: FlowReply): Buffer {
  const length = CONTROL_HEADER_LENGTH + (r.handle ? FLOW_HANDLE_LENGTH : 0);
  const out = Buffer.alloc(length);
  writeControlHeader(out, { startCode: r.startCode, length, transactionId: r.transactionId, opcode: r.opcode, status: r.status });
  if (r.handle) writeHandle(out, CONTROL_HEADER_LENGTH, r.handle);
  return out;
}

export function decodeReply(buf: Uint8Array): FlowReply {
  const h = decodeControlHeader(buf);
  const reply: FlowReply = { startCode: h.startCode, transactionId: h.transactionId, opcode: h.opcode, status: h.status };
  if (h.status === FLOW_STATUS_OK && buf.length >= CONTROL_HEADER_LENGTH + FLOW_HANDLE_LENGTH) {
    reply.handle = readHandle(buf, CONTROL_HEADER_LENGTH);
  }
  return reply;
}

export interface FlowStop {
  startCode?: number;
  transactionId: number;
  handle: FlowHandle;
}

export function encodeStop(m: FlowStop): Buffer {
  const length = CONTROL_HEADER_LENGTH + FLOW_HANDLE_LENGTH;
  const out = Buffer.alloc(length);
  writeControlHeader(out, { startCode: m.startCode ?? FLOWS_START_CODE, length, transactionId: m.transactionId, opcode: FLOWS_OPCODE_STOP, status: 0 });
  writeHandle(out, CONTROL_HEADER_LENGTH, m.handle);
  return out;
}

export function decodeStop(buf: Uint8Array): Required<FlowStop> {
  const h = decodeControlHeader(buf);
  if (h.opcode !== FLOWS_OPCODE_STOP) throw new DecodeError('wrong-opcode', `0x${h.opcode.toString(16)}`);
  return { startCode: h.startCode, transactionId: h.transactionId, handle: readHandle(buf, CONTROL_HEADER_LENGTH) };
}

export interface FlowUpdate extends FlowStop {
  /** New TX channel number per slot (0 = empty). */
  channels: number[];
}

export function encodeUpdate(m: FlowUpdate): Buffer {
  const length = CONTROL_HEADER_LENGTH + FLOW_HANDLE_LENGTH + 2 + 2 * m.channels.length;
  const out = Buffer.alloc(length);
  writeControlHeader(out, { startCode: m.startCode ?? FLOWS_START_CODE, length, transactionId: m.transactionId, opcode: FLOWS_OPCODE_UPDATE, status: 0 });
  writeHandle(out, CONTROL_HEADER_LENGTH, m.handle);
  out.writeUInt16BE(m.channels.length, 16);
  m.channels.forEach((c, i) => out.writeUInt16BE(c & 0xffff, 18 + 2 * i));
  return out;
}

export function decodeUpdate(buf: Uint8Array): Required<FlowUpdate> {
  const h = decodeControlHeader(buf);
  if (h.opcode !== FLOWS_OPCODE_UPDATE) throw new DecodeError('wrong-opcode', `0x${h.opcode.toString(16)}`);
  const handle = readHandle(buf, CONTROL_HEADER_LENGTH);
  const n = u16(buf, 16, 'slot count');
  if (n > MAX_CHANNELS_PER_FLOW) throw new DecodeError('too-many-slots', `${n} slots`);
  need(buf, 18, 2 * n, 'slot list');
  const channels: number[] = [];
  for (let i = 0; i < n; i++) channels.push(u16(buf, 18 + 2 * i));
  return { startCode: h.startCode, transactionId: h.transactionId, handle, channels };
}
