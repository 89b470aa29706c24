// PTPv2 (IEEE 1588-2008) messages over UDP/IPv4 (Annex D): ports 319/320, group 224.0.1.129.
// Common header (34): 0 transportSpecific<<4 | messageType, 1 versionPTP (low nibble = 2; the high
// nibble is minorVersionPTP in 2019 and ignored), 2 messageLength u16, 4 domainNumber, 5 reserved,
// 6 flagField u16, 8 correctionField i64 (ns × 2^16), 16 reserved[4], 20 sourcePortIdentity
// (clockIdentity[8] + portNumber u16), 30 sequenceId u16, 32 controlField, 33 logMessageInterval i8.
// Timestamps are 10 bytes: seconds u48 + nanoseconds u32.
// Sync / Delay_Req (44): 34 originTimestamp. Follow_Up (44): 34 preciseOriginTimestamp.
// Delay_Resp (54): 34 receiveTimestamp, 44 requestingPortIdentity[10].
// Announce (64): 34 originTimestamp, 44 currentUtcOffset i16, 46 reserved, 47 grandmasterPriority1,
// 48 grandmasterClockQuality (clockClass, clockAccuracy, offsetScaledLogVariance u16),
// 52 grandmasterPriority2, 53 grandmasterIdentity[8], 61 stepsRemoved u16, 63 timeSource.
import { DecodeError } from '../errors.js';
import { PacketWriter, need, u16, u32, u8 } from '../bytes.js';
import { checkNanoseconds, type PtpTimestamp } from './time.js';

export const V2_HEADER_LENGTH = 34;
export const V2_LENGTH = { sync: 44, delayReq: 44, followUp: 44, delayResp: 54, announce: 64 } as const;

export const V2_TYPE = {
  sync: 0x0,
  delayReq: 0x1,
  pdelayReq: 0x2,
  pdelayResp: 0x3,
  followUp: 0x8,
  delayResp: 0x9,
  pdelayRespFollowUp: 0xa,
  announce: 0xb,
  signaling: 0xc,
  management: 0xd,
} as const;

/** Deprecated-but-required controlField values (Table 23). */
const V2_CONTROL = { sync: 0, delayReq: 1, followUp: 2, delayResp: 3, announce: 5 } as const;

/** flagField bits as a u16 (first byte is the high byte on the wire). */
export const V2_FLAGS = {
  alternateMaster: 0x0100,
  twoStep: 0x0200,
  unicast: 0x0400,
  leap61: 0x0001,
  leap59: 0x0002,
  currentUtcOffsetValid: 0x0004,
  ptpTimescale: 0x0008,
  timeTraceable: 0x0010,
  frequencyTraceable: 0x0020,
} as const;

export interface PortIdentity {
  clockIdentity: Uint8Array; // 8 bytes (EUI-64)
  portNumber: number;
}

export interface V2Header {
  transportSpecific: number;
  messageType: number;
  messageLength: number;
  domainNumber: number;
  flags: number;
  /** Scaled nanoseconds (ns × 2^16), signed 64-bit. */
  correctionField: bigint;
  sourcePortIdentity: PortIdentity;
  sequenceId: number;
  controlField: number;
  logMessageInterval: number;
}

export interface ClockQuality {
  clockClass: number;
  clockAccuracy: number;
  offsetScaledLogVariance: number;
}

export interface V2AnnounceBody {
  originTimestamp: PtpTimestamp;
  currentUtcOffset: number;
  grandmasterPriority1: number;
  grandmasterClockQuality: ClockQuality;
  grandmasterPriority2: number;
  grandmasterIdentity: Uint8Array;
  stepsRemoved: number;
  timeSource: number;
}

