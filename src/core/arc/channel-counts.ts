// 0x1000 channel counts / capabilities (PROTOCOL.md §3.3). The request is a bare header.
import { u16, u8 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { type ArcCodec, type ArcMessage, expectHeader, finishPacket, headerFields, startPacket } from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';

/** Byte 11 flag bits (v0.5 reading, §3.3). */
export const CountsFlag = {
  TX_RENAMABLE: 0x10,
  TX_MULTICAST: 0x20,
} as const;

/** Content up to and including byte 31; devices add 12 (Inferno, LX-DANTE) or 16 (AVIO) zero bytes. */
const FIXED_END = 32;
/** Zero tail Inferno writes after byte 31 (total reply 44 bytes). */
const DEFAULT_TAIL = 12;

export interface ChannelCountsReply extends ArcMessage {
  /** Byte 10, unknown (devices 0x05/0x07/0x0D/0x01, Inferno 0). */
  unknown10: number;
  /** Byte 11: CountsFlag bits; devices 0xF9. */
  flags: number;
  txCount: number;
  rxCount: number;
  /** 16–17, unknown (v0.5 writes 4; netaudio guesses "tx active"). */
  unknown16: number;
  maxChannelsPerFlow: number;
  /** 20–21, unknown (v0.5 writes 8). */
  unknown20: number;
  maxTxFlows: number;
  maxRxFlows: number;
  /** 26–27 "total channels", not always TX + RX on devices. */
  totalChannels: number;
  /** 28–29, unknown (v0.5 writes 1). */
  unknown28: number;
  /** 30–31: must be non-zero or DC hides the RX channels. */
  rxListEnabled: number;
  /** Bytes after 31 (zeros on every device seen; byte 35 = 4 "locked" per netaudio). */
  tail: Uint8Array;
}

export const channelCountsReply: ArcCodec<ChannelCountsReply> = {
  encode(m) {
    const w = startPacket(m, ArcOpcode.CHANNEL_COUNTS, ArcStatus.OK, 48);
    w.u8(m.unknown10).u8(m.flags).u16(m.txCount).u16(m.rxCount).u16(m.unknown16).u16(m.maxChannelsPerFlow);
    w.u16(m.unknown20).u16(m.maxTxFlows).u16(m.maxRxFlows).u16(m.totalChannels).u16(m.unknown28).u16(m.rxListEnabled);
    w.bytes(m.tail);
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.CHANNEL_COUNTS);
    if (buf.length < FIXED_END) throw new DecodeError('truncated', `${buf.length}-byte 0x1000 reply`);
    return {
      ...headerFields(h),
      unknown10: u8(buf, 10),
      flags: u8(buf, 11),
      txCount: u16(buf, 12),
      rxCount: u16(buf, 14),
      unknown16: u16(buf, 16),
      maxChannelsPerFlow: u16(buf, 18),
      unknown20: u16(buf, 20),
      maxTxFlows: u16(buf, 22),
      maxRxFlows: u16(buf, 24),
      totalChannels: u16(buf, 26),
      unknown28: u16(buf, 28),
      rxListEnabled: u16(buf, 30),
      tail: Uint8Array.from(buf.subarray(FIXED_END)),
    };
  },
  encodingLength(m) {
    return FIXED_END + m.tail.length;
  },
};

/** The v0.5 reply for a device (§12.8): Inferno's values for the unknown fields. */
export function inferChannelCounts(
  msg: ArcMessage,
  d: { txCount: number; rxCount: number; txRenamable: boolean; txMulticast: boolean; maxTxFlows: number; maxRxFlows: number },
): ChannelCountsReply {
  return {
    ...msg,
    unknown10: 0,
    flags: (d.txRenamable ? CountsFlag.TX_RENAMABLE : 0) | (d.txMulticast ? CountsFlag.TX_MULTICAST : 0),
    txCount: d.txCount,
    rxCount: d.rxCount,
    unknown16: V05_UNKNOWN16,
    maxChannelsPerFlow: Math.min(MAX_CHANNELS_PER_FLOW, d.txCount),
    unknown20: V05_UNKNOWN20,
    maxTxFlows: d.maxTxFlows,
    maxRxFlows: d.maxRxFlows,
    totalChannels: d.txCount + d.rxCount,
    unknown28: V05_UNKNOWN28,
    rxListEnabled: 1,
    tail: new Uint8Array(DEFAULT_TAIL),
  };
}

/** Inferno v0.5's values for fields of unknown meaning (§3.3). */
const V05_UNKNOWN16 = 4;
const V05_UNKNOWN20 = 8;
const V05_UNKNOWN28 = 1;
/** Channels per flow Inferno offers (min(8, TX), §3.3). */
export const MAX_CHANNELS_PER_FLOW = 8;
