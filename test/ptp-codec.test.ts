// PTP codecs: hand-derived byte vectors (offsets per 1588-2002 / 1588-2008, see the module
// comments), round trips, version detection and malformed input.
import test from 'ava';
import { hex } from '../dist/core/bytes.js';
import { DecodeError } from '../dist/core/errors.js';
import {
  decodeV1,
  decodeV2,
  detectPtpVersion,
  encodeV1,
  encodeV2,
  encodingLengthV1,
  encodingLengthV2,
  type V1Header,
  type V1Message,
  type V2Header,
  type V2Message,
} from '../dist/core/ptp/index.js';

const u8 = (s: string): Uint8Array => Uint8Array.from(hex(s));
const UUID = u8('001d c112 3456');
const CLOCK_ID = u8('001d c1ff fe12 3456');
// 1_700_000_000 s = 0x6553F100; 123_456_789 ns = 0x075BCD15.
const TS = { seconds: 1_700_000_000n, nanoseconds: 123_456_789 };

const v1Header = (messageType: number, seq: number, flags = 0): V1Header => ({
  versionNetwork: 1,
  subdomain: '_DFLT',
  messageType,
  sourceCommunicationTechnology: 1,
  sourceUuid: UUID,
  sourcePortId: 1,
  sequenceId: seq,
  control: 0,
  flags,
});

// v1 header: versionPTP 0001, versionNetwork 0001, "_DFLT" + 11 NULs, messageType, comm tech 01,
// uuid, port 0001, sequence, control, reserved 00, flags, 4 reserved.
const v1HeaderHex = (type: string, seq: string, control: string, flags: string): string =>
  `0001 0001 5f44464c54 0000000000000000000000 ${type} 01 001dc1123456 0001 ${seq} ${control} 00 ${flags} 00000000`;

const V1_SYNC_BODY = {
  originTimestamp: TS,
  epochNumber: 0,
  currentUtcOffset: 37,
  grandmasterCommunicationTechnology: 1,
  grandmasterClockUuid: UUID,
  grandmasterPortId: 1,
  grandmasterSequenceId: 42,
  grandmasterClockStratum: 4,
  grandmasterClockIdentifier: 'DFLT',
  grandmasterClockVariance: -4000,
  grandmasterPreferred: true,
  grandmasterIsBoundaryClock: false,
  syncInterval: -2,
  localClockVariance: -4000,
  localStepsRemoved: 0,
  localClockStratum: 4,
  localClockIdentifier: 'DFLT',
  parentCommunicationTechnology: 1,
  parentUuid: UUID,
  parentPortField: 1,
  estimatedMasterVariance: 0,
  estimatedMasterDrift: 0,
  utcReasonable: true,
};

// Sync body, offsets 40…123: timestamp; epoch 0000; UTC offset 0025 (37); 00, gm comm 01; gm uuid;
// gm port 0001; gm seq 002a; 000000, stratum 04; "DFLT"; 0000, variance f060 (−4000); 00, preferred 01;
// 00, boundary 00; 000000, syncInterval fe (−2); 0000, local variance f060; 0000, steps 0000;
// 000000, local stratum 04; "DFLT"; 00, parent comm 01; parent uuid; 0000, parent port 0001;
// 0000, est. variance 0000; drift 00000000; 000000, utcReasonable 01.
const V1_SYNC_BODY_HEX = `6553f100 075bcd15 0000 0025 00 01 001dc1123456 0001 002a 000000 04 44464c54
  0000 f060 00 01 00 00 000000 fe 0000 f060 0000 0000 000000 04 44464c54 00 01 001dc1123456 0000 0001
  0000 0000 00000000 000000 01`;

const v1Vectors: [string, V1Message, string][] = [
  ['sync', { kind: 'sync', header: v1Header(1, 42, 0x0008), body: V1_SYNC_BODY }, v1HeaderHex('01', '002a', '00', '0008') + V1_SYNC_BODY_HEX],
  ['delayReq', { kind: 'delayReq', header: v1Header(1, 42), body: V1_SYNC_BODY }, v1HeaderHex('01', '002a', '01', '0000') + V1_SYNC_BODY_HEX],
  // Follow_Up: 0000 reserved, associated sequence 002a, precise origin timestamp.
  [
    'followUp',
    { kind: 'followUp', header: v1Header(2, 43), associatedSequenceId: 42, preciseOriginTimestamp: TS },
    v1HeaderHex('02', '002b', '02', '0000') + '0000 002a 6553f100 075bcd15',
  ],
  // Delay_Resp: receipt timestamp; 00, requester comm 01; requester uuid; port 0001; its sequence 0009.
  [
    'delayResp',
    {
      kind: 'delayResp',
      header: v1Header(2, 7),
      delayReceiptTimestamp: TS,
      requestingSourceCommunicationTechnology: 1,
      requestingSourceUuid: UUID,
      requestingSourcePortId: 1,
      requestingSourceSequenceId: 9,
    },
    v1HeaderHex('02', '0007', '03', '0000') + '6553f100 075bcd15 00 01 001dc1123456 0001 0009',
  ],
];

