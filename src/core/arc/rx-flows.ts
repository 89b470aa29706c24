// 0x3200 RX flow list reply (PROTOCOL.md §3.14). The request is a page request (paging.ts).
import { PacketWriter, u16, u32 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { type ArcCodec, type ArcMessage, checkedCount, expectHeader, finishPacket, headerFields, startPacket } from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';
import { ipv4ToU32, u32ToIpv4 } from '../ipv4.js';
import { checkCapacity, listHead } from './paging.js';
import { ADDRESS_TAG } from './tx-flows.js';

/** Constant words of the latency record (u16 9, u16 1, u16 0x0800, u16 0) and descriptor (§3.14). */
const LATENCY_HEAD = [0x0009, 0x0001, 0x0800, 0x0000] as const;
const DESCRIPTOR_WORD_2 = 0x0001;
const DESCRIPTOR_ONE = 0x0001;

export interface RxFlowRecord {
  id: number;
  sampleRate: number;
  bitDepth: number;
  /** Own IPv4 address and local port (multicast: the group port). */
  address: string;
  port: number;
  latencyNs: number;
  /** Per slot, the local RX channels fed from it. */
  slots: number[][];
}

export interface RxFlowsReply extends ArcMessage {
  capacity: number;
  /** Words per slot bitmask: max(1, ⌈RX channels / 16⌉). */
  maskWords: number;
  flows: RxFlowRecord[];
}

export function maskWordsFor(rxChannelCount: number): number {
  return Math.max(1, Math.ceil(rxChannelCount / 16));
}

/**
 * Bitmask word order for devices with more than 16 RX channels. Guess (§3.14 only says bit i =
 * RX channel i+1): the first word carries channels 1–16.
 */
function maskWordOf(channel: number): { word: number; bit: number } {
  return { word: Math.floor((channel - 1) / 16), bit: (channel - 1) % 16 };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function writeFlow(w: PacketWriter, f: RxFlowRecord, words: number): number {
  w.align(4);
  const addr = w.offset;
  w.u16(ADDRESS_TAG).u16(f.port).u32(ipv4ToU32(f.address));
  const latency = w.offset;
  for (const v of LATENCY_HEAD) w.u16(v);
  w.u32(f.latencyNs).u32(0);
  const masks = f.slots.map((channels) => {
    const at = w.offset;
    const mask = new Array<number>(words).fill(0);
    for (const c of channels) {
      const { word, bit } = maskWordOf(c);
      if (c < 1 || word >= words) throw new RangeError(`RX channel ${c} outside ${words}-word mask`);
      mask[word]! |= 1 << bit;
    }
    for (const m of mask) w.u16(m);
    return at;
  });
  w.align(4);
  const desc = w.offset;
  w.u16(f.id).u16(DESCRIPTOR_WORD_2).u32(f.sampleRate).u16(0).u16(f.bitDepth).u16(DESCRIPTOR_ONE);
  w.u16(f.slots.length).u16(words).u16(addr);
  for (const m of masks) w.u16(m);
  w.u16(latency);
  return desc;
}

export const rxFlowsReply: ArcCodec<RxFlowsReply> = {
  encode(m) {
    checkCapacity(m.capacity, m.flows.length);
    const w = startPacket(m, ArcOpcode.RX_FLOWS, ArcStatus.OK, 256).u8(m.capacity).u8(m.flows.length);
    w.zeros(2 * m.capacity);
    m.flows.forEach((f, i) => w.patchU16(12 + 2 * i, writeFlow(w, f, m.maskWords)));
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.RX_FLOWS);
    const head = listHead(buf);
    if (!head) return { ...headerFields(h), capacity: 0, maskWords: 1, flows: [] };
    const n = checkedCount(buf, head.count, 12, 2, 'RX flow');
    const flows: RxFlowRecord[] = [];
    let maskWords = 1;
    for (let i = 0; i < n; i++) {
      const r = readFlow(buf, u16(buf, 12 + 2 * i));
      maskWords = r.words;
      flows.push(r.flow);
    }
    return { ...headerFields(h), capacity: head.capacity, maskWords, flows };
  },
  encodingLength(m) {
    let at = 12 + 2 * m.capacity;
    for (const f of m.flows) {
      at = align4(align4(at) + 8 + 16 + 2 * m.maskWords * f.slots.length) + 22 + 2 * f.slots.length;
    }
    return at;
  },
};

function readFlow(buf: Uint8Array, d: number): { flow: RxFlowRecord; words: number } {
  const n = u16(buf, d + 14, 'slot count');
  const words = u16(buf, d + 16, 'mask words');
  if (words === 0) throw new DecodeError('bad-mask', 'zero mask words');
  checkedCount(buf, n, d + 20, 2, 'flow slot');
  const addr = u16(buf, d + 18, 'address pointer');
  const latency = u16(buf, d + 20 + 2 * n, 'latency pointer');
  const slots: number[][] = [];
  for (let s = 0; s < n; s++) {
    const at = u16(buf, d + 20 + 2 * s);
    const channels: number[] = [];
    for (let i = 0; i < words; i++) {
      const m = u16(buf, at + 2 * i, 'slot mask');
      for (let b = 0; b < 16; b++) if (m & (1 << b)) channels.push(16 * i + b + 1);
    }
    slots.push(channels);
  }
  return {
    words,
    flow: {
      id: u16(buf, d),
      sampleRate: u32(buf, d + 4),
      bitDepth: u16(buf, d + 10),
      port: u16(buf, addr + 2, 'flow port'),
      address: u32ToIpv4(u32(buf, addr + 4, 'flow address')),
      latencyNs: u32(buf, latency + 8, 'flow latency'),
      slots,
    },
  };
}