export type V2Message =
  | { kind: 'sync'; header: V2Header; originTimestamp: PtpTimestamp }
  | { kind: 'delayReq'; header: V2Header; originTimestamp: PtpTimestamp }
  | { kind: 'followUp'; header: V2Header; preciseOriginTimestamp: PtpTimestamp }
  | { kind: 'delayResp'; header: V2Header; receiveTimestamp: PtpTimestamp; requestingPortIdentity: PortIdentity }
  | { kind: 'announce'; header: V2Header; body: V2AnnounceBody }
  /** Pdelay, signaling, management and unknown types: recognised and ignored. */
  | { kind: 'other'; header: V2Header };

const bytes = (buf: Uint8Array, off: number, n: number, what: string): Uint8Array => {
  need(buf, off, n, what);
  return Uint8Array.from(buf.subarray(off, off + n));
};

function readTimestamp(buf: Uint8Array, off: number, what: string): PtpTimestamp {
  const hi = BigInt(u16(buf, off, what));
  const lo = BigInt(u32(buf, off + 2, what));
  const nanoseconds = u32(buf, off + 6, what);
  checkNanoseconds(nanoseconds, what);
  return { seconds: (hi << 32n) | lo, nanoseconds };
}

function readPortIdentity(buf: Uint8Array, off: number, what: string): PortIdentity {
  return { clockIdentity: bytes(buf, off, 8, what), portNumber: u16(buf, off + 8, what) };
}

function decodeHeader(buf: Uint8Array): V2Header {
  need(buf, 0, V2_HEADER_LENGTH, 'v2 header');
  const version = u8(buf, 1) & 0x0f;
  if (version !== 2) throw new DecodeError('wrong-version', `versionPTP ${version}`);
  const messageLength = u16(buf, 2);
  if (messageLength > buf.length) {
    throw new DecodeError('truncated', `messageLength ${messageLength} > ${buf.length}`);
  }
  const corrHi = BigInt.asIntN(32, BigInt(u32(buf, 8)));
  const corrLo = BigInt(u32(buf, 12));
  return {
    transportSpecific: u8(buf, 0) >> 4,
    messageType: u8(buf, 0) & 0x0f,
    messageLength,
    domainNumber: u8(buf, 4),
    flags: u16(buf, 6),
    correctionField: (corrHi << 32n) | corrLo,
    sourcePortIdentity: readPortIdentity(buf, 20, 'sourcePortIdentity'),
    sequenceId: u16(buf, 30),
    controlField: u8(buf, 32),
    logMessageInterval: (u8(buf, 33) << 24) >> 24,
  };
}

function needLength(header: V2Header, buf: Uint8Array, min: number, what: string): void {
  if (header.messageLength < min) throw new DecodeError('truncated', `${what} messageLength ${header.messageLength}`);
  need(buf, 0, min, what);
}

export function decodeV2(buf: Uint8Array): V2Message {
  const header = decodeHeader(buf);
  switch (header.messageType) {
    case V2_TYPE.sync:
    case V2_TYPE.delayReq: {
      needLength(header, buf, V2_LENGTH.sync, 'v2 sync');
      const kind = header.messageType === V2_TYPE.sync ? 'sync' : 'delayReq';
      return { kind, header, originTimestamp: readTimestamp(buf, 34, 'originTimestamp') };
    }
    case V2_TYPE.followUp:
      needLength(header, buf, V2_LENGTH.followUp, 'v2 follow_up');
      return { kind: 'followUp', header, preciseOriginTimestamp: readTimestamp(buf, 34, 'preciseOriginTimestamp') };
    case V2_TYPE.delayResp:
      needLength(header, buf, V2_LENGTH.delayResp, 'v2 delay_resp');
      return {
        kind: 'delayResp',
        header,
        receiveTimestamp: readTimestamp(buf, 34, 'receiveTimestamp'),
        requestingPortIdentity: readPortIdentity(buf, 44, 'requestingPortIdentity'),
      };
    case V2_TYPE.announce:
      needLength(header, buf, V2_LENGTH.announce, 'v2 announce');
      return {
        kind: 'announce',
        header,
        body: {
          originTimestamp: readTimestamp(buf, 34, 'originTimestamp'),
          currentUtcOffset: (u16(buf, 44) << 16) >> 16,
          grandmasterPriority1: u8(buf, 47),
          grandmasterClockQuality: {
            clockClass: u8(buf, 48),
            clockAccuracy: u8(buf, 49),
            offsetScaledLogVariance: u16(buf, 50),
          },
          grandmasterPriority2: u8(buf, 52),
          grandmasterIdentity: bytes(buf, 53, 8, 'grandmasterIdentity'),
          stepsRemoved: u16(buf, 61),
          timeSource: u8(buf, 63),
        },
      };
    default:
      return { kind: 'other', header };
  }
}

