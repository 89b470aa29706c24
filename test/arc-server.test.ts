// handleArcRequest behaviour beyond the vectors: drops, unsupported opcodes, paging, rejections.
import test from 'ava';
import { hex } from '../dist/core/bytes.js';
import { DecodeError } from '../dist/core/errors.js';
import {
  ArcStatus,
  buildRxChannelsRequest,
  buildSetDeviceNameRequest,
  buildSetLatencyRequest,
  buildSubscribeRequest,
  buildTxChannelRenameRequest,
  buildTxChannelsRequest,
  buildSettingsRequest,
  decodeHeader,
  handleArcRequest,
  nextPageStart,
  parseRxChannelsReply,
  parseSettingsReply,
  parseTxChannelsReply,
  rxChannelRenameRequest,
  subscribeRequest,
  txChannelsReply,
} from '../dist/core/arc/index.js';
import { deviceWithChannels, sampleDevice } from './support/arc-device.js';

const status = (b: Buffer | undefined): number => decodeHeader(b!).status;

test('drops: short, length mismatch, non-zero status, unknown protocol id', (t) => {
  const d = sampleDevice();
  t.is(handleArcRequest(hex('27ff 000a 0001 10'), d).drop, 'short');
  t.is(handleArcRequest(hex('27ff 000b 0001 1002 0000'), d).drop, 'length-mismatch');
  t.is(handleArcRequest(hex('27ff 000a 0001 1002 0001'), d).drop, 'status-nonzero');
  t.is(handleArcRequest(hex('1234 000a 0001 1002 0000'), d).drop, 'unknown-protocol');
});

test('all three protocol ids are answered with the id echoed', (t) => {
  for (const id of [0x27ff, 0x2729, 0x2809]) {
    const r = handleArcRequest(buildTxChannelsRequest(7, 1, id), sampleDevice());
    t.is(decodeHeader(r.reply!).protocolId, id);
  }
});

test('unknown opcodes get 0x0030 without content, counted', (t) => {
  const r = handleArcRequest(hex('2809 000a 0042 1004 0000'), sampleDevice());
  t.deepEqual(r.reply, hex('2809 000a 0042 1004 0030'));
  t.is(r.count, 'unsupported-opcode');
  t.is(status(handleArcRequest(hex('27ff 000a 0001 2320 0000'), sampleDevice()).reply), ArcStatus.UNSUPPORTED);
});

test('TX paging: 40 channels in pages of 32 with 0x8112, start 0 and past the end get 0xFFFF', (t) => {
  const d = deviceWithChannels(40);
  const p1 = parseTxChannelsReply(handleArcRequest(buildTxChannelsRequest(1, 1), d).reply!);
  t.is(p1.channels.length, 32);
  t.is(p1.capacity, 32);
  t.is(p1.status, ArcStatus.MORE_PAGES);
  t.is(nextPageStart({ status: p1.status!, count: 32 }, 1, 40), 33);
  const p2 = parseTxChannelsReply(handleArcRequest(buildTxChannelsRequest(2, 33), d).reply!);
  t.deepEqual(p2.channels.map((c) => c.number), [33, 34, 35, 36, 37, 38, 39, 40]);
  t.is(p2.status, ArcStatus.OK);
  t.is(nextPageStart({ status: p2.status!, count: 8 }, 33, 40), undefined);
  t.is(status(handleArcRequest(buildTxChannelsRequest(3, 0), d).reply), ArcStatus.NOTHING);
  t.is(status(handleArcRequest(buildTxChannelsRequest(4, 41), d).reply), ArcStatus.NOTHING);
});

test('RX pages stay within the byte limit with long names', (t) => {
  const long = 'x'.repeat(31);
  const d = sampleDevice({
    rxChannels: Array.from({ length: 32 }, (_, i) => ({ number: i + 1, name: `${long.slice(3)}${String(i).padStart(3, '0')}`, subscription: { txChannelName: long, txDeviceName: long, status: 0x01010009 } })),
  });
  let start: number | undefined = 1;
  const seen: number[] = [];
  while (start !== undefined) {
    const reply = handleArcRequest(buildRxChannelsRequest(1, start), d).reply!;
    t.true(reply.length <= 1400);
    const page = parseRxChannelsReply(reply);
    seen.push(...page.channels.map((c) => c.number));
    start = nextPageStart({ status: page.status!, count: page.channels.length }, start, 32);
  }
  t.deepEqual(seen, Array.from({ length: 32 }, (_, i) => i + 1));
});

test('0x1100 answers every requested code in order, latency behind pointers', (t) => {
  const r = parseSettingsReply(handleArcRequest(buildSettingsRequest(9), sampleDevice()).reply!);
  t.is(r.records.length, 23);
  t.deepEqual(r.records[0], { code: 0x0201 });
  t.deepEqual(r.latency, { defaultNs: 1_000_000, currentNs: 10_000_000, secondNs: 10_000_000, maxNs: 40_000_000, minNs: 150_000 });
});

