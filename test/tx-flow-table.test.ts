// TxFlowTable and the transmit schedule with synthetic media time (PROTOCOL.md §5, §6.3).
import test from 'ava';
import {
  decodeFlowRequest,
  encodeFlowRequest,
  FLOW_STATUS_INVALID,
  FLOW_STATUS_OK,
  FLOW_STATUS_RATE_MISMATCH,
  FLOW_STATUS_TOO_MANY_FLOWS,
  FLOW_STATUS_UNKNOWN_HANDLE,
  type FlowRequest,
} from '../dist/core/flows/index.js';
import { TxFlowTable, TxSchedule, LatenessHistogram, drawMulticastGroup, txFlowRecords, earlyGuardSamples } from '../dist/core/tx/index.js';
import { txFlowsReply } from '../dist/core/arc/tx-flows.js';

const RATE = 48000;
const base: FlowRequest = { transactionId: 1, receiverName: 'rx', flowName: '1_0', sampleRate: RATE, bitsPerSample: 24, channels: [1, 2], framesPerPacket: 32, receiverIp: '10.0.0.2', receiverPort: 5000 };
const req = (o: Partial<FlowRequest> = {}) => decodeFlowRequest(encodeFlowRequest({ ...base, ...o }));
const table = () => new TxFlowTable({ sampleRate: RATE, txChannels: 8, random: () => 0.5 });

test('a valid request creates flow 1 with handle (0, cookie) and a spec for the transmit worker', (t) => {
  const tb = table();
  const r = tb.request(req(), 1000);
  t.is(r.status, FLOW_STATUS_OK);
  t.deepEqual(r.handle, { flowNumber: 0, cookie: 0x8000 });
  t.true(r.changed);
  t.deepEqual(tb.specs(), [{ id: 1, generation: 1, multicast: false, address: '10.0.0.2', port: 5000, channels: [1, 2], fpp: 32, bits: 24 }]);
});

test('rate mismatch, fpp outside 2..256, bad channels and bit depths get the documented status', (t) => {
  const tb = table();
  t.is(tb.request(req({ sampleRate: 44100 }), 0).status, FLOW_STATUS_RATE_MISMATCH);
  for (const fpp of [0, 1, 257]) t.is(tb.request(req({ framesPerPacket: fpp }), 0).status, FLOW_STATUS_INVALID, `fpp ${fpp}`);
  t.is(tb.request(req({ channels: [9] }), 0).status, FLOW_STATUS_INVALID);
  t.is(tb.request(req({ channels: [1, 2, 3, 4, 5, 6, 7, 8, 1] }), 0).status, FLOW_STATUS_INVALID);
  t.is(tb.request(req({ bitsPerSample: 20 }), 0).status, FLOW_STATUS_INVALID);
  t.is(tb.size, 0);
  t.is(tb.request(req({ framesPerPacket: 2 }), 0).status, FLOW_STATUS_OK);
  t.is(tb.request(req({ framesPerPacket: 256, receiverPort: 2 }), 0).status, FLOW_STATUS_OK);
});

test('a second request to the same receiver IP:port reuses the flow: same handle, new channels, old fpp', (t) => {
  const tb = table();
  const a = tb.request(req(), 0);
  const b = tb.request(req({ channels: [3], framesPerPacket: 16, bitsPerSample: 16 }), 10);
  t.deepEqual(b.handle, a.handle);
  t.is(tb.size, 1);
  t.like(tb.get(1), { channels: [3], fpp: 32, bits: 24 });
  t.is(tb.request(req({ receiverPort: 5001 }), 10).handle!.flowNumber, 1);
});

test('32 flows are shared with multicast; the 33rd gets 0x0315; ids come from a counter skipping used ones', (t) => {
  const tb = table();
  t.true(tb.createMulticast(5, [1], '239.255.1.2', 4321, 0));
  for (let i = 0; i < 31; i++) t.is(tb.request(req({ receiverPort: 6000 + i }), 0).status, FLOW_STATUS_OK);
  t.is(tb.request(req({ receiverPort: 7000 }), 0).status, FLOW_STATUS_TOO_MANY_FLOWS);
  t.deepEqual(tb.all().map((f) => f.id), Array.from({ length: 32 }, (_, i) => i + 1));
  // Free flow 3: the counter (now past 32) wraps and finds it.
  t.is(tb.stop(tb.get(3)!.handle).status, FLOW_STATUS_OK);
  t.is(tb.request(req({ receiverPort: 7000 }), 0).handle!.flowNumber, 2);
});

test('stop and update check the handle and cookie (0x0103)', (t) => {
  const tb = table();
  const { handle } = tb.request(req(), 0);
  t.is(tb.stop({ flowNumber: 0, cookie: handle!.cookie ^ 1 }).status, FLOW_STATUS_UNKNOWN_HANDLE);
  t.is(tb.update({ flowNumber: 7, cookie: handle!.cookie }, [1], 0).status, FLOW_STATUS_UNKNOWN_HANDLE);
  t.is(tb.update(handle!, [9], 0).status, FLOW_STATUS_INVALID);
  t.is(tb.update(handle!, [4, 0, 5], 0).status, FLOW_STATUS_OK);
  t.deepEqual(tb.get(1)!.channels, [4, 0, 5]);
  t.is(tb.stop(handle!).status, FLOW_STATUS_OK);
  t.is(tb.stop(handle!).status, FLOW_STATUS_UNKNOWN_HANDLE);
});

