// PTPv1 (IEEE 1588-2002) messages over UDP/IPv4: ports 319 (event) / 320 (general), group
// 224.0.1.129 for subdomain "_DFLT". Layout (offsets from the UDP payload start):
//   common header (40): 0 versionPTP u16 = 1, 2 versionNetwork u16 = 1, 4 subdomain[16] NUL-padded,
//   20 messageType (1 event, 2 general), 21 sourceCommunicationTechnology (1 Ethernet),
//   22 sourceUuid[6], 28 sourcePortId u16, 30 sequenceId u16, 32 control, 33 reserved,
//   34 flags u16, 36 reserved[4].
//   Sync / Delay_Req (124): 40 originTimestamp (u32 s, i32 ns), 48 epochNumber u16,
//   50 currentUTCOffset i16, 53 grandmasterCommunicationTechnology, 54 grandmasterClockUuid[6],
//   60 grandmasterPortId u16, 62 grandmasterSequenceId u16, 67 grandmasterClockStratum,
//   68 grandmasterClockIdentifier[4], 74 grandmasterClockVariance i16, 77 grandmasterPreferred,
//   79 grandmasterIsBoundaryClock, 83 syncInterval i8, 86 localClockVariance i16,
//   90 localStepsRemoved u16, 95 localClockStratum, 96 localClockIdentifier[4],
//   101 parentCommunicationTechnology, 102 parentUuid[6], 110 parentPortField u16,
//   114 estimatedMasterVariance i16, 116 estimatedMasterDrift i32, 123 utcReasonable.
//   Follow_Up (52): 42 associatedSequenceId u16, 44 preciseOriginTimestamp.
//   Delay_Resp (60): 40 delayReceiptTimestamp, 49 requestingSourceCommunicationTechnology,
//   50 requestingSourceUuid[6], 56 requestingSourcePortId u16, 58 requestingSourceSequenceId u16.
//   Management (136): only recognised and ignored.
// Unnamed gaps are reserved and written as zero.
import { DecodeError } from '../errors.js';
import { PacketWriter, paddedString, u16, u32, u8, need, i32 } from '../bytes.js';
import { checkNanoseconds, type PtpTimestamp } from './time.js';

export const V1_HEADER_LENGTH = 40;
export const V1_SYNC_LENGTH = 124;
export const V1_FOLLOW_UP_LENGTH = 52;
// ptpd's DELAY_RESP_PACKET_LENGTH; the body ends with the requesting sequence id at 58..59.
export const V1_DELAY_RESP_LENGTH = 60;
export const V1_MANAGEMENT_MIN_LENGTH = 48;

export const V1_CONTROL = { sync: 0, delayReq: 1, followUp: 2, delayResp: 3, management: 4 } as const;
export const V1_MESSAGE_TYPE = { event: 1, general: 2 } as const;
export const V1_COMM_ETHERNET = 1;
export const V1_DEFAULT_SUBDOMAIN = '_DFLT';

/** Flag bits of the u16 at offset 34 (bit 3 = PTP_ASSIST: a Follow_Up carries the precise time). */
export const V1_FLAGS = {
  li61: 0x0001,
  li59: 0x0002,
  boundaryClock: 0x0004,
  assist: 0x0008,
  extSync: 0x0010,
  parentStats: 0x0020,
  syncBurst: 0x0040,
} as const;

export interface V1Header {
  versionNetwork: number;
  subdomain: string;
  messageType: number;
  sourceCommunicationTechnology: number;
  sourceUuid: Uint8Array;
  sourcePortId: number;
  sequenceId: number;
  control: number;
  flags: number;
}

/** The body shared by Sync and Delay_Req. */
export interface V1SyncBody {
  originTimestamp: PtpTimestamp;
  epochNumber: number;
  currentUtcOffset: number;
  grandmasterCommunicationTechnology: number;
  grandmasterClockUuid: Uint8Array;
  grandmasterPortId: number;
  grandmasterSequenceId: number;
  grandmasterClockStratum: number;
  grandmasterClockIdentifier: string;
  grandmasterClockVariance: number;
  grandmasterPreferred: boolean;
  grandmasterIsBoundaryClock: boolean;
  syncInterval: number;
  localClockVariance: number;
  localStepsRemoved: number;
  localClockStratum: number;
  localClockIdentifier: string;
  parentCommunicationTechnology: number;
  parentUuid: Uint8Array;
  parentPortField: number;
  estimatedMasterVariance: number;
  estimatedMasterDrift: number;
  utcReasonable: boolean;
}

