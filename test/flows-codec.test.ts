import test from 'ava';
import { hex } from '../dist/core/bytes.js';
import {
  checkFlowRequest,
  decodeFlowRequest,
  decodeReply,
  decodeStop,
  decodeUpdate,
  encodeFlowRequest,
  encodeReply,
  encodeStop,
  encodeUpdate,
  FLOW_STATUS_INVALID,
  FLOW_STATUS_OK,
  FLOW_STATUS_RATE_MISMATCH,
  FLOW_STATUS_TOO_MANY_FLOWS,
  FLOW_STATUS_UNKNOWN_HANDLE,
  flowRequestLength,
  FLOWS_START_CODE,
  isKeepalive,
  KEEPALIVE,
} from '../dist/core/flows/index.js';

const REQUEST = hex(`1102 0048 0001 0100 0000 0034 0000 bb80 0000 0018 0001 0002 0040 0001 0002 0020
0a00 0002 0020 003a 0000 0000 0000 0000 0000 0000 7278 6465 7600 305f 3100 0000
0802 9c40 0a00 0002`);
const REQ = {
  transactionId: 1,
  receiverName: 'rxdev',
  flowName: '0_1',
  sampleRate: 48000,
  bitsPerSample: 24,
  channels: [1, 2],
  framesPerPacket: 32,
  receiverIp: '10.0.0.2',
  receiverPort: 40000,
};
const handle = { flowNumber: 0, cookie: 0xbeef };

test('§12.4 flow request encodes byte-exact and decodes back', (t) => {
  t.is(flowRequestLength(REQ), 72);
  t.deepEqual(encodeFlowRequest(REQ), REQUEST);
  t.deepEqual(decodeFlowRequest(REQUEST), { ...REQ, startCode: FLOWS_START_CODE, word20: 1, addressTag: 0x0802 });
});

test('requests with other slot counts and names round-trip (padding to 8)', (t) => {
  for (const channels of [[1], [3, 0, 5], [1, 2, 3, 4, 5, 6, 7, 8]]) {
    for (const flowName of ['1_0', '12_3', 'x']) {
      const req = { ...REQ, channels, flowName, startCode: 0x1102, transactionId: 9 };
      const pkt = encodeFlowRequest(req);
      t.is(pkt.readUInt16BE(24) % 8, 0);
      t.like(decodeFlowRequest(pkt), req);
    }
  }
});

test('§12.4 replies, stop, update and keepalive are byte-exact', (t) => {
  const ok = hex('1102 0010 0001 0100 0001 0000 0000 beef');
  t.deepEqual(encodeReply({ startCode: 0x1102, transactionId: 1, opcode: 0x0100, status: FLOW_STATUS_OK, handle }), ok);
  t.deepEqual(decodeReply(ok), { startCode: 0x1102, transactionId: 1, opcode: 0x0100, status: 1, handle });
  const err = hex('1102 000a 0001 0100 0301');
  t.deepEqual(encodeReply({ startCode: 0x1102, transactionId: 1, opcode: 0x0100, status: FLOW_STATUS_RATE_MISMATCH }), err);
  t.deepEqual(decodeReply(err), { startCode: 0x1102, transactionId: 1, opcode: 0x0100, status: 0x0301 });
  const stop = hex('1102 0010 0002 0101 0000 0000 0000 beef');
  t.deepEqual(encodeStop({ transactionId: 2, handle }), stop);
  t.deepEqual(decodeStop(stop), { startCode: 0x1102, transactionId: 2, handle });
  const update = hex('1102 0016 0003 0102 0000 0000 0000 beef 0002 0003 0000');
  t.deepEqual(encodeUpdate({ transactionId: 3, handle, channels: [3, 0] }), update);
  t.deepEqual(decodeUpdate(update), { startCode: 0x1102, transactionId: 3, handle, channels: [3, 0] });
  t.deepEqual(KEEPALIVE, hex('1337'));
  t.true(isKeepalive(hex('1337')));
  t.false(isKeepalive(hex('1338')));
  t.false(isKeepalive(hex('1337 00')));
  t.deepEqual(encodeReply({ startCode: 0x1102, transactionId: 4, opcode: 0x0101, status: FLOW_STATUS_UNKNOWN_HANDLE }), hex('1102 000a 0004 0101 0103'));
  t.is(FLOW_STATUS_TOO_MANY_FLOWS, 0x0315);
});