for (const [name, msg, vector] of v1Vectors) {
  test(`v1 ${name}: hand-derived bytes, round trip`, (t) => {
    const bytes = encodeV1(msg);
    t.is(bytes.toString('hex'), hex(vector).toString('hex'));
    t.is(bytes.length, encodingLengthV1(msg));
    const back = decodeV1(bytes);
    t.deepEqual(back, { ...msg, header: { ...msg.header, control: back.header.control } });
    t.is(detectPtpVersion(bytes), 1);
    const e = t.throws(() => decodeV1(bytes.subarray(0, bytes.length - 1)));
    t.true(e instanceof DecodeError);
  });
}

test('v1 lengths: 124 / 52 / 60', (t) => {
  t.deepEqual(v1Vectors.map(([, m]) => encodingLengthV1(m)), [124, 124, 52, 60]);
});

const v2Header = (seq: number, flags: number, log: number, correctionField = 0n): V2Header => ({
  transportSpecific: 0,
  messageType: 0,
  messageLength: 0,
  domainNumber: 0,
  flags,
  correctionField,
  sourcePortIdentity: { clockIdentity: CLOCK_ID, portNumber: 1 },
  sequenceId: seq,
  controlField: 0,
  logMessageInterval: log,
});

// v2 header: type nibble, version 02, length, domain 00, 00, flags, correction (8), 4 reserved,
// clockIdentity, port 0001, sequence, control, logMessageInterval.
const v2HeaderHex = (type: string, len: string, flags: string, corr: string, seq: string, control: string, log: string): string =>
  `${type} 02 ${len} 00 00 ${flags} ${corr} 00000000 001dc1fffe123456 0001 ${seq} ${control} ${log}`;
const Z8 = '0000000000000000';
// 48-bit seconds 0000 6553f100, ns 075bcd15.
const TS_HEX = '0000 6553f100 075bcd15';

const v2Vectors: [string, V2Message, string][] = [
  // Sync: twoStep 0x0200 | ptpTimescale 0x0008; log −3 = fd.
  ['sync', { kind: 'sync', header: v2Header(5, 0x0208, -3), originTimestamp: TS }, v2HeaderHex('00', '002c', '0208', Z8, '0005', '00', 'fd') + TS_HEX],
  ['delayReq', { kind: 'delayReq', header: v2Header(6, 0, 0x7f), originTimestamp: TS }, v2HeaderHex('01', '002c', '0000', Z8, '0006', '01', '7f') + TS_HEX],
  ['followUp', { kind: 'followUp', header: v2Header(5, 0x0008, -3), preciseOriginTimestamp: TS }, v2HeaderHex('08', '002c', '0008', Z8, '0005', '02', 'fd') + TS_HEX],
  // Delay_Resp with correction 1.5 ns = 0x18000 scaled; requesting port 02 00 00 ff fe 00 00 02 / 0001.
  [
    'delayResp',
    {
      kind: 'delayResp',
      header: v2Header(6, 0, -3, 0x18000n),
      receiveTimestamp: TS,
      requestingPortIdentity: { clockIdentity: u8('020000fffe000002'), portNumber: 1 },
    },
    v2HeaderHex('09', '0036', '0000', '0000000000018000', '0006', '03', 'fd') + TS_HEX + '020000fffe000002 0001',
  ],
  // Announce: origin 0; currentUtcOffset 0025; 00; priority1 80; class f8, accuracy fe, variance ffff;
  // priority2 80; grandmaster identity; stepsRemoved 0000; timeSource a0 (internal oscillator).
  [
    'announce',
    {
      kind: 'announce',
      header: v2Header(1, 0x000c, 1),
      body: {
        originTimestamp: { seconds: 0n, nanoseconds: 0 },
        currentUtcOffset: 37,
        grandmasterPriority1: 128,
        grandmasterClockQuality: { clockClass: 248, clockAccuracy: 0xfe, offsetScaledLogVariance: 0xffff },
        grandmasterPriority2: 128,
        grandmasterIdentity: CLOCK_ID,
        stepsRemoved: 0,
        timeSource: 0xa0,
      },
    },
    v2HeaderHex('0b', '0040', '000c', Z8, '0001', '05', '01') + '0000 00000000 00000000 0025 00 80 f8 fe ffff 80 001dc1fffe123456 0000 a0',
  ],
];

