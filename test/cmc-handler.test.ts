import test from 'ava';
import { hex } from '../dist/core/bytes.js';
import {
  CMC_REPLY_START_CODE,
  decodeRegisterReply,
  decodeRegisterRequest,
  encodeRegisterRequest,
  handleCmcRequest,
  STATUS_CMC_UNSUPPORTED,
} from '../dist/core/cmc/index.js';

const device = { processId: 0, deviceId: hex('0000 0a00 0001 0000'), ip: '10.0.0.1', infoPort: 8700 };

test('§12.2 register request gets the computed Inferno reply', (t) => {
  const req = hex('1200 0014 06dc 1001 0000 0000 001c 25be 3985 0000');
  const r = handleCmcRequest(req, device);
  t.is(r.drop, undefined);
  t.deepEqual(r.reply, hex('1200 0020 06dc 1001 0001 0000 0000 0a00 0001 0000 0001 0000 0a00 0001 21fc 0000'));
});

test('register reply uses start code 0x1200 even when DC sends 0x1000', (t) => {
  const req = encodeRegisterRequest({ startCode: 0x1000, transactionId: 7, controllerId: hex('3e42 274c ff24 0000') });
  const r = handleCmcRequest(req, { ...device, processId: 3, infoPort: 9003 });
  t.truthy(r.reply);
  t.is(r.reply!.readUInt16BE(0), CMC_REPLY_START_CODE);
  const reply = decodeRegisterReply(r.reply!);
  t.is(reply.transactionId, 7);
  t.is(reply.processId, 3);
  t.is(reply.infoPort, 9003);
  t.is(reply.ip, '10.0.0.1');
  t.deepEqual(decodeRegisterRequest(req).controllerId, Uint8Array.from(hex('3e42 274c ff24 0000')));
});

test('the real device reply in §12.2 decodes', (t) => {
  const reply = decodeRegisterReply(hex('1200 0020 06dc 1001 0001 0000 001d c104 12e2 0000 0001 0000 0a23 2516 21fc 0000'));
  t.is(reply.ip, '10.35.37.22');
  t.is(reply.infoPort, 8700);
});

test('0x3010 poll is echoed with status OK and unchanged content', (t) => {
  const req = hex('1000 0014 0042 3010 0000 dead beef 0102 0304 0506');
  const r = handleCmcRequest(req, device);
  t.deepEqual(r.reply, hex('1200 0014 0042 3010 0001 dead beef 0102 0304 0506'));
});

test('other ARC-framed opcodes get status 0x0020 with no content', (t) => {
  const r = handleCmcRequest(hex('27ff 000a 0005 1002 0000'), device);
  t.deepEqual(r.reply, hex('1200 000a 0005 1002 0020'));
  t.is(r.reply!.readUInt16BE(8), STATUS_CMC_UNSUPPORTED);
});

test('malformed and non-request packets are dropped with a reason', (t) => {
  t.is(handleCmcRequest(hex('1200 0014'), device).drop, 'truncated');
  t.is(handleCmcRequest(hex('1200 0020 06dc 1001 0000 0000'), device).drop, 'length-mismatch');
  t.is(handleCmcRequest(hex('1200 000a 06dc 1001 0001'), device).drop, 'not-a-request');
  t.is(handleCmcRequest(hex('1200 000c 06dc 1001 0000 0000'), device).drop, 'truncated');
  t.is(handleCmcRequest(hex('ffff 0022 0fdb 0000 000e ddfd 4e13 0000'), device).drop, 'conmon-on-cmc-port');
});