test('rejections: latency out of range, bad names, unknown channels; no actions', (t) => {
  const d = sampleDevice();
  for (const req of [
    buildSetLatencyRequest(1, 100_000),
    buildSetLatencyRequest(1, 50_000_000),
    buildSetDeviceNameRequest(1, 'x'.repeat(32)),
    buildSetDeviceNameRequest(1, ''),
    buildTxChannelRenameRequest(1, [{ channel: 3, name: 'a' }]),
    buildTxChannelRenameRequest(1, [{ channel: 1, name: '' }]),
    buildSubscribeRequest(1, [{ rxChannel: 9, txChannelName: 'a', txDeviceName: 'b' }]),
    buildSubscribeRequest(1, [{ rxChannel: 1, txChannelName: 'a', txDeviceName: 'y'.repeat(40) }]),
  ]) {
    const r = handleArcRequest(req, d);
    t.is(status(r.reply), ArcStatus.REJECTED);
    t.deepEqual(r.actions, []);
    t.regex(r.count!, /^rejected-/);
  }
  t.is(status(handleArcRequest(buildSetDeviceNameRequest(1, 'ok'), sampleDevice({ deviceRenamable: false })).reply), ArcStatus.REJECTED);
});

test('locked devices answer writes with 0x0600 and do nothing; reads still work', (t) => {
  const d = sampleDevice({ locked: true });
  const r = handleArcRequest(buildSetLatencyRequest(1, 1_000_000), d);
  t.is(status(r.reply), ArcStatus.LOCKED);
  t.deepEqual(r.actions, []);
  t.is(status(handleArcRequest(buildTxChannelsRequest(1, 1), d).reply), ArcStatus.OK);
});

test('device name reset and channel name reset (no string)', (t) => {
  const reset = buildSetDeviceNameRequest(5, undefined);
  t.is(reset.length, 10);
  t.deepEqual(handleArcRequest(reset, sampleDevice()).actions, [{ type: 'rename-device', name: undefined }]);
  const rx = hex('27ff 0014 0031 3001 0000 0201 0002 0014 0000 0000');
  t.deepEqual(rxChannelRenameRequest.decode(rx).renames, [{ channel: 2, name: undefined }]);
  t.deepEqual(handleArcRequest(rx, sampleDevice()).actions[0], { type: 'rename-rx-channel', channel: 2, name: undefined });
  const tx = buildTxChannelRenameRequest(6, [{ channel: 1, name: undefined }]);
  t.is(tx.readUInt16BE(16), tx.length);
  t.deepEqual(handleArcRequest(tx, sampleDevice()).actions, [{ type: 'rename-tx-channel', channel: 1, name: undefined }]);
});

test('subscriptions: `.` means this device, pointers below 10 skip the record', (t) => {
  const self = handleArcRequest(buildSubscribeRequest(1, [{ rxChannel: 1, txChannelName: '02', txDeviceName: '.' }]), sampleDevice());
  t.deepEqual(self.actions[0], { type: 'subscribe', rxChannel: 1, txChannelName: '02', txDeviceName: 'dev', toSelf: true });
  const req = buildSubscribeRequest(2, [{ rxChannel: 1, txChannelName: '01', txDeviceName: 'tx' }, { rxChannel: 2 }]);
  req.writeUInt16BE(5, 14); // record 1's TX channel pointer → inside the header
  t.true(subscribeRequest.decode(req).records[0]!.badPointer);
  const r = handleArcRequest(req, sampleDevice());
  t.is(status(r.reply), ArcStatus.OK);
  t.deepEqual(r.actions, [{ type: 'unsubscribe', rxChannel: 2 }, { type: 'notify-rx-change', channels: [2] }]);
});

test('malformed content is dropped with a stable reason', (t) => {
  const d = sampleDevice();
  const sub = buildSubscribeRequest(3, [{ rxChannel: 1, txChannelName: '01', txDeviceName: 'tx' }]);
  const chan0 = Buffer.from(sub);
  chan0.writeUInt16BE(0, 12);
  t.is(handleArcRequest(chan0, d).drop, 'channel-zero');
  const outside = Buffer.from(sub);
  outside.writeUInt16BE(0x0400, 14);
  t.is(handleArcRequest(outside, d).drop, 'bad-pointer');
  const noNul = Buffer.from(sub.subarray(0, sub.length - 1));
  noNul.writeUInt16BE(noNul.length, 2);
  t.is(handleArcRequest(noNul, d).drop, 'unterminated');
  const tooMany = Buffer.from(sub);
  tooMany[11] = 200;
  t.is(handleArcRequest(tooMany, d).drop, 'count-overflow');
  t.throws(() => txChannelsReply.decode(hex('27ff 000c 0001 2000 0001 0505')), { instanceOf: DecodeError });
});