export function encodingLengthV2(msg: V2Message): number {
  if (msg.kind === 'other') throw new DecodeError('unsupported', 'v2 message type not encoded');
  return V2_LENGTH[msg.kind];
}

const TYPE_OF = { sync: V2_TYPE.sync, delayReq: V2_TYPE.delayReq, followUp: V2_TYPE.followUp, delayResp: V2_TYPE.delayResp, announce: V2_TYPE.announce } as const;

function writeTimestamp(w: PacketWriter, ts: PtpTimestamp): void {
  w.u16(Number((ts.seconds >> 32n) & 0xffffn)).u32(Number(ts.seconds & 0xffffffffn)).u32(ts.nanoseconds);
}

function writePortIdentity(w: PacketWriter, p: PortIdentity): void {
  const id = new Uint8Array(8);
  id.set(p.clockIdentity.subarray(0, 8));
  w.bytes(id).u16(p.portNumber);
}

/** Encodes `msg`; messageType, messageLength and controlField follow from `msg.kind`. */
export function encodeV2(msg: V2Message): Buffer {
  if (msg.kind === 'other') throw new DecodeError('unsupported', 'v2 message type not encoded');
  const h = msg.header;
  const length = V2_LENGTH[msg.kind];
  const w = new PacketWriter(length);
  const corr = BigInt.asUintN(64, h.correctionField);
  w.u8(((h.transportSpecific & 0x0f) << 4) | TYPE_OF[msg.kind]).u8(2).u16(length).u8(h.domainNumber).u8(0);
  w.u16(h.flags).u32(Number(corr >> 32n)).u32(Number(corr & 0xffffffffn)).zeros(4);
  writePortIdentity(w, h.sourcePortIdentity);
  w.u16(h.sequenceId).u8(V2_CONTROL[msg.kind]).u8(h.logMessageInterval & 0xff);
  switch (msg.kind) {
    case 'sync':
    case 'delayReq':
      writeTimestamp(w, msg.originTimestamp);
      break;
    case 'followUp':
      writeTimestamp(w, msg.preciseOriginTimestamp);
      break;
    case 'delayResp':
      writeTimestamp(w, msg.receiveTimestamp);
      writePortIdentity(w, msg.requestingPortIdentity);
      break;
    case 'announce': {
      const b = msg.body;
      writeTimestamp(w, b.originTimestamp);
      w.u16(b.currentUtcOffset).u8(0).u8(b.grandmasterPriority1);
      w.u8(b.grandmasterClockQuality.clockClass).u8(b.grandmasterClockQuality.clockAccuracy);
      w.u16(b.grandmasterClockQuality.offsetScaledLogVariance).u8(b.grandmasterPriority2);
      const gm = new Uint8Array(8);
      gm.set(b.grandmasterIdentity.subarray(0, 8));
      w.bytes(gm).u16(b.stepsRemoved).u8(b.timeSource);
      break;
    }
  }
  return w.finish();
}

/** correctionField (ns × 2^16) to whole ns, rounding toward −∞; sub-ns parts are far below our noise. */
export function correctionToNs(corr: bigint): bigint {
  return corr >> 16n;
}
