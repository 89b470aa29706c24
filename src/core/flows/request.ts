// 0x0100 "request a unicast flow", receiver → transmitter (PROTOCOL.md §5.1, vector §12.4).
import { cstring, need, u16, u32 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { CONTROL_HEADER_LENGTH, decodeControlHeader, ipv4Bytes, ipv4String, writeControlHeader } from '../cmc/control-header.js';
import {
  FLOW_STATUS_INVALID,
  FLOW_STATUS_OK,
  FLOW_STATUS_RATE_MISMATCH,
  FLOWS_OPCODE_REQUEST,
  FLOWS_START_CODE,
  MAX_CHANNELS_PER_FLOW,
  MAX_FRAMES_PER_PACKET,
  MIN_FRAMES_PER_PACKET,
  MIN_REQUEST_CONTENT,
  SUPPORTED_BIT_DEPTHS,
} from './limits.js';

/** Constant words of the request (§11.1: meaning unknown). */
const REQUEST_WORD_20 = 0x0001;
const PARAM_WORD_0 = 0x0a00;
const PARAM_WORD_1 = 0x0002;
/** Address descriptor tag (0x8002 in flow lists, §11.1). */
export const FLOW_ADDRESS_TAG = 0x0802;

export interface FlowRequest {
  startCode?: number;
  transactionId: number;
  receiverName: string;
  flowName: string;
  sampleRate: number;
  bitsPerSample: number;
  /** TX channel number per slot (1-based; 0 = empty slot, sent as silence). */
  channels: number[];
  framesPerPacket: number;
  receiverIp: string;
  receiverPort: number;
}

export interface DecodedFlowRequest extends Required<FlowRequest> {
  /** Word at 20 (Inferno warns unless 1). */
  word20: number;
  addressTag: number;
}

export function encodingLength(req: FlowRequest): number {
  const n = req.channels.length;
  const strings = Buffer.byteLength(req.receiverName) + 1 + Buffer.byteLength(req.flowName) + 1;
  const addr = align8(48 + 2 * n + strings);
  return addr + 8;
}

export function encode(req: FlowRequest): Buffer {
  const n = req.channels.length;
  const length = encodingLength(req);
  const out = Buffer.alloc(length);
  writeControlHeader(out, {
    startCode: req.startCode ?? FLOWS_START_CODE,
    length,
    transactionId: req.transactionId,
    opcode: FLOWS_OPCODE_REQUEST,
    status: 0,
  });
  const params = 28 + 2 * n;
  const receiverNameAt = 48 + 2 * n;
  const flowNameAt = receiverNameAt + out.write(req.receiverName, receiverNameAt, 'utf8') + 1;
  out.write(req.flowName, flowNameAt, 'utf8');
  const addr = length - 8;
  out.writeUInt16BE(receiverNameAt, 10);
  out.writeUInt32BE(req.sampleRate >>> 0, 12);
  out.writeUInt32BE(req.bitsPerSample >>> 0, 16);
  out.writeUInt16BE(REQUEST_WORD_20, 20);
  out.writeUInt16BE(n, 22);
  out.writeUInt16BE(addr, 24);
  req.channels.forEach((c, i) => out.writeUInt16BE(c & 0xffff, 26 + 2 * i));
  out.writeUInt16BE(params, 26 + 2 * n);
  out.writeUInt16BE(PARAM_WORD_0, params);
  out.writeUInt16BE(PARAM_WORD_1, params + 2);
  out.writeUInt16BE(req.framesPerPacket & 0xffff, params + 4);
  out.writeUInt16BE(flowNameAt, params + 6);
  out.writeUInt16BE(FLOW_ADDRESS_TAG, addr);
  out.writeUInt16BE(req.receiverPort & 0xffff, addr + 2);
  out.set(ipv4Bytes(req.receiverIp), addr + 4);
  return out;
}

/** Decodes with every pointer and count checked against the packet. */
export function decode(buf: Uint8Array): DecodedFlowRequest {
  const h = decodeControlHeader(buf);
  if (h.opcode !== FLOWS_OPCODE_REQUEST) throw new DecodeError('wrong-opcode', `0x${h.opcode.toString(16)}`);
  if (buf.length - CONTROL_HEADER_LENGTH < MIN_REQUEST_CONTENT) throw new DecodeError('short-request', `${buf.length} bytes`);
  const n = u16(buf, 22, 'slot count');
  need(buf, 26, 2 * n + 2, 'slot list');
  const channels: number[] = [];
  for (let i = 0; i < n; i++) channels.push(u16(buf, 26 + 2 * i));
  const params = u16(buf, 26 + 2 * n, 'parameter pointer');
  if (params < CONTROL_HEADER_LENGTH) throw new DecodeError('bad-pointer', `parameter pointer ${params}`);
  const addr = u16(buf, 24, 'address pointer');
  if (addr < CONTROL_HEADER_LENGTH) throw new DecodeError('bad-pointer', `address pointer ${addr}`);
  need(buf, addr, 8, 'address descriptor');
  return {
    startCode: h.startCode,
    transactionId: h.transactionId,
    receiverName: namedAt(buf, u16(buf, 10, 'receiver name pointer'), 'receiver name'),
    flowName: namedAt(buf, u16(buf, params + 6, 'flow name pointer'), 'flow name'),
    sampleRate: u32(buf, 12, 'sample rate'),
    bitsPerSample: u32(buf, 16, 'bits per sample'),
    word20: u16(buf, 20),
    channels,
    framesPerPacket: u16(buf, params + 4, 'fpp'),
    addressTag: u16(buf, addr),
    receiverPort: u16(buf, addr + 2),
    receiverIp: ipv4String(buf, addr + 4),
  };
}

/** A zero pointer is an absent name; pointers into the header are malformed. */
function namedAt(buf: Uint8Array, ptr: number, what: string): string {
  if (ptr === 0) return '';
  if (ptr < CONTROL_HEADER_LENGTH) throw new DecodeError('bad-pointer', `${what} pointer ${ptr}`);
  return cstring(buf, ptr, what);
}

export interface TransmitterLimits {
  sampleRate: number;
  txChannelCount: number;
}

/**
 * The transmitter's checks (§5.1, §5.6) as a reply status: rate, then fpp, bit depth and channel
 * list. Unlike v0.5 a bad channel is not processed after the error reply.
 */
export function checkFlowRequest(req: DecodedFlowRequest, limits: TransmitterLimits): number {
  if (req.sampleRate !== limits.sampleRate) return FLOW_STATUS_RATE_MISMATCH;
  if (req.framesPerPacket < MIN_FRAMES_PER_PACKET || req.framesPerPacket > MAX_FRAMES_PER_PACKET) return FLOW_STATUS_INVALID;
  if (!SUPPORTED_BIT_DEPTHS.includes(req.bitsPerSample)) return FLOW_STATUS_INVALID;
  if (req.channels.length === 0 || req.channels.length > MAX_CHANNELS_PER_FLOW) return FLOW_STATUS_INVALID;
  if (req.channels.some((c) => c > limits.txChannelCount)) return FLOW_STATUS_INVALID;
  return FLOW_STATUS_OK;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
