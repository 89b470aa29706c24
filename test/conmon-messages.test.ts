import test from 'ava';
import { hex } from '../dist/core/bytes.js';
import {
  boardInfo,
  clockStatus,
  ConmonSequence,
  conmonContent,
  CONMON_VERSION,
  decodeConmonHeader,
  encodeConmonPacket,
  interfaceInfo,
  MSG_RX_CHANNEL_CHANGE,
  productInfo,
  rxChannelChange,
  settingStatus,
} from '../dist/core/conmon/index.js';
import { readFixture } from './support/fixture-files.js';

const deviceId = hex('0000 0a00 0001 0000');

test('§12.3 Inferno RX channel change (v0.3 form) is byte-exact', (t) => {
  const pkt = encodeConmonPacket({ sequence: 6, processId: 0, deviceId, messageType: MSG_RX_CHANNEL_CHANGE }, rxChannelChange.encode([1, 2]));
  t.deepEqual(pkt, hex('ffff 0023 0006 0000 0000 0a00 0001 0000 4175 6469 6e61 7465 072a 0102 0000 0000 0001 03'));
});

test('§12.8 v0.5 mask form (RX 1 and RX 10) is byte-exact', (t) => {
  const pkt = encodeConmonPacket({ sequence: 8, processId: 0, deviceId, messageType: MSG_RX_CHANNEL_CHANGE }, rxChannelChange.encode([1, 10]));
  t.deepEqual(pkt, hex('ffff 0024 0008 0000 0000 0a00 0001 0000 4175 6469 6e61 7465 072a 0102 0000 0000 0002 0102'));
  t.is(rxChannelChange.encodingLength([1, 10]), 4);
  t.deepEqual(rxChannelChange.decode(conmonContent(pkt, decodeConmonHeader(pkt))), [1, 10]);
});

test('the real device RX channel change decodes (header and mask)', (t) => {
  const pkt = readFixture('subscription/multicast_rx_channel_change.bin');
  const h = decodeConmonHeader(pkt);
  t.is(h.messageType, MSG_RX_CHANNEL_CHANGE);
  t.is(h.sequence, 0xdc87);
  t.is(h.vendor, 'Audinate');
  t.is(h.version, 0x0738);
  t.deepEqual(h.deviceId, Uint8Array.from(hex('001d c1ff fe51 0295')));
  t.deepEqual(rxChannelChange.decode(conmonContent(pkt, h)), [1]);
});

test('RX channel change rejects a zero or overlong mask', (t) => {
  t.throws(() => rxChannelChange.decode(hex('0000')), { message: /bad-mask-length/ });
  t.throws(() => rxChannelChange.decode(hex('0003 01')), { message: /truncated/ });
  t.throws(() => rxChannelChange.encode([0]), { instanceOf: RangeError });
});

test('header encodes the Inferno version and vendor; sequence counter wraps at 16 bits', (t) => {
  const seq = new ConmonSequence();
  t.is(seq.next(), 1);
  t.is(seq.next(), 2);
  const late = new ConmonSequence(0xffff);
  t.is(late.next(), 0xffff);
  t.is(late.next(), 0);
  const h = decodeConmonHeader(encodeConmonPacket({ sequence: 1, processId: 7, deviceId, messageType: 0x60 }));
  t.is(h.version, CONMON_VERSION);
  t.is(h.processId, 7);
  t.is(h.length, 32);
  t.throws(() => decodeConmonHeader(hex('ffff 0040').subarray(0, 2)), { message: /truncated/ });
  const bad = encodeConmonPacket({ sequence: 1, processId: 0, deviceId, messageType: 0x60 });
  bad.writeUInt16BE(0x1234, 0);
  t.throws(() => decodeConmonHeader(bad), { message: /bad-start-code/ });
  bad.writeUInt16BE(0xffff, 0);
  bad.writeUInt16BE(33, 2);
  t.throws(() => decodeConmonHeader(bad), { message: /length-mismatch/ });
});

test('board info: 200 bytes with 0xBB = 0x1F, capability bits, round trip', (t) => {
  const info = boardInfo.defaultBoardInfo('Inferno', [0, 1, 0, 0]);
  const content = boardInfo.encode(info);
  t.is(content.length, 200);
  t.is(content[0xbb], 0x1f);
  t.is(content[0x17], boardInfo.CAPABILITY_IDENTIFY | boardInfo.CAPABILITY_REBOOT | 0x03);
  t.is(content[0x17]! & boardInfo.CAPABILITY_EDITABLE_RATE_ENCODING, 0);
  t.is(content.subarray(0x0c, 0x13).toString(), 'Inferno');
  t.deepEqual(boardInfo.decode(content), info);
  const pkt = encodeConmonPacket({ sequence: 1, processId: 0, deviceId, messageType: 0x60 }, content);
  t.is(pkt.length, 232);
  t.throws(() => boardInfo.decode(content.subarray(0, 199)), { message: /truncated/ });
});

test('board info of real devices decodes (LX-DANTE, Shure)', (t) => {
  const lx = readFixture('sessions/session_63_dante_model_discovery/protocol_FFFF_message_0060_id_63506.bin');
  const info = boardInfo.decode(conmonContent(lx, decodeConmonHeader(lx)));
  t.is(info.boardName, 'PCIe');
  t.is(info.boardLongName, 'Dante PCIe IF');
  t.is(info.capabilities, 0xc9);
  t.is(info.byteBB, 0x1b);
  const shure = readFixture('sessions/session_63_dante_model_discovery/protocol_FFFF_message_0060_id_63048.bin');
  const s = boardInfo.decode(conmonContent(shure, decodeConmonHeader(shure)));
  t.is(s.capabilities, 0xcb);
  t.is(s.boardLongName, 'Brooklyn II');
});

