// 0x2200 TX flow list reply (PROTOCOL.md §3.12). The request is a page request (paging.ts).
import { PacketWriter, u16, u32 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { type ArcCodec, type ArcMessage, checkedCount, cstrLen, expectHeader, finishPacket, headerFields, needString, startPacket, stringAt } from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';
import { ipv4ToU32, u32ToIpv4 } from '../ipv4.js';
import { checkCapacity, listHead } from './paging.js';

/** Flow type words (§3.12). */
export const TxFlowType = { UNICAST: 0x0011, MULTICAST: 0x0002 } as const;
/** Address record tag in flow lists (0x0802 in flow requests), §3.12. */
export const ADDRESS_TAG = 0x8002;
/** Constant words of the 20-byte names record: 0x0A00, 1, and 0x0010 before the local name (§3.12). */
const NAMES_WORD_0 = 0x0a00;
const NAMES_WORD_1 = 0x0001;
const NAMES_WORD_8 = 0x0010;
/** Descriptor word after bit depth, always 1 (§3.12). */
const DESCRIPTOR_ONE = 0x0001;

export interface TxFlowRecord {
  /** 1…32. */
  id: number;
  multicast: boolean;
  sampleRate: number;
  bitDepth: number;
  /** Destination: the receiver (unicast) or the group (multicast). */
  address: string;
  port: number;
  /** TX channel per slot, 0 = empty slot. */
  channels: number[];
  /** `<flow id>_<process id>`. */
  localFlowName: string;
  /** Unicast only. */
  receiverName?: string;
  receiverFlowName?: string;
}

export interface TxFlowsReply extends ArcMessage {
  capacity: number;
  flows: TxFlowRecord[];
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function writeFlow(w: PacketWriter, f: TxFlowRecord): number {
  const local = w.cstring(f.localFlowName);
  const recv = f.receiverName === undefined ? 0 : w.cstring(f.receiverName);
  const recvFlow = f.receiverFlowName === undefined ? 0 : w.cstring(f.receiverFlowName);
  w.align(4);
  const addr = w.offset;
  w.u16(ADDRESS_TAG).u16(f.port).u32(ipv4ToU32(f.address));
  const names = w.offset;
  w.u16(NAMES_WORD_0).u16(NAMES_WORD_1).u16(recv).u16(recvFlow).u16(NAMES_WORD_8).u16(local).zeros(8);
  const desc = w.offset;
  w.u16(f.id).u16(f.multicast ? TxFlowType.MULTICAST : TxFlowType.UNICAST).u32(f.sampleRate);
  w.u16(0).u16(f.bitDepth).u16(DESCRIPTOR_ONE).u16(f.channels.length).u16(addr);
  for (const c of f.channels) w.u16(c);
  w.u16(names);
  return desc;
}

/** Bytes one flow adds, starting at offset `at` (alignment depends on it). */
export function txFlowLength(f: TxFlowRecord, at: number): number {
  const strings = cstrLen(f.localFlowName) + (f.receiverName === undefined ? 0 : cstrLen(f.receiverName)) +
    (f.receiverFlowName === undefined ? 0 : cstrLen(f.receiverFlowName));
  return align4(at + strings) - at + 8 + 20 + 20 + 2 * f.channels.length;
}

export const txFlowsReply: ArcCodec<TxFlowsReply> = {
  encode(m) {
    checkCapacity(m.capacity, m.flows.length);
    const w = startPacket(m, ArcOpcode.TX_FLOWS, ArcStatus.OK, 256).u8(m.capacity).u8(m.flows.length);
    w.zeros(2 * m.capacity);
    m.flows.forEach((f, i) => w.patchU16(12 + 2 * i, writeFlow(w, f)));
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.TX_FLOWS);
    const head = listHead(buf);
    if (!head) return { ...headerFields(h), capacity: 0, flows: [] };
    const n = checkedCount(buf, head.count, 12, 2, 'TX flow');
    const flows: TxFlowRecord[] = [];
    for (let i = 0; i < n; i++) flows.push(readFlow(buf, u16(buf, 12 + 2 * i)));
    return { ...headerFields(h), capacity: head.capacity, flows };
  },
  encodingLength(m) {
    let at = 12 + 2 * m.capacity;
    for (const f of m.flows) at += txFlowLength(f, at);
    return at;
  },
};

function readFlow(buf: Uint8Array, d: number): TxFlowRecord {
  const type = u16(buf, d + 2, 'flow type');
  if (type !== TxFlowType.UNICAST && type !== TxFlowType.MULTICAST) throw new DecodeError('bad-flow-type', `0x${type.toString(16)}`);
  const n = u16(buf, d + 14, 'slot count');
  checkedCount(buf, n, d + 18, 2, 'flow slot');
  const addr = u16(buf, d + 16, 'address pointer');
  const names = u16(buf, d + 18 + 2 * n, 'names pointer');
  const channels: number[] = [];
  for (let i = 0; i < n; i++) channels.push(u16(buf, d + 18 + 2 * i));
  const f: TxFlowRecord = {
    id: u16(buf, d),
    multicast: type === TxFlowType.MULTICAST,
    sampleRate: u32(buf, d + 4),
    bitDepth: u16(buf, d + 10),
    port: u16(buf, addr + 2, 'flow port'),
    address: u32ToIpv4(u32(buf, addr + 4, 'flow address')),
    channels,
    localFlowName: needString(buf, names + 10, 'local flow name'),
  };
  const recv = stringAt(buf, names + 4, 'receiver name');
  const recvFlow = stringAt(buf, names + 6, 'receiver flow name');
  if (recv !== undefined) f.receiverName = recv;
  if (recvFlow !== undefined) f.receiverFlowName = recvFlow;
  return f;
}