const TYPE: Record<string, number> = { sync: 0, delayReq: 1, followUp: 8, delayResp: 9, announce: 11 };
const CONTROL: Record<string, number> = { sync: 0, delayReq: 1, followUp: 2, delayResp: 3, announce: 5 };

for (const [name, msg, vector] of v2Vectors) {
  test(`v2 ${name}: hand-derived bytes, round trip`, (t) => {
    const bytes = encodeV2(msg);
    t.is(bytes.toString('hex'), hex(vector).toString('hex'));
    t.is(bytes.length, encodingLengthV2(msg));
    const back = decodeV2(bytes);
    const header = { ...msg.header, messageType: TYPE[name]!, messageLength: bytes.length, controlField: CONTROL[name]! };
    t.deepEqual(back, { ...msg, header } as V2Message);
    t.is(detectPtpVersion(bytes), 2);
    t.throws(() => decodeV2(bytes.subarray(0, bytes.length - 1)), { instanceOf: DecodeError });
  });
}

test('v2 negative correction and 48-bit seconds survive a round trip', (t) => {
  const msg: V2Message = {
    kind: 'sync',
    header: v2Header(1, 0, 0, -12345678n),
    originTimestamp: { seconds: (1n << 48n) - 1n, nanoseconds: 999_999_999 },
  };
  const back = decodeV2(encodeV2(msg));
  t.is(back.header.correctionField, -12345678n);
  t.deepEqual((back as Extract<V2Message, { kind: 'sync' }>).originTimestamp, msg.originTimestamp);
});

test('v2 messages we do not handle decode as "other"', (t) => {
  const pdelay = hex(v2HeaderHex('02', '0036', '0000', Z8, '0001', '05', '7f') + TS_HEX + '00'.repeat(10));
  t.is(decodeV2(pdelay).kind, 'other');
});

test('v1 management is recognised and ignored', (t) => {
  const mgmt = Buffer.concat([hex(v1HeaderHex('02', '0001', '04', '0000')), Buffer.alloc(96)]);
  t.is(decodeV1(mgmt).kind, 'management');
  t.throws(() => encodeV1(decodeV1(mgmt)), { instanceOf: DecodeError });
});

test('malformed packets throw DecodeError with a reason', (t) => {
  const sync2 = encodeV2(v2Vectors[0]![1]);
  const sync1 = encodeV1(v1Vectors[0]![1]);
  const reason = (f: () => unknown): string => (t.throws(f, { instanceOf: DecodeError }) as DecodeError).reason;
  t.is(reason(() => decodeV2(Buffer.alloc(0))), 'truncated');
  t.is(reason(() => decodeV2(sync1)), 'wrong-version');
  t.is(reason(() => decodeV1(sync2)), 'wrong-version');
  const longLen = Buffer.from(sync2);
  longLen.writeUInt16BE(200, 2);
  t.is(reason(() => decodeV2(longLen)), 'truncated');
  const shortLen = Buffer.from(sync2);
  shortLen.writeUInt16BE(34, 2);
  t.is(reason(() => decodeV2(shortLen)), 'truncated');
  const badNs = Buffer.from(sync2);
  badNs.writeUInt32BE(1_000_000_000, 40);
  t.is(reason(() => decodeV2(badNs)), 'bad-timestamp');
  const badNs1 = Buffer.from(sync1);
  badNs1.writeInt32BE(-1_500_000_000, 44);
  t.is(reason(() => decodeV1(badNs1)), 'bad-timestamp');
  const badControl = Buffer.from(sync1);
  badControl[32] = 9;
  t.is(reason(() => decodeV1(badControl)), 'unknown-control');
  // Random garbage never throws anything but DecodeError.
  let seed = 12345;
  for (let i = 0; i < 2000; i++) {
    const len = (seed = (seed * 1103515245 + 12345) >>> 0) % 140;
    const buf = Buffer.alloc(len);
    for (let j = 0; j < len; j++) buf[j] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    if (i % 2 === 0 && len > 2) buf.writeUInt16BE(1, 0);
    else if (len > 2) buf[1] = 2;
    for (const dec of [decodeV1, decodeV2]) {
      try {
        dec(buf);
      } catch (e) {
        if (!(e instanceof DecodeError)) t.fail(`non-DecodeError ${String(e)}`);
      }
    }
  }
});

test('detectPtpVersion', (t) => {
  t.is(detectPtpVersion(hex('0001 0001')), 1);
  t.is(detectPtpVersion(hex('0b02 0040')), 2);
  t.is(detectPtpVersion(hex('0012')), 2); // 1588-2019 minorVersionPTP 1 in the high nibble
  t.is(detectPtpVersion(hex('00')), null);
  t.is(detectPtpVersion(hex('0003')), null);
});