test('product info: 336 bytes, round trip, real devices decode', (t) => {
  const info = {
    manufacturer: 'Inferno',
    modelId: productInfo.modelIdFromHex('_000000000000000b'),
    softwareVersion: [0, 1, 0, 0],
    firmwareVersion: [0, 1, 0, 0],
    patchA: 0,
    patchB: 0,
    manufacturerName: 'Inferno-AoIP',
    modelName: 'inferno-aoip',
    productVersion: [0, 1, 0, 0],
  };
  const content = productInfo.encode(info);
  t.is(content.length, 336);
  t.is(encodeConmonPacket({ sequence: 1, processId: 0, deviceId, messageType: 0xc0 }, content).length, 368);
  t.deepEqual(productInfo.decode(content), info);
  const lx = readFixture('sessions/session_63_dante_model_discovery/protocol_FFFF_message_00C0_id_62989.bin');
  const d = productInfo.decode(conmonContent(lx, decodeConmonHeader(lx)));
  t.is(d.manufacturer, 'Digigram');
  t.is(Buffer.from(d.modelId).toString(), 'LX-DANTE');
  t.is(d.manufacturerName, 'Digigram');
  t.is(d.modelName, 'LX-DANTE');
  t.deepEqual(d.productVersion, [1, 0, 0, 0]);
  const shure = readFixture('sessions/session_63_dante_model_discovery/protocol_FFFF_message_00C0_id_62979.bin');
  const s = productInfo.decode(conmonContent(shure, decodeConmonHeader(shure)));
  t.deepEqual(s.modelId, productInfo.modelIdFromHex('000000000000000b'));
  t.is(s.modelName, 'AD4D');
});

test('sample-rate and encoding status decode the real-device fixtures', (t) => {
  const rate = readFixture('sessions/session_1_fact_catalog_expansion/protocol_FFFF_message_0080_id_678575.bin');
  const r = settingStatus.decode(conmonContent(rate, decodeConmonHeader(rate)));
  t.deepEqual(r, { current: 48000, second: 0, flag: 2, supported: [44100, 48000, 88200, 96000, 176400, 192000] });
  const enc = readFixture('sessions/session_1_fact_catalog_expansion/protocol_FFFF_message_0082_id_679196.bin');
  t.deepEqual(settingStatus.decode(conmonContent(enc, decodeConmonHeader(enc))), { current: 24, second: 0, flag: 2, supported: [24, 16, 32] });
  // Re-encoding the LX-DANTE status gives its bytes back.
  t.deepEqual(settingStatus.encode(r), conmonContent(rate, decodeConmonHeader(rate)));
  // The Shure's single-rate form (§4.5).
  t.deepEqual(settingStatus.decode(hex('0018 0001 0000bb80 0000bb80 0001 0000 0000bb80')), { current: 48000, second: 48000, flag: 1, supported: [48000] });
  t.throws(() => settingStatus.decode(hex('0018 0002 0000bb80 0000bb80 0001 0000 0000bb80')), { message: /truncated/ });
});

test('clock status: 112 bytes, role at payload 0x48, real devices decode as leader/follower', (t) => {
  const s = {
    state: clockStatus.CLOCK_STATE_FOLLOWER,
    preferredLeader: false,
    flags: clockStatus.CLOCK_FLAGS_BYTE,
    frequencyOffsetPpb: -1500,
    ownId: hex('0011 2233 4455 0000'),
    leaderId: hex('001d c108 1258 0000'),
    leaderId2: hex('001d c108 1258 0000'),
    role: clockStatus.PTPV1_ROLE_SLAVE,
  };
  const content = clockStatus.encode(s);
  t.is(content.length, 112);
  t.deepEqual(content.subarray(0, 12), hex('0003 0003 0000 009f ffff fa24'));
  const pkt = encodeConmonPacket({ sequence: 1, processId: 0, deviceId, messageType: 0x20 }, content);
  t.is(pkt.readUInt16BE(0x48), 9);
  const back = clockStatus.decode(content);
  t.is(back.frequencyOffsetPpb, -1500);
  t.is(back.role, 9);
  t.deepEqual(back.leaderId, Uint8Array.from(s.leaderId));
  const leader = readFixture('sessions/clock_master_control/protocol_FFFF_message_0020_id_4329890.bin');
  const l = clockStatus.decode(conmonContent(leader, decodeConmonHeader(leader)));
  t.is(l.role, clockStatus.PTPV1_ROLE_MASTER);
  t.true(l.preferredLeader);
  t.is(l.frequencyOffsetPpb, -178);
  const follower = readFixture('sessions/aes67_toggle/protocol_FFFF_message_0020_id_4108765.bin');
  const f = clockStatus.decode(conmonContent(follower, decodeConmonHeader(follower)));
  t.is(f.role, clockStatus.PTPV1_ROLE_SLAVE);
  t.false(f.preferredLeader);
  t.deepEqual(f.leaderId, Uint8Array.from(hex('001d c108 1258 0000')));
});

test('interface info: 64 bytes, round trip', (t) => {
  const info = { linkSpeedMbps: 1000, mac: hex('0011 2233 4455'), ip: '10.0.0.1', netmask: '255.255.255.0', gateway: '10.0.0.254', dns: '10.0.0.254' };
  const content = interfaceInfo.encode(info);
  t.is(content.length, 64);
  t.deepEqual(content.subarray(0, 10), hex('0001 0000 0000 03e8 0001'));
  t.deepEqual(content.subarray(32, 36), hex('0018 0030'));
  t.deepEqual(interfaceInfo.decode(content), { ...info, mac: Uint8Array.from(info.mac) });
});
