import test from 'ava';
import { hex } from '../dist/core/bytes.js';
import {
  boardInfo,
  clockStatus,
  type ConmonDeviceView,
  ConmonSequence,
  conmonContent,
  decodeConmonHeader,
  encodeConmonPacket,
  encodeSettingRequest,
  handleConmonRequest,
  MSG_ENCODING_REQUEST,
  MSG_IDENTIFY,
  MSG_REBOOT,
  productInfo,
  settingStatus,
  startupAnnouncements,
} from '../dist/core/conmon/index.js';
import { readFixture, sessionNames, sessionSamples } from './support/fixture-files.js';

const deviceId = hex('0000 0a00 0001 0000');

function device(overrides: Partial<ConmonDeviceView> = {}): ConmonDeviceView {
  return {
    processId: 0,
    deviceId,
    sequence: new ConmonSequence(),
    boardInfo: boardInfo.defaultBoardInfo('Inferno', [0, 1, 0, 0]),
    productInfo: {
      manufacturer: 'Inferno',
      modelId: productInfo.modelIdFromHex('000000000000000b'),
      softwareVersion: [0, 1, 0, 0],
      firmwareVersion: [0, 1, 0, 0],
      patchA: 0,
      patchB: 0,
      manufacturerName: 'Inferno-AoIP',
      modelName: 'inferno-aoip',
      productVersion: [0, 1, 0, 0],
    },
    sampleRate: 48000,
    supportedSampleRates: [44100, 48000, 96000],
    encoding: 24,
    supportedEncodings: [16, 24, 32],
    clockStatus: {
      state: clockStatus.CLOCK_STATE_FOLLOWER,
      preferredLeader: false,
      flags: clockStatus.CLOCK_FLAGS_BYTE,
      frequencyOffsetPpb: 12,
      ownId: hex('0011 2233 4455 0000'),
      leaderId: hex('001d c108 1258 0000'),
      leaderId2: hex('001d c108 1258 0000'),
      role: clockStatus.PTPV1_ROLE_SLAVE,
    },
    interfaceInfo: { linkSpeedMbps: 1000, mac: hex('0011 2233 4455'), ip: '10.0.0.1', netmask: '255.255.255.0', gateway: '10.0.0.254', dns: '10.0.0.254' },
    ...overrides,
  };
}

/** Message type and content of an answer, after checking it is ours. */
function parse(pkt: Buffer) {
  const h = decodeConmonHeader(pkt);
  return { type: h.messageType, seq: h.sequence, content: Buffer.from(conmonContent(pkt, h)), deviceId: h.deviceId };
}

/** A DC-style request: version 0x073a, bytes 28–31 = 0x64. */
function request(messageType: number, content?: Uint8Array): Buffer {
  return encodeConmonPacket({ sequence: 0x40, processId: 0, deviceId: hex('3e42 274c ff24 0000'), version: 0x073a, messageType, tail: 0x64 }, content);
}

// Expected answer type for each request type seen in the fixtures (undefined: no answer).
const ANSWERS: Record<number, number | undefined> = {
  0x0061: 0x0060,
  0x00c1: 0x00c0,
  0x0021: 0x0020,
  0x0013: 0x0011,
  0x0077: 0x0078,
  0x0081: 0x0080,
  0x1006: undefined,
  0x1008: undefined,
};

test('every DC/netaudio conmon request in the fixture sessions gets the expected multicast answer', (t) => {
  let checked = 0;
  for (const session of sessionNames()) {
    for (const s of sessionSamples(session)) {
      if (s.dst_port !== 8700 || !s.file.startsWith('protocol_FFFF_message_')) continue;
      const pkt = readFixture(`sessions/${session}/${s.file}`);
      const type = decodeConmonHeader(pkt).messageType;
      t.true(type in ANSWERS, `unexpected request type 0x${type.toString(16)} in ${s.file}`);
      const dev = device();
      const r = handleConmonRequest(pkt, dev);
      const want = ANSWERS[type];
      if (want === undefined) {
        t.is(r.multicast.length, 0, s.file);
        t.truthy(r.drop, s.file);
      } else {
        t.is(r.drop, undefined, s.file);
        t.is(r.multicast.length, 1, s.file);
        const a = parse(r.multicast[0]!);
        t.is(a.type, want, s.file);
        t.is(a.seq, 1, s.file);
        t.deepEqual(a.deviceId, Uint8Array.from(deviceId));
      }
      checked++;
    }
  }
  t.true(checked >= 20, `only ${checked} requests found`);
});

test('board/product info answers carry the device view and start-up sends both', (t) => {
  const dev = device();
  const board = handleConmonRequest(readFixture('sessions/session_63_dante_model_discovery/protocol_FFFF_message_0061_id_63505.bin'), dev);
  t.deepEqual(parse(board.multicast[0]!).content, boardInfo.encode(dev.boardInfo));
  t.is(board.multicast[0]!.length, 232);
  const product = handleConmonRequest(readFixture('sessions/session_63_dante_model_discovery/protocol_FFFF_message_00C1_id_62978.bin'), dev);
  t.is(product.multicast[0]!.length, 368);
  t.is(parse(product.multicast[0]!).seq, 2);
  t.deepEqual(startupAnnouncements(dev).map((p) => parse(p).type), [0x0060, 0x00c0]);
});

