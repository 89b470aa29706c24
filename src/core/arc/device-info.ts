// 0x1003 device info reply (PROTOCOL.md §3.4). The request is a bare header. We write Inferno
// v0.5's packed layout; the reader follows pointers because devices use two other layouts.
import { u16 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { type ArcCodec, type ArcMessage, cstrLen, expectHeader, finishPacket, headerFields, startPacket, stringAt } from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';

/** Strings start here in the v0.5 layout (after the 38-byte header block). */
const STRINGS_AT = 48;
/** Inferno leaves the sub-record pointers (12–13, 14–15) zero; the sub-records then sit here. */
const INFERNO_NAMES_RECORD = 20;
const INFERNO_IDS_RECORD = 32;
/** Word at 44: 0x1102 on Inferno, LX-DANTE and AD4D, 0x1200 on AVIO; meaning unknown (§3.4, §11 item 1). */
export const DEVICE_INFO_CODE_44 = 0x1102;
/** Revision string Inferno writes (§3.4, unexplained). */
export const INFERNO_REVISION = ':705';

export interface DeviceInfoReply extends ArcMessage {
  friendlyName: string;
  factoryName: string;
  boardName: string;
  revision: string;
  /** The device's own ARC protocol id (Inferno 0x2729, AVIO 0x2809, AD4D 0x2801). */
  deviceProtocolId: number;
  /** Word 4 bytes after the protocol id (0x1102 / 0x1200). */
  code44: number;
  /** Word 6 bytes after the protocol id: devices 0x1004 (the CHAN `dbcp` value), Inferno 0. */
  dbcp: number;
}

export const deviceInfoReply: ArcCodec<DeviceInfoReply> = {
  encode(m) {
    const w = startPacket(m, ArcOpcode.DEVICE_INFO, ArcStatus.OK, 96);
    const friendly = STRINGS_AT;
    const factory = friendly + cstrLen(m.friendlyName);
    const board = factory + cstrLen(m.factoryName);
    const revision = board + cstrLen(m.boardName);
    w.zeros(6).u16(board).u16(revision).u16(0).u16(friendly).u16(factory).u16(friendly).zeros(12);
    w.u16(m.deviceProtocolId).u16(0).u16(m.code44).u16(m.dbcp);
    w.cstring(m.friendlyName);
    w.cstring(m.factoryName);
    w.cstring(m.boardName);
    w.cstring(m.revision);
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.DEVICE_INFO);
    const names = u16(buf, 12) || INFERNO_NAMES_RECORD;
    const ids = u16(buf, 14) || INFERNO_IDS_RECORD;
    const need = (s: string | undefined, what: string): string => {
      if (s === undefined) throw new DecodeError('missing-string', `0x1003 ${what}`);
      return s;
    };
    return {
      ...headerFields(h),
      boardName: need(stringAt(buf, 16, 'board name'), 'board name'),
      revision: revisionAt(buf),
      friendlyName: need(stringAt(buf, names + 2, 'friendly name'), 'friendly name'),
      factoryName: need(stringAt(buf, names + 4, 'factory name'), 'factory name'),
      deviceProtocolId: u16(buf, ids + 8, 'protocol id'),
      code44: u16(buf, ids + 12, 'code 44'),
      dbcp: u16(buf, ids + 14, 'dbcp'),
    };
  },
  encodingLength(m) {
    return STRINGS_AT + cstrLen(m.friendlyName) + cstrLen(m.factoryName) + cstrLen(m.boardName) + cstrLen(m.revision);
  },
};

/** Inferno v0.3 writes a stale revision pointer (0x90, past its 141-byte reply), §3.4: read as absent. */
function revisionAt(buf: Uint8Array): string {
  const ptr = u16(buf, 18, 'revision pointer');
  if (ptr === 0 || ptr >= buf.length) return '';
  return stringAt(buf, 18, 'revision') ?? '';
}