export type V1Message =
  | { kind: 'sync'; header: V1Header; body: V1SyncBody }
  | { kind: 'delayReq'; header: V1Header; body: V1SyncBody }
  | { kind: 'followUp'; header: V1Header; associatedSequenceId: number; preciseOriginTimestamp: PtpTimestamp }
  | {
      kind: 'delayResp';
      header: V1Header;
      delayReceiptTimestamp: PtpTimestamp;
      requestingSourceCommunicationTechnology: number;
      requestingSourceUuid: Uint8Array;
      requestingSourcePortId: number;
      requestingSourceSequenceId: number;
    }
  | { kind: 'management'; header: V1Header };

const i16 = (buf: Uint8Array, off: number, what: string): number => (u16(buf, off, what) << 16) >> 16;
const i8 = (buf: Uint8Array, off: number, what: string): number => (u8(buf, off, what) << 24) >> 24;
const bytes = (buf: Uint8Array, off: number, n: number, what: string): Uint8Array => {
  need(buf, off, n, what);
  return Uint8Array.from(buf.subarray(off, off + n));
};

function readTimestamp(buf: Uint8Array, off: number, what: string): PtpTimestamp {
  const seconds = BigInt(u32(buf, off, `${what} seconds`));
  const nanoseconds = i32(buf, off + 4, `${what} nanoseconds`);
  checkNanoseconds(nanoseconds, what);
  return { seconds, nanoseconds };
}

function decodeHeader(buf: Uint8Array): V1Header {
  need(buf, 0, V1_HEADER_LENGTH, 'v1 header');
  const version = u16(buf, 0);
  if (version !== 1) throw new DecodeError('wrong-version', `versionPTP ${version}`);
  return {
    versionNetwork: u16(buf, 2),
    subdomain: paddedString(buf, 4, 16, 'subdomain'),
    messageType: u8(buf, 20),
    sourceCommunicationTechnology: u8(buf, 21),
    sourceUuid: bytes(buf, 22, 6, 'sourceUuid'),
    sourcePortId: u16(buf, 28),
    sequenceId: u16(buf, 30),
    control: u8(buf, 32),
    flags: u16(buf, 34),
  };
}

function decodeSyncBody(buf: Uint8Array): V1SyncBody {
  need(buf, 0, V1_SYNC_LENGTH, 'v1 sync body');
  return {
    originTimestamp: readTimestamp(buf, 40, 'originTimestamp'),
    epochNumber: u16(buf, 48),
    currentUtcOffset: i16(buf, 50, 'currentUTCOffset'),
    grandmasterCommunicationTechnology: u8(buf, 53),
    grandmasterClockUuid: bytes(buf, 54, 6, 'grandmasterClockUuid'),
    grandmasterPortId: u16(buf, 60),
    grandmasterSequenceId: u16(buf, 62),
    grandmasterClockStratum: u8(buf, 67),
    grandmasterClockIdentifier: paddedString(buf, 68, 4, 'grandmasterClockIdentifier'),
    grandmasterClockVariance: i16(buf, 74, 'grandmasterClockVariance'),
    grandmasterPreferred: u8(buf, 77) !== 0,
    grandmasterIsBoundaryClock: u8(buf, 79) !== 0,
    syncInterval: i8(buf, 83, 'syncInterval'),
    localClockVariance: i16(buf, 86, 'localClockVariance'),
    localStepsRemoved: u16(buf, 90),
    localClockStratum: u8(buf, 95),
    localClockIdentifier: paddedString(buf, 96, 4, 'localClockIdentifier'),
    parentCommunicationTechnology: u8(buf, 101),
    parentUuid: bytes(buf, 102, 6, 'parentUuid'),
    parentPortField: u16(buf, 110),
    estimatedMasterVariance: i16(buf, 114, 'estimatedMasterVariance'),
    estimatedMasterDrift: i32(buf, 116),
    utcReasonable: u8(buf, 123) !== 0,
  };
}