test('transmitter checks give the documented statuses', (t) => {
  const limits = { sampleRate: 48000, txChannelCount: 4 };
  const req = decodeFlowRequest(REQUEST);
  t.is(checkFlowRequest(req, limits), FLOW_STATUS_OK);
  t.is(checkFlowRequest({ ...req, sampleRate: 44100 }, limits), FLOW_STATUS_RATE_MISMATCH);
  t.is(checkFlowRequest({ ...req, framesPerPacket: 257 }, limits), FLOW_STATUS_INVALID);
  t.is(checkFlowRequest({ ...req, framesPerPacket: 1 }, limits), FLOW_STATUS_INVALID);
  t.is(checkFlowRequest({ ...req, framesPerPacket: 0 }, limits), FLOW_STATUS_INVALID);
  t.is(checkFlowRequest({ ...req, framesPerPacket: 2 }, limits), FLOW_STATUS_OK);
  t.is(checkFlowRequest({ ...req, framesPerPacket: 256 }, limits), FLOW_STATUS_OK);
  t.is(checkFlowRequest({ ...req, channels: [5] }, limits), FLOW_STATUS_INVALID);
  t.is(checkFlowRequest({ ...req, channels: [1, 2, 3, 4, 1, 2, 3, 4, 1] }, limits), FLOW_STATUS_INVALID);
  t.is(checkFlowRequest({ ...req, bitsPerSample: 20 }, limits), FLOW_STATUS_INVALID);
});

test('malformed requests are DecodeErrors with stable reasons', (t) => {
  t.throws(() => decodeFlowRequest(hex('1102 001a 0001 0100 0000 0000 0000 0000 0000 0000 0000 0000 0000')), { message: /short-request/ });
  const badLen = Buffer.from(REQUEST);
  badLen.writeUInt16BE(80, 2);
  t.throws(() => decodeFlowRequest(badLen), { message: /length-mismatch/ });
  const manySlots = Buffer.from(REQUEST);
  manySlots.writeUInt16BE(40, 22);
  t.throws(() => decodeFlowRequest(manySlots), { message: /truncated/ });
  const badAddr = Buffer.from(REQUEST);
  badAddr.writeUInt16BE(70, 24);
  t.throws(() => decodeFlowRequest(badAddr), { message: /truncated/ });
  const lowAddr = Buffer.from(REQUEST);
  lowAddr.writeUInt16BE(4, 24);
  t.throws(() => decodeFlowRequest(lowAddr), { message: /bad-pointer/ });
  const badName = Buffer.from(REQUEST);
  badName.writeUInt16BE(200, 10);
  t.throws(() => decodeFlowRequest(badName), { message: /bad-pointer/ });
  const unterminated = Buffer.from(REQUEST);
  unterminated.fill(0x41, 52);
  t.throws(() => decodeFlowRequest(unterminated), { message: /unterminated/ });
  const badParams = Buffer.from(REQUEST);
  badParams.writeUInt16BE(71, 30);
  t.throws(() => decodeFlowRequest(badParams), { message: /truncated/ });
  t.throws(() => decodeUpdate(hex('1102 0012 0003 0102 0000 0000 0000 beef 0009')), { message: /too-many-slots/ });
  t.throws(() => decodeUpdate(hex('1102 0014 0003 0102 0000 0000 0000 beef 0002 0003')), { message: /truncated/ });
  t.throws(() => decodeStop(hex('1102 000c 0002 0101 0000 0000')), { message: /truncated/ });
});
