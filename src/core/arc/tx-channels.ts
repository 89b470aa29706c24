// 0x2000 TX channel list and 0x2010 TX friendly names, replies (PROTOCOL.md §3.5, §3.6). Requests
// are page requests (paging.ts).
import { u16 } from '../bytes.js';
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
} from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';
import { FormatCache, type FormatDescriptor, formatsLength, writeFormats } from './format.js';
import { checkCapacity, listHead } from './paging.js';

/** Record word 2 of 0x2000 records: Inferno 0x0007 (devices 0x0107 / 0x0007 / 0x0105), §3.5. */
export const TX_CHANNEL_FLAGS = 0x0007;
const TX_RECORD = 8;
const NAME_RECORD = 6;

export interface TxChannelRecord {
  number: number;
  flags: number;
  format: FormatDescriptor;
  name: string;
}

export interface TxChannelsReply extends ArcMessage {
  /** Byte 10: records the record area is sized for. */
  capacity: number;
  channels: TxChannelRecord[];
}

export const txChannelsReply: ArcCodec<TxChannelsReply> = {
  encode(m) {
    checkCapacity(m.capacity, m.channels.length);
    const w = startPacket(m, ArcOpcode.TX_CHANNELS, ArcStatus.OK, 512).u8(m.capacity).u8(m.channels.length);
    const recordsAt = w.offset;
    w.zeros(TX_RECORD * m.capacity);
    const formatPtrs = writeFormats(w, m.channels.map((c) => c.format));
    m.channels.forEach((c, i) => {
      const name = w.cstring(c.name);
      w.patchU16(recordsAt + TX_RECORD * i, c.number).patchU16(recordsAt + TX_RECORD * i + 2, c.flags);
      w.patchU16(recordsAt + TX_RECORD * i + 4, formatPtrs[i]!).patchU16(recordsAt + TX_RECORD * i + 6, name);
    });
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.TX_CHANNELS);
    const head = listHead(buf);
    if (!head) return { ...headerFields(h), capacity: 0, channels: [] };
    const n = checkedCount(buf, head.count, 12, TX_RECORD, 'TX channel');
    const formats = new FormatCache(buf);
    const channels: TxChannelRecord[] = [];
    for (let i = 0; i < n; i++) {
      const r = 12 + TX_RECORD * i;
      const name = needString(buf, r + 6, 'TX channel name');
      channels.push({ number: channelNumber(buf, r), flags: u16(buf, r + 2), format: formats.at(u16(buf, r + 4)), name });
    }
    return { ...headerFields(h), capacity: head.capacity, channels };
  },
  encodingLength(m) {
    const names = m.channels.reduce((n, c) => n + cstrLen(c.name), 0);
    const formats = formatsLength(m.channels.map((c) => c.format));
    return 12 + TX_RECORD * m.capacity + formats + names;
  },
};

export interface TxNameRecord {
  /** Word 0: Inferno the channel number, devices a running 1-based index. */
  index: number;
  number: number;
  name: string;
}

export interface TxNamesReply extends ArcMessage {
  capacity: number;
  names: TxNameRecord[];
}

/** Inferno writes a u32 zero between the record area and the names (§3.6); devices do not. */
const TX_NAMES_GAP = 4;

export const txNamesReply: ArcCodec<TxNamesReply> = {
  encode(m) {
    checkCapacity(m.capacity, m.names.length);
    const w = startPacket(m, ArcOpcode.TX_CHANNEL_NAMES, ArcStatus.OK, 256).u8(m.capacity).u8(m.names.length);
    const recordsAt = w.offset;
    w.zeros(NAME_RECORD * m.capacity + TX_NAMES_GAP);
    m.names.forEach((c, i) => {
      const name = w.cstring(c.name);
      const r = recordsAt + NAME_RECORD * i;
      w.patchU16(r, c.index).patchU16(r + 2, c.number).patchU16(r + 4, name);
    });
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.TX_CHANNEL_NAMES);
    const head = listHead(buf);
    if (!head) return { ...headerFields(h), capacity: 0, names: [] };
    const n = checkedCount(buf, head.count, 12, NAME_RECORD, 'TX name');
    const names: TxNameRecord[] = [];
    for (let i = 0; i < n; i++) {
      const r = 12 + NAME_RECORD * i;
      names.push({ index: u16(buf, r), number: channelNumber(buf, r + 2), name: needString(buf, r + 4, 'TX friendly name') });
    }
    return { ...headerFields(h), capacity: head.capacity, names };
  },
  encodingLength(m) {
    return 12 + NAME_RECORD * m.capacity + TX_NAMES_GAP + m.names.reduce((n, c) => n + cstrLen(c.name), 0);
  },
};