test('0x0021 goes unanswered while the leader is unknown; 0x0013 without interface too', (t) => {
  const pkt = readFixture('sessions/clock_master_control/protocol_FFFF_message_0021_id_4327746.bin');
  t.deepEqual(handleConmonRequest(pkt, device({ clockStatus: undefined })), { multicast: [], actions: [], drop: 'clock-unknown' });
  const r = handleConmonRequest(pkt, device());
  t.is(clockStatus.decode(parse(r.multicast[0]!).content).role, 9);
  const iq = readFixture('sessions/lx_dante_aes67_on_to_off_pending/protocol_FFFF_message_0013_id_4170018.bin');
  t.is(handleConmonRequest(iq, device({ interfaceInfo: undefined })).drop, 'interface-unknown');
});

test('0x0077 is answered with the v0.5 constant', (t) => {
  const r = handleConmonRequest(readFixture('sessions/lx_dante_aes67_on_to_off_pending/protocol_FFFF_message_0077_id_4170846.bin'), device());
  t.deepEqual(parse(r.multicast[0]!).content, hex('0000 0003 0000 0000'));
});

test('sample-rate query, supported set, unsupported set and set to the current rate', (t) => {
  const query = handleConmonRequest(readFixture('sessions/lx_dante_aes67_on_to_off_pending/protocol_FFFF_message_0081_id_4170622.bin'), device());
  t.deepEqual(query.actions, []);
  t.deepEqual(settingStatus.decode(parse(query.multicast[0]!).content), { current: 48000, second: 0, flag: 2, supported: [44100, 48000, 96000] });
  // DC sets 44.1 kHz (session 44): supported → action, status shows the new rate.
  const set = handleConmonRequest(readFixture('sessions/session_44_sample_rate_discovery/protocol_FFFF_message_0081_id_28075.bin'), device());
  t.deepEqual(set.actions, [{ type: 'set-sample-rate', sampleRate: 44100 }]);
  t.is(settingStatus.decode(parse(set.multicast[0]!).content).current, 44100);
  // DC sets 192 kHz: not listed → unchanged status, no action.
  const bad = handleConmonRequest(readFixture('sessions/session_1_fact_catalog_expansion/protocol_FFFF_message_0081_id_705653.bin'), device());
  t.deepEqual(bad.actions, []);
  t.is(settingStatus.decode(parse(bad.multicast[0]!).content).current, 48000);
  // netaudio sets 48 kHz, already current.
  const same = handleConmonRequest(readFixture('sessions/session_1_fact_catalog_expansion/protocol_FFFF_message_0081_id_708982.bin'), device());
  t.deepEqual(same.actions, []);
  t.is(same.multicast.length, 1);
  t.is(handleConmonRequest(request(0x0081, hex('0000 0007 0000 bb80')), device()).drop, 'bad-setting-mode');
});

test('encoding set: supported → action and 0x0082; unsupported → unchanged', (t) => {
  const ok = handleConmonRequest(request(MSG_ENCODING_REQUEST, encodeSettingRequest({ kind: 'set', value: 16 })), device());
  t.deepEqual(ok.actions, [{ type: 'set-encoding', bitDepth: 16 }]);
  const a = parse(ok.multicast[0]!);
  t.is(a.type, 0x0082);
  t.deepEqual(settingStatus.decode(a.content), { current: 16, second: 0, flag: 2, supported: [16, 24, 32] });
  const no = handleConmonRequest(request(MSG_ENCODING_REQUEST, encodeSettingRequest({ kind: 'set', value: 20 })), device());
  t.deepEqual(no.actions, []);
  t.is(settingStatus.decode(parse(no.multicast[0]!).content).current, 24);
});

test('identify, reboot, factory reset, AES67 and unknown types', (t) => {
  t.deepEqual(handleConmonRequest(request(MSG_IDENTIFY), device()), { multicast: [], actions: [{ type: 'identify' }] });
  const reboot = handleConmonRequest(request(MSG_REBOOT, hex('0001 0000')), device());
  t.deepEqual(reboot.actions, [{ type: 'reboot' }]);
  const ack = parse(reboot.multicast[0]!);
  t.is(ack.type, 0x0092);
  t.is(ack.content.length, 0);
  t.is(handleConmonRequest(request(MSG_REBOOT, hex('0000 0000')), device()).drop, 'bad-reboot-request');
  t.is(handleConmonRequest(request(MSG_REBOOT), device()).drop, 'truncated');
  t.is(handleConmonRequest(request(0x0091), device()).drop, 'factory-reset-ignored');
  t.is(handleConmonRequest(readFixture('sessions/aes67_toggle/protocol_FFFF_message_1006_id_4108754.bin'), device()).drop, 'aes67-unsupported');
  t.is(handleConmonRequest(request(0x0100), device()).drop, 'unknown-type');
});

test('non-requests are dropped: heartbeats, other versions, our own multicasts echoed back', (t) => {
  t.is(handleConmonRequest(readFixture('sessions/aes67_toggle/protocol_FFFE_opcode_0000_id_4108760.bin'), device()).drop, 'not-a-request');
  // netaudio's shifted header (session 62) has no 0x07 version byte at 24.
  t.is(handleConmonRequest(readFixture('sessions/session_62_ad4d_channel_count_investigation/protocol_FFFF_message_0731_id_54032.bin'), device()).drop, 'bad-version');
  t.is(handleConmonRequest(hex('ffff 0010'), device()).drop, 'truncated');
  // A device's own 0x0060 (not a request type) is ignored.
  t.is(handleConmonRequest(readFixture('sessions/session_63_dante_model_discovery/protocol_FFFF_message_0060_id_63506.bin'), device()).drop, 'unknown-type');
});
