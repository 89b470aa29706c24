// Heartbeat datagrams (0xFFFE → 224.0.0.233:8708 once per second, PROTOCOL.md §4.4).
import { DecodeError } from '../errors.js';
import {
  clockBlock,
  decodeBlocks,
  type HeartbeatBlock,
  latePacketsBlock,
  type LevelMeters,
  levelsBlock,
  type ReceiveLatency,
  receiveLatencyBlock,
  type Utilisation,
  utilisationBlock,
} from './heartbeat-blocks.js';
import { type ConmonHeader, ConmonSequence, conmonContent, decodeConmonHeader, encodeConmonPacket, START_CODE_HEARTBEAT } from './header.js';

export * from './heartbeat-blocks.js';

/** Header bytes 24–31 of every heartbeat: `00 08 00 01 10 00 00 00` (Inferno and an LX-DANTE). */
export const HEARTBEAT_VERSION = 0x0008;
export const HEARTBEAT_MESSAGE_TYPE = 0x0001;
export const HEARTBEAT_TAIL = 0x10000000;

/**
 * §11.13 open question: upstream v0.5 sends one datagram (0x8001, 0x8002, 0x8003) and reports DC
 * showing latency and meters; the legopc fork sends two (0x8000 + 0x8001 [+ 0x8002], then
 * 0x8003 + 0x8004) after Shure captures. Switch here if DC misses statistics.
 */
export type HeartbeatShape = 'single' | 'split';
export const HEARTBEAT_SHAPE: HeartbeatShape = 'single';

export interface HeartbeatInput {
  processId: number;
  deviceId: Uint8Array;
  /** Absent while there is no clock: the heartbeat then has no content at all (v0.5). */
  clock?: { frequencyOffsetPpb: number };
  /** Level meters (0x8002), when the application supplies buffers. */
  levels?: LevelMeters;
  /** Receive latency per RX flow slot (0x8003), while the receiver runs. */
  receiveLatency?: ReceiveLatency;
  /** Split shape only: 0x8000 utilisation (zeros if absent). */
  utilisation?: Utilisation;
  /** Split shape only: late/lost packets per RX flow slot (0x8004; zeros if absent). */
  latePackets?: ArrayLike<number>;
}

const ZERO_UTILISATION: Utilisation = { txBytesPerSecond: 0, rxBytesPerSecond: 0, txErrors: 0, rxErrors: 0 };

/**
 * The datagrams of one heartbeat. `heartbeatCount` (1, 2, … per second) is the block counter of
 * the split shape, where each datagram group counts from 1; the single shape uses the packet
 * sequence number as v0.5 does.
 */
export function buildHeartbeats(
  input: HeartbeatInput,
  sequence: ConmonSequence,
  heartbeatCount: number,
  shape: HeartbeatShape = HEARTBEAT_SHAPE,
): Buffer[] {
  const packet = (content?: Uint8Array, seq = sequence.next()) =>
    encodeConmonPacket(
      {
        startCode: START_CODE_HEARTBEAT,
        sequence: seq,
        processId: input.processId,
        deviceId: input.deviceId,
        version: HEARTBEAT_VERSION,
        messageType: HEARTBEAT_MESSAGE_TYPE,
        tail: HEARTBEAT_TAIL,
      },
      content,
    );
  if (!input.clock) return [packet()];
  if (shape === 'single') {
    const seq = sequence.next();
    const blocks = [clockBlock(seq, input.clock.frequencyOffsetPpb)];
    if (input.levels) blocks.push(levelsBlock(seq, input.levels));
    if (input.receiveLatency) blocks.push(receiveLatencyBlock(seq, input.receiveLatency));
    return [packet(Buffer.concat(blocks), seq)];
  }
  const first = [utilisationBlock(heartbeatCount, input.utilisation ?? ZERO_UTILISATION), clockBlock(heartbeatCount, input.clock.frequencyOffsetPpb)];
  if (input.levels) first.push(levelsBlock(heartbeatCount, input.levels));
  const out = [packet(Buffer.concat(first))];
  if (input.receiveLatency) {
    const second = [receiveLatencyBlock(heartbeatCount, input.receiveLatency), latePacketsBlock(heartbeatCount, input.latePackets ?? [])];
    out.push(packet(Buffer.concat(second)));
  }
  return out;
}

export interface Heartbeat {
  header: ConmonHeader;
  blocks: HeartbeatBlock[];
}

export function decodeHeartbeat(buf: Uint8Array): Heartbeat {
  const header = decodeConmonHeader(buf);
  if (header.startCode !== START_CODE_HEARTBEAT) throw new DecodeError('not-a-heartbeat', `start code 0x${header.startCode.toString(16)}`);
  return { header, blocks: decodeBlocks(conmonContent(buf, header)) };
}
