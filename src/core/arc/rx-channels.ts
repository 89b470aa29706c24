// 0x3000 RX channel list reply (PROTOCOL.md §3.7). The request is a page request (paging.ts).
import { u16, u32 } from '../bytes.js';
import {
  type ArcCodec,
  type ArcMessage,
  channelNumber,
  checkedCount,
  cstrLen,
  expectHeader,
  finishPacket,
  headerFields,
  needString,
  startPacket,
  stringAt,
} from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';
import { FormatCache, type FormatDescriptor, formatsLength, writeFormats } from './format.js';
import { checkCapacity, listHead } from './paging.js';

/** Record word 2: a per-device constant (Inferno and AVIO 0x0006, LX-DANTE 0x000F), §3.7. */
export const RX_CHANNEL_FLAGS = 0x0006;
const RX_RECORD = 20;

export interface RxChannelRecord {
  number: number;
  flags: number;
  format: FormatDescriptor;
  /** Subscribed TX channel, undefined when not subscribed. */
  txChannelName?: string;
  /** Subscribed TX device (`.` = the device itself), undefined when not subscribed. */
  txDeviceName?: string;
  name: string;
  /** Status word: high u16 channel status, low u16 subscription status (RxStatus). */
  status: number;
}

export interface RxChannelsReply extends ArcMessage {
  capacity: number;
  channels: RxChannelRecord[];
}

function stringsLength(c: RxChannelRecord): number {
  return (c.txChannelName === undefined ? 0 : cstrLen(c.txChannelName)) +
    (c.txDeviceName === undefined ? 0 : cstrLen(c.txDeviceName)) + cstrLen(c.name);
}

/** Bytes one RX channel adds to a reply (record + strings), for page sizing. */
export function rxChannelCost(c: RxChannelRecord): number {
  return RX_RECORD + stringsLength(c);
}

export const rxChannelsReply: ArcCodec<RxChannelsReply> = {
  encode(m) {
    const n = m.channels.length;
    checkCapacity(m.capacity, n);
    const w = startPacket(m, ArcOpcode.RX_CHANNELS, ArcStatus.OK, 768).u8(m.capacity).u8(n);
    const recordsAt = w.offset;
    w.zeros(RX_RECORD * m.capacity);
    const formatPtr = writeFormats(w, m.channels.map((c) => c.format));
    m.channels.forEach((c, i) => {
      const r = recordsAt + RX_RECORD * i;
      const tx = c.txChannelName === undefined ? 0 : w.cstring(c.txChannelName);
      const dev = c.txDeviceName === undefined ? 0 : w.cstring(c.txDeviceName);
      const name = w.cstring(c.name);
      w.patchU16(r, c.number).patchU16(r + 2, c.flags).patchU16(r + 4, formatPtr[i]!);
      w.patchU16(r + 6, tx).patchU16(r + 8, dev).patchU16(r + 10, name).patchU32(r + 12, c.status);
    });
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.RX_CHANNELS);
    const head = listHead(buf);
    if (!head) return { ...headerFields(h), capacity: 0, channels: [] };
    const n = checkedCount(buf, head.count, 12, RX_RECORD, 'RX channel');
    const formats = new FormatCache(buf);
    const channels: RxChannelRecord[] = [];
    for (let i = 0; i < n; i++) {
      const r = 12 + RX_RECORD * i;
      const rec: RxChannelRecord = {
        number: channelNumber(buf, r),
        flags: u16(buf, r + 2),
        format: formats.at(u16(buf, r + 4)),
        name: needString(buf, r + 10, 'RX channel name'),
        status: u32(buf, r + 12),
      };
      const tx = stringAt(buf, r + 6, 'TX channel name');
      const dev = stringAt(buf, r + 8, 'TX device name');
      if (tx !== undefined) rec.txChannelName = tx;
      if (dev !== undefined) rec.txDeviceName = dev;
      channels.push(rec);
    }
    return { ...headerFields(h), capacity: head.capacity, channels };
  },
  encodingLength(m) {
    const formats = formatsLength(m.channels.map((c) => c.format));
    return 12 + RX_RECORD * m.capacity + formats + m.channels.reduce((n, c) => n + stringsLength(c), 0);
  },
};
