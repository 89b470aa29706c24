// Heartbeat sub-blocks (PROTOCOL.md §4.4, vectors §12.3, §12.8). Each block starts with a 12-byte
// head: u16 block size, u16 type, u16 0x0004, u16 size − 12, u16 counter, u16 0.
import { need, i32, u16, u32 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { clampI32 } from './clock-status.js';

export const BLOCK_HEAD_LENGTH = 12;
export const BLOCK_UTILISATION = 0x8000;
export const BLOCK_CLOCK = 0x8001;
export const BLOCK_LEVELS = 0x8002;
export const BLOCK_RECEIVE_LATENCY = 0x8003;
export const BLOCK_LATE_PACKETS = 0x8004;
/** Head word 3 in every known block (meaning unknown, §11.1). */
const HEAD_WORD = 0x0004;
/** §4.4: v0.5 always reports 32 RX flow slots in 0x8003 (an LX-DANTE reports 64). */
export const HEARTBEAT_RX_FLOW_SLOTS = 32;
/** §4.4 (legopc, from a v0.5 comment): constant words after the 0x8000 head. */
const UTILISATION_PREFIX = [0x0010, 0x0000, 0x0001, 0x0010] as const;

export interface LevelMeters {
  /** One level byte per TX channel (see levelByte). */
  tx: ArrayLike<number>;
  rx: ArrayLike<number>;
}

export interface ReceiveLatency {
  sampleRate: number;
  /** Per RX flow slot, largest (now − packet timestamp) in samples since the last heartbeat. */
  maxLatencySamples: ArrayLike<number>;
}

export interface Utilisation {
  txBytesPerSecond: number;
  rxBytesPerSecond: number;
  txErrors: number;
  rxErrors: number;
}

export type HeartbeatBlock =
  | { type: typeof BLOCK_CLOCK; counter: number; frequencyOffsetPpb: number }
  | { type: typeof BLOCK_LEVELS; counter: number; levels: { tx: number[]; rx: number[] } }
  | { type: typeof BLOCK_RECEIVE_LATENCY; counter: number; sampleRate: number; maxLatencySamples: number[] }
  | { type: typeof BLOCK_UTILISATION; counter: number; utilisation: Utilisation }
  | { type: typeof BLOCK_LATE_PACKETS; counter: number; latePackets: number[] }
  | { type: 'unknown'; blockType: number; counter: number; body: Uint8Array };

/**
 * Meter byte for a peak relative to full scale: round(−40·log10(ratio)) clamped to 0…255, so
 * 0 = full scale, one step = −0.5 dB, 255 = silence (§4.4).
 */
export function levelByte(peakRatio: number): number {
  if (!(peakRatio > 0)) return 255;
  const v = Math.round(-40 * Math.log10(peakRatio));
  return v <= 0 ? 0 : v > 255 ? 255 : v;
}

/** Meter byte from the absolute peak of signed 32-bit full-scale samples. */
export function levelFromInt32Peak(peak: number): number {
  return levelByte(Math.abs(peak) / 0x80000000);
}

function head(out: Buffer, off: number, size: number, type: number, counter: number): void {
  out.writeUInt16BE(size, off);
  out.writeUInt16BE(type, off + 2);
  out.writeUInt16BE(HEAD_WORD, off + 4);
  out.writeUInt16BE(size - BLOCK_HEAD_LENGTH, off + 6);
  out.writeUInt16BE(counter & 0xffff, off + 8);
  out.writeUInt16BE(0, off + 10);
}

export function clockBlock(counter: number, frequencyOffsetPpb: number): Buffer {
  const out = Buffer.alloc(16);
  head(out, 0, 16, BLOCK_CLOCK, counter);
  out.writeInt32BE(clampI32(frequencyOffsetPpb), 12);
  return out;
}

export function levelsBlock(counter: number, levels: LevelMeters): Buffer {
  const n = levels.tx.length + levels.rx.length;
  const padded = (n + 3) & ~3;
  const size = 24 + padded;
  const out = Buffer.alloc(size);
  head(out, 0, size, BLOCK_LEVELS, counter);
  out.writeUInt16BE(levels.tx.length, 12);
  out.writeUInt16BE(levels.rx.length, 16);
  out.writeUInt16BE(24, 20);
  let at = 24;
  for (let i = 0; i < levels.tx.length; i++) out[at++] = levels.tx[i]! & 0xff;
  for (let i = 0; i < levels.rx.length; i++) out[at++] = levels.rx[i]! & 0xff;
  return out;
}

function slots(values: ArrayLike<number>, what: string): ArrayLike<number> {
  if (values.length > HEARTBEAT_RX_FLOW_SLOTS) throw new RangeError(`${what}: ${values.length} > ${HEARTBEAT_RX_FLOW_SLOTS} slots`);
  return values;
}

export function receiveLatencyBlock(counter: number, latency: ReceiveLatency): Buffer {
  const values = slots(latency.maxLatencySamples, 'receive latency');
  const size = 24 + 4 * HEARTBEAT_RX_FLOW_SLOTS;
  const out = Buffer.alloc(size);
  head(out, 0, size, BLOCK_RECEIVE_LATENCY, counter);
  out.writeUInt16BE(HEARTBEAT_RX_FLOW_SLOTS, 12);
  out.writeUInt16BE(24, 16);
  out.writeUInt32BE(latency.sampleRate >>> 0, 20);
  for (let i = 0; i < values.length; i++) out.writeUInt32BE(clampU32(values[i]!), 24 + 4 * i);
  return out;
}

export function utilisationBlock(counter: number, u: Utilisation): Buffer {
  const out = Buffer.alloc(36);
  head(out, 0, 36, BLOCK_UTILISATION, counter);
  UTILISATION_PREFIX.forEach((w, i) => out.writeUInt16BE(w, 12 + 2 * i));
  out.writeUInt32BE(clampU32(u.txBytesPerSecond), 20);
  out.writeUInt32BE(clampU32(u.rxBytesPerSecond), 24);
  out.writeUInt32BE(clampU32(u.txErrors), 28);
  out.writeUInt32BE(clampU32(u.rxErrors), 32);
  return out;
}

export function latePacketsBlock(counter: number, latePackets: ArrayLike<number>): Buffer {
  const values = slots(latePackets, 'late packets');
  const size = 20 + 4 * HEARTBEAT_RX_FLOW_SLOTS;
  const out = Buffer.alloc(size);
  head(out, 0, size, BLOCK_LATE_PACKETS, counter);
  out.writeUInt16BE(HEARTBEAT_RX_FLOW_SLOTS, 12);
  out.writeUInt16BE(20, 16);
  for (let i = 0; i < values.length; i++) out.writeUInt32BE(clampU32(values[i]!), 20 + 4 * i);
  return out;
}

function clampU32(v: number): number {
  if (!(v > 0)) return 0;
  return v >= 0xffffffff ? 0xffffffff : Math.floor(v);
}

/** Decodes the blocks of a heartbeat's content (everything after the 32-byte header). */
export function decodeBlocks(content: Uint8Array): HeartbeatBlock[] {
  const blocks: HeartbeatBlock[] = [];
  let off = 0;
  while (off < content.length) {
    const size = u16(content, off, 'block size');
    if (size < BLOCK_HEAD_LENGTH) throw new DecodeError('bad-block-size', `block size ${size}`);
    need(content, off, size, 'heartbeat block');
    blocks.push(decodeBlock(content.subarray(off, off + size)));
    off += size;
  }
  return blocks;
}

function u32List(block: Uint8Array, countOff: number, arrayPtrOff: number): number[] {
  const n = u16(block, countOff, 'item count');
  const at = u16(block, arrayPtrOff, 'item array offset');
  need(block, at, 4 * n, 'item array');
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(u32(block, at + 4 * i));
  return out;
}

function decodeBlock(b: Uint8Array): HeartbeatBlock {
  const blockType = u16(b, 2);
  const counter = u16(b, 8);
  switch (blockType) {
    case BLOCK_CLOCK:
      return { type: BLOCK_CLOCK, counter, frequencyOffsetPpb: i32(b, 12, 'frequency offset') };
    case BLOCK_LEVELS: {
      const txCount = u16(b, 12, 'tx count');
      const rxCount = u16(b, 16, 'rx count');
      const at = u16(b, 20, 'levels offset');
      need(b, at, txCount + rxCount, 'levels');
      return {
        type: BLOCK_LEVELS,
        counter,
        levels: { tx: Array.from(b.subarray(at, at + txCount)), rx: Array.from(b.subarray(at + txCount, at + txCount + rxCount)) },
      };
    }
    case BLOCK_RECEIVE_LATENCY:
      return { type: BLOCK_RECEIVE_LATENCY, counter, sampleRate: u32(b, 20, 'sample rate'), maxLatencySamples: u32List(b, 12, 16) };
    case BLOCK_UTILISATION:
      return {
        type: BLOCK_UTILISATION,
        counter,
        utilisation: { txBytesPerSecond: u32(b, 20), rxBytesPerSecond: u32(b, 24), txErrors: u32(b, 28), rxErrors: u32(b, 32) },
      };
    case BLOCK_LATE_PACKETS:
      return { type: BLOCK_LATE_PACKETS, counter, latePackets: u32List(b, 12, 16) };
    default:
      return { type: 'unknown', blockType, counter, body: b.subarray(BLOCK_HEAD_LENGTH) };
  }
}
