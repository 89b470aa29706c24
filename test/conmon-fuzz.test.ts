// Random and truncated mutations of real packets must never throw out of the handlers, and the
// decoders may only throw DecodeError.
import test from 'ava';
import { Xorshift32 } from '../dist/core/audio/index.js';
import { hex } from '../dist/core/bytes.js';
import { handleCmcRequest } from '../dist/core/cmc/index.js';
import { boardInfo, clockStatus, ConmonSequence, decodeHeartbeat, handleConmonRequest, productInfo, type ConmonDeviceView } from '../dist/core/conmon/index.js';
import { DecodeError } from '../dist/core/errors.js';
import { decodeFlowRequest, decodeReply, decodeStop, decodeUpdate, encodeFlowRequest } from '../dist/core/flows/index.js';
import { findFixtures, readFixture } from './support/fixture-files.js';

const rng = new Xorshift32(0xc0ffee);
const rand = (n: number) => rng.next() % n;

function mutate(src: Buffer): Buffer {
  const b = Buffer.from(src);
  switch (rand(4)) {
    case 0: // truncate
      return b.subarray(0, rand(b.length + 1));
    case 1: // flip a few bytes
      for (let i = 0, n = 1 + rand(4); i < n && b.length; i++) b[rand(b.length)] = rng.next() & 0xff;
      return b;
    case 2: // rewrite a u16 (counts, pointers, lengths) with an extreme value
      if (b.length >= 2) b.writeUInt16BE([0, 1, 0xffff, b.length, b.length + 1, rng.next() & 0xffff][rand(6)]!, rand(b.length - 1));
      return b;
    default: // truncate but keep the length field consistent
      if (b.length >= 4) {
        const c = b.subarray(0, 4 + rand(b.length - 3));
        c.writeUInt16BE(c.length, 2);
        return c;
      }
      return b;
  }
}

const device: ConmonDeviceView = {
  processId: 0,
  deviceId: hex('0000 0a00 0001 0000'),
  sequence: new ConmonSequence(),
  boardInfo: boardInfo.defaultBoardInfo('Inferno', [0, 1, 0, 0]),
  productInfo: {
    manufacturer: 'Inferno',
    modelId: new Uint8Array(8),
    softwareVersion: [0, 1, 0, 0],
    firmwareVersion: [0, 1, 0, 0],
    patchA: 0,
    patchB: 0,
    manufacturerName: 'Inferno-AoIP',
    modelName: 'inferno-aoip',
    productVersion: [0, 1, 0, 0],
  },
  sampleRate: 48000,
  supportedSampleRates: [48000],
  encoding: 24,
  supportedEncodings: [24],
  clockStatus: {
    state: [3, 3],
    preferredLeader: false,
    flags: 0x9f,
    frequencyOffsetPpb: 0,
    ownId: new Uint8Array(8),
    leaderId: new Uint8Array(8),
    leaderId2: new Uint8Array(8),
    role: clockStatus.PTPV1_ROLE_SLAVE,
  },
};
const cmcDevice = { processId: 0, deviceId: hex('0000 0a00 0001 0000'), ip: '10.0.0.1', infoPort: 8700 };

function onlyDecodeErrors(t: { fail(m: string): void }, f: () => unknown, what: string): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof DecodeError)) t.fail(`${what}: ${String(e)}`);
  }
}

test('conmon and CMC handlers never throw on mutated real packets', (t) => {
  const seeds = [
    ...findFixtures('sessions', /^protocol_FFF[EF]_/),
    ...findFixtures('subscription', /^multicast_/),
  ].map(readFixture);
  seeds.push(hex('1200 0014 06dc 1001 0000 0000 001c 25be 3985 0000'), hex('1000 0014 0042 3010 0000 dead beef 0102 0304 0506'));
  let answered = 0;
  for (let i = 0; i < 4000; i++) {
    const pkt = mutate(seeds[rand(seeds.length)]!);
    const r = handleConmonRequest(pkt, device);
    if (r.multicast.length) answered++;
    const c = handleCmcRequest(pkt, cmcDevice);
    t.true(c.reply !== undefined || typeof c.drop === 'string');
    onlyDecodeErrors(t, () => decodeHeartbeat(pkt), 'heartbeat');
  }
  // The mutations must not all be trivially rejected.
  t.true(answered > 100, `only ${answered} answered`);
});

test('flows decoders only throw DecodeError on mutated requests', (t) => {
  const seeds = [
    encodeFlowRequest({ transactionId: 1, receiverName: 'rxdev', flowName: '0_1', sampleRate: 48000, bitsPerSample: 24, channels: [1, 2], framesPerPacket: 32, receiverIp: '10.0.0.2', receiverPort: 40000 }),
    hex('1102 0016 0003 0102 0000 0000 0000 beef 0002 0003 0000'),
    hex('1102 0010 0002 0101 0000 0000 0000 beef'),
  ];
  for (let i = 0; i < 3000; i++) {
    const pkt = mutate(seeds[rand(seeds.length)]!);
    onlyDecodeErrors(t, () => decodeFlowRequest(pkt), 'request');
    onlyDecodeErrors(t, () => decodeUpdate(pkt), 'update');
    onlyDecodeErrors(t, () => decodeStop(pkt), 'stop');
    onlyDecodeErrors(t, () => decodeReply(pkt), 'reply');
  }
  t.pass();
});

test('info content decoders only throw DecodeError on mutated real content', (t) => {
  const board = readFixture('sessions/session_63_dante_model_discovery/protocol_FFFF_message_0060_id_63506.bin').subarray(32);
  const product = readFixture('sessions/session_63_dante_model_discovery/protocol_FFFF_message_00C0_id_62989.bin').subarray(32);
  const clock = readFixture('sessions/clock_master_control/protocol_FFFF_message_0020_id_4329890.bin').subarray(32);
  for (let i = 0; i < 1000; i++) {
    onlyDecodeErrors(t, () => boardInfo.decode(mutate(board)), 'board');
    onlyDecodeErrors(t, () => productInfo.decode(mutate(product)), 'product');
    onlyDecodeErrors(t, () => clockStatus.decode(mutate(clock)), 'clock');
  }
  t.pass();
});
