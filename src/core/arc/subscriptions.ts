// 0x3010 add/remove subscriptions and 0x3014 bulk remove, requests (PROTOCOL.md §3.8, §3.2).
// Replies are header-only with status OK.
import { u16, u32 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import {
  ARC_HEADER_LENGTH,
  type ArcCodec,
  type ArcMessage,
  channelNumber,
  checkedCount,
  cstrLen,
  expectHeader,
  finishPacket,
  headerFields,
  startPacket,
  stringAt,
} from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';
import { LIST_REQUEST_FLAGS } from './channel-rename.js';

const SUB_RECORD = 6;
/** netaudio zero-pads so the string table starts at 52 or later (§3.8). */
const NETAUDIO_MIN_STRINGS = 52;

export interface SubscriptionRecord {
  rxChannel: number;
  txChannelName?: string;
  txDeviceName?: string;
  /** A non-zero pointer below 10: Inferno logs and skips the record (§3.8). */
  badPointer?: true;
}

/** Both names present = subscribe; otherwise the record unsubscribes (§3.8). */
export function isSubscribe(r: SubscriptionRecord): boolean {
  return r.txChannelName !== undefined && r.txDeviceName !== undefined;
}

export interface SubscribeRequest extends ArcMessage {
  /** Byte 10: 0x02 netaudio, 0x20 DC's 32-record form; ignored. */
  flags: number;
  records: SubscriptionRecord[];
}

function readName(buf: Uint8Array, ptrOff: number, what: string): string | undefined | null {
  const ptr = u16(buf, ptrOff, `${what} pointer`);
  if (ptr !== 0 && ptr < ARC_HEADER_LENGTH) return null;
  return stringAt(buf, ptrOff, what);
}

export const subscribeRequest: ArcCodec<SubscribeRequest> = {
  encode(m) {
    const n = m.records.length;
    if (n > 0xff) throw new RangeError('at most 255 subscription records per request');
    const w = startPacket(m, ArcOpcode.SUBSCRIBE, ArcStatus.REQUEST, 128).u8(m.flags).u8(n);
    w.zeros(Math.max(NETAUDIO_MIN_STRINGS, 12 + SUB_RECORD * n) - 12);
    m.records.forEach((r, i) => {
      const rec = 12 + SUB_RECORD * i;
      w.patchU16(rec, r.rxChannel);
      if (r.txChannelName !== undefined) w.patchU16(rec + 2, w.cstring(r.txChannelName));
      if (r.txDeviceName !== undefined) w.patchU16(rec + 4, w.cstring(r.txDeviceName));
    });
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.SUBSCRIBE);
    const flags = u16(buf, ARC_HEADER_LENGTH, 'list head') >> 8;
    const n = checkedCount(buf, buf[11]!, 12, SUB_RECORD, 'subscription');
    const records: SubscriptionRecord[] = [];
    for (let i = 0; i < n; i++) {
      const rec = 12 + SUB_RECORD * i;
      const rxChannel = channelNumber(buf, rec, 'RX channel');
      const tx = readName(buf, rec + 2, 'TX channel name');
      const dev = readName(buf, rec + 4, 'TX device name');
      const r: SubscriptionRecord = { rxChannel };
      if (tx === null || dev === null) r.badPointer = true;
      else {
        if (tx !== undefined) r.txChannelName = tx;
        if (dev !== undefined) r.txDeviceName = dev;
      }
      records.push(r);
    }
    return { ...headerFields(h), flags, records };
  },
  encodingLength(m) {
    const strings = m.records.reduce(
      (len, r) => len + (r.txChannelName === undefined ? 0 : cstrLen(r.txChannelName)) + (r.txDeviceName === undefined ? 0 : cstrLen(r.txDeviceName)),
      0,
    );
    return Math.max(NETAUDIO_MIN_STRINGS, 12 + SUB_RECORD * m.records.length) + strings;
  },
};

export const DEFAULT_SUBSCRIBE_FLAGS = LIST_REQUEST_FLAGS;

export interface RemoveSubscriptionsRequest extends ArcMessage {
  rxChannels: number[];
}

/** 0x3014: u16 count at 10–11 (low half of a u32 whose high half is the status), u32 channels from 12. */
export const removeSubscriptionsRequest: ArcCodec<RemoveSubscriptionsRequest> = {
  encode(m) {
    const w = startPacket(m, ArcOpcode.REMOVE_SUBSCRIPTIONS, ArcStatus.REQUEST, 16 + 4 * m.rxChannels.length).u16(m.rxChannels.length);
    for (const c of m.rxChannels) w.u32(c);
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.REMOVE_SUBSCRIPTIONS);
    const n = checkedCount(buf, u16(buf, 10, 'count'), 12, 4, 'RX channel');
    const rxChannels: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = u32(buf, 12 + 4 * i);
      if (c === 0 || c > 0xffff) throw new DecodeError('bad-channel', `RX channel ${c}`);
      rxChannels.push(c);
    }
    return { ...headerFields(h), rxChannels };
  },
  encodingLength(m) {
    return 12 + 4 * m.rxChannels.length;
  },
};
