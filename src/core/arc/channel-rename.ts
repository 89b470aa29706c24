// 0x2013 TX / 0x3001 RX channel rename requests and the TX rename reply (PROTOCOL.md §3.10).
import { u16 } from '../bytes.js';
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
  needString,
  startPacket,
} from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';

/** Byte 10 of list requests: 0x02 from netaudio, 0x20 in DC's bulk form; ignored (§3.10). */
export const LIST_REQUEST_FLAGS = 0x02;

export interface ChannelRename {
  channel: number;
  /** New name; undefined = reset to the default (netaudio's pointer with no string, §3.10). */
  name: string | undefined;
}

export interface ChannelRenameRequest extends ArcMessage {
  flags: number;
  renames: ChannelRename[];
}

interface RenameLayout {
  opcode: number;
  record: number;
  /** Offset of the channel number inside the record (TX records start with u16 0). */
  channelAt: number;
  /** netaudio puts the string table at least here (TX 24, RX 20). */
  minStrings: number;
}

function renameCodec(l: RenameLayout): ArcCodec<ChannelRenameRequest> {
  const stringsAt = (n: number): number => Math.max(l.minStrings, 12 + l.record * n);
  return {
    encode(m) {
      const n = m.renames.length;
      if (n > 0xff) throw new RangeError('at most 255 renames per request');
      const w = startPacket(m, l.opcode, ArcStatus.REQUEST, 64).u8(m.flags).u8(n);
      w.zeros(stringsAt(n) - 12);
      const resets: number[] = [];
      m.renames.forEach((r, i) => {
        const rec = 12 + l.record * i;
        w.patchU16(rec + l.channelAt, r.channel);
        if (r.name === undefined) resets.push(rec + l.channelAt + 2);
        else w.patchU16(rec + l.channelAt + 2, w.cstring(r.name));
      });
      // A reset points just past the packet: there is no string to read.
      for (const at of resets) w.patchU16(at, w.offset);
      return finishPacket(w);
    },
    decode(buf) {
      const h = expectHeader(buf, l.opcode);
      const flags = u16(buf, ARC_HEADER_LENGTH, 'list head') >> 8;
      const n = checkedCount(buf, buf[11]!, 12, l.record, 'rename');
      const renames: ChannelRename[] = [];
      for (let i = 0; i < n; i++) {
        const rec = 12 + l.record * i;
        const channel = channelNumber(buf, rec + l.channelAt);
        const ptr = u16(buf, rec + l.channelAt + 2);
        const name = ptr === buf.length ? undefined : needString(buf, rec + l.channelAt + 2, 'channel name');
        renames.push({ channel, name });
      }
      return { ...headerFields(h), flags, renames };
    },
    encodingLength(m) {
      return m.renames.reduce((len, r) => len + (r.name === undefined ? 0 : cstrLen(r.name)), stringsAt(m.renames.length));
    },
  };
}

export const txChannelRenameRequest = renameCodec({ opcode: ArcOpcode.SET_TX_CHANNEL_NAME, record: 6, channelAt: 2, minStrings: 24 });
export const rxChannelRenameRequest = renameCodec({ opcode: ArcOpcode.SET_RX_CHANNEL_NAME, record: 4, channelAt: 0, minStrings: 20 });

/** Inferno's TX rename reply: status OK and content `00 00` (§3.10, §12.8). */
export function encodeTxRenameReply(msg: ArcMessage): Buffer {
  return finishPacket(startPacket(msg, ArcOpcode.SET_TX_CHANNEL_NAME, ArcStatus.OK, 12).u16(0));
}