test('keepalives extend expiry by 4 s of media time; expired flows stop, answer 0x0103 to stop, revive on update', (t) => {
  const tb = table();
  const { handle } = tb.request(req(), 0);
  t.deepEqual(tb.tick(4 * RATE - 1), []);
  t.true(tb.keepalive(1, 3 * RATE));
  t.deepEqual(tb.tick(4 * RATE), []);
  t.deepEqual(tb.tick(7 * RATE), [1]);
  t.deepEqual(tb.specs(), []);
  t.false(tb.keepalive(1, 7 * RATE));
  t.is(tb.stop(handle!).status, FLOW_STATUS_UNKNOWN_HANDLE);
  const gen = tb.get(1)!.generation;
  t.is(tb.update(handle!, [2], 8 * RATE).status, FLOW_STATUS_OK);
  t.is(tb.get(1)!.state, 'active');
  t.true(tb.get(1)!.generation > gen, 'revived flows re-bootstrap');
  t.deepEqual(tb.tick(12 * RATE - 1), []);
});

test('expired flows are deleted when the next create request arrives', (t) => {
  const tb = table();
  tb.request(req(), 0);
  tb.tick(5 * RATE);
  t.is(tb.size, 1);
  tb.request(req({ receiverPort: 9 }), 5 * RATE);
  t.deepEqual(tb.all().map((f) => f.port), [9]);
});

test('multicast flows: slot 1..32, muted until activated, never expire, deleted only as multicast', (t) => {
  const tb = table();
  t.false(tb.createMulticast(0, [1], 'g', 4321, 0));
  t.false(tb.createMulticast(33, [1], 'g', 4321, 0));
  t.false(tb.createMulticast(2, [9], 'g', 4321, 0));
  t.true(tb.createMulticast(2, [1, 0, 2], '239.255.0.9', 4321, 0));
  t.false(tb.createMulticast(2, [1], 'g', 4321, 0), 'slot in use');
  t.deepEqual(tb.specs(), []);
  t.true(tb.activateMulticast(2, '239.255.3.4'));
  t.like(tb.specs()[0], { id: 2, multicast: true, address: '239.255.3.4', port: 4321, fpp: 32, bits: 24, channels: [1, 0, 2] });
  t.deepEqual(tb.tick(1e9), []);
  tb.request(req(), 0);
  t.false(tb.deleteMulticast(1), 'unicast flows are not deleted by 0x2202');
  t.true(tb.deleteMulticast(2));
  t.deepEqual(tb.all().map((f) => f.id), [1]);
});

test('ARC 0x2200 records encode with the flow list codec', (t) => {
  const tb = table();
  tb.request(req(), 0);
  tb.createMulticast(4, [3, 4], '239.255.1.1', 4321, 0);
  tb.activateMulticast(4, '239.255.1.1');
  const records = txFlowRecords(tb.all(), RATE, 0);
  t.like(records[0], { id: 1, multicast: false, localFlowName: '1_0', receiverName: 'rx', receiverFlowName: '1_0', address: '10.0.0.2', port: 5000 });
  t.like(records[1], { id: 4, multicast: true, localFlowName: '4_0', bitDepth: 24 });
  const buf = txFlowsReply.encode({ protocolId: 0x2809, transactionId: 1, capacity: 32, flows: records });
  t.deepEqual(txFlowsReply.decode(buf).flows.map((f) => f.id), [1, 4]);
});

test('multicast groups are drawn in 239.255/16 avoiding those in use', (t) => {
  let i = 0;
  const seq = [0, 0, 0.5];
  const g = drawMulticastGroup(() => seq[i++]!, new Set(['239.255.0.1']));
  t.is(g, '239.255.128.0');
  t.regex(drawMulticastGroup(Math.random, new Set()), /^239\.255\.\d+\.\d+$/);
});

test('schedule: first packet at the next multiple of fpp, catch-up bounded, re-bootstrap on lag or backwards jump', (t) => {
  const s = new TxSchedule(32, 480, 4);
  t.is(s.due(1000), 0);
  t.is(s.next, 1024);
  t.is(s.due(1023), 0);
  t.is(s.due(1024), 1);
  s.advance();
  t.is(s.due(1056 + 32 * 10), 4, 'bounded burst');
  t.is(s.due(1056 + 481), 0);
  t.is(s.rebootstraps, 1);
  t.is(s.next, 1568);
  t.is(s.due(1568 - 200_000), 0);
  t.is(s.rebootstraps, 2);
  t.is(earlyGuardSamples(48000), 24);
  t.is(earlyGuardSamples(44100), 22);
});

test('lateness histogram quantiles', (t) => {
  const h = new LatenessHistogram();
  for (let i = 0; i < 100; i++) h.record(i * 1000);
  h.record(50_000_000);
  t.is(h.quantileUs(0.5), 51);
  t.is(h.summary().maxUs, 50000);
  t.is(h.count, 101);
  // Late by at least 5, 10, 20 ms: the 50 s one, and 6, 12 and 25 ms ones added now.
  t.like(h.summary(), { late5ms: 1, late10ms: 1, late20ms: 1 });
  for (const ms of [4.999, 6, 12, 19.999, 25]) h.record(ms * 1e6);
  t.like(h.summary(), { late5ms: 5, late10ms: 4, late20ms: 2 });
});