export function decodeV1(buf: Uint8Array): V1Message {
  const header = decodeHeader(buf);
  switch (header.control) {
    case V1_CONTROL.sync:
      return { kind: 'sync', header, body: decodeSyncBody(buf) };
    case V1_CONTROL.delayReq:
      return { kind: 'delayReq', header, body: decodeSyncBody(buf) };
    case V1_CONTROL.followUp:
      need(buf, 0, V1_FOLLOW_UP_LENGTH, 'v1 follow_up');
      return {
        kind: 'followUp',
        header,
        associatedSequenceId: u16(buf, 42),
        preciseOriginTimestamp: readTimestamp(buf, 44, 'preciseOriginTimestamp'),
      };
    case V1_CONTROL.delayResp:
      need(buf, 0, V1_DELAY_RESP_LENGTH, 'v1 delay_resp');
      return {
        kind: 'delayResp',
        header,
        delayReceiptTimestamp: readTimestamp(buf, 40, 'delayReceiptTimestamp'),
        requestingSourceCommunicationTechnology: u8(buf, 49),
        requestingSourceUuid: bytes(buf, 50, 6, 'requestingSourceUuid'),
        requestingSourcePortId: u16(buf, 56),
        requestingSourceSequenceId: u16(buf, 58),
      };
    case V1_CONTROL.management:
      need(buf, 0, V1_MANAGEMENT_MIN_LENGTH, 'v1 management');
      return { kind: 'management', header };
    default:
      throw new DecodeError('unknown-control', `v1 control ${header.control}`);
  }
}

export function encodingLengthV1(msg: V1Message): number {
  switch (msg.kind) {
    case 'sync':
    case 'delayReq':
      return V1_SYNC_LENGTH;
    case 'followUp':
      return V1_FOLLOW_UP_LENGTH;
    case 'delayResp':
      return V1_DELAY_RESP_LENGTH;
    case 'management':
      throw new DecodeError('unsupported', 'v1 management messages are not encoded');
  }
}

const CONTROL_OF: Record<V1Message['kind'], number> = V1_CONTROL;

function writeHeader(w: PacketWriter, h: V1Header, control: number): void {
  w.u16(1).u16(h.versionNetwork).padded(h.subdomain, 16).u8(h.messageType).u8(h.sourceCommunicationTechnology);
  w.bytes(fixed(h.sourceUuid, 6)).u16(h.sourcePortId).u16(h.sequenceId).u8(control).u8(0).u16(h.flags).zeros(4);
}

function writeTimestamp(w: PacketWriter, ts: PtpTimestamp): void {
  w.u32(Number(ts.seconds & 0xffffffffn)).i32(ts.nanoseconds);
}

function fixed(b: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  out.set(b.subarray(0, n));
  return out;
}

function writeSyncBody(w: PacketWriter, b: V1SyncBody): void {
  writeTimestamp(w, b.originTimestamp);
  w.u16(b.epochNumber).u16(b.currentUtcOffset).u8(0).u8(b.grandmasterCommunicationTechnology);
  w.bytes(fixed(b.grandmasterClockUuid, 6)).u16(b.grandmasterPortId).u16(b.grandmasterSequenceId);
  w.zeros(3).u8(b.grandmasterClockStratum).padded(b.grandmasterClockIdentifier, 4);
  w.zeros(2).u16(b.grandmasterClockVariance).u8(0).u8(b.grandmasterPreferred ? 1 : 0);
  w.u8(0).u8(b.grandmasterIsBoundaryClock ? 1 : 0).zeros(3).u8(b.syncInterval);
  w.zeros(2).u16(b.localClockVariance).zeros(2).u16(b.localStepsRemoved);
  w.zeros(3).u8(b.localClockStratum).padded(b.localClockIdentifier, 4);
  w.u8(0).u8(b.parentCommunicationTechnology).bytes(fixed(b.parentUuid, 6)).zeros(2).u16(b.parentPortField);
  w.zeros(2).u16(b.estimatedMasterVariance).i32(b.estimatedMasterDrift).zeros(3).u8(b.utcReasonable ? 1 : 0);
}

export function encodeV1(msg: V1Message): Buffer {
  const w = new PacketWriter(V1_SYNC_LENGTH);
  writeHeader(w, msg.header, CONTROL_OF[msg.kind]);
  switch (msg.kind) {
    case 'sync':
    case 'delayReq':
      writeSyncBody(w, msg.body);
      break;
    case 'followUp':
      w.u16(0).u16(msg.associatedSequenceId);
      writeTimestamp(w, msg.preciseOriginTimestamp);
      break;
    case 'delayResp':
      writeTimestamp(w, msg.delayReceiptTimestamp);
      w.u8(0).u8(msg.requestingSourceCommunicationTechnology).bytes(fixed(msg.requestingSourceUuid, 6));
      w.u16(msg.requestingSourcePortId).u16(msg.requestingSourceSequenceId);
      break;
    case 'management':
      throw new DecodeError('unsupported', 'v1 management messages are not encoded');
  }
  return w.finish();
}
