// RxSubscriptions with synthetic time: every status transition, backoff and flow planning (§5.4).
import test from 'ava';
import { RxSubscriptions, NO_AUDIO_DROP_MS, NEW_FLOW_GRACE_MS, RESOLVE_BACKOFF_BASE_MS, RESOLVE_BACKOFF_MAX_MS, RX_STATUS_RESOLVE_FAILED } from '../dist/core/rx/index.js';
import type { ResolvedTxChannel, RxAction } from '../dist/core/rx/index.js';
import { RxFlowReceiver } from '../dist/core/rx/flow-receiver.js';
import { createMediaRing, MediaRingWriter } from '../dist/core/media-ring.js';
import { RxStatus } from '../dist/core/arc/constants.js';

const tx = (id: number, over: Partial<ResolvedTxChannel> = {}): ResolvedTxChannel => ({
  ip: '10.0.0.1', port: 4455, txChannelId: id, nchan: 8, bitsPerSample: 24, fppMax: 32, fppMin: 2, latencyNs: 1_000_000, dbcp1: 0x1102, ...over,
});
const make = () => new RxSubscriptions({ rxChannels: 4, sampleRate: 48000, latencyNs: 10_000_000, selfName: 'me', processId: 0 });
const of = <T extends RxAction['type']>(a: RxAction[], type: T) => a.filter((x): x is Extract<RxAction, { type: T }> => x.type === type);
const statusOf = (sm: RxSubscriptions, rx: number) => sm.statuses().find((s) => s.rx === rx)?.status;

/** Subscribes rx to `id@tx` and walks it to receiving; returns the flow id. */
function connect(sm: RxSubscriptions, rx: number, id: number, now = 0): number {
  const r = of(sm.subscribe(rx, `0${id}`, 'tx', now), 'resolve')[0]!;
  const a = sm.resolved(rx, r.generation, tx(id), now);
  const open = of(a, 'open-flow')[0];
  if (open) {
    const req = of(sm.flowOpened(open.flowId, 5000 + open.flowId, now), 'request-flow')[0]!;
    sm.flowRequestDone(req.flowId, { ok: true, handle: { flowNumber: req.flowId, cookie: 1 } }, now);
  }
  return sm.statuses().find((s) => s.rx === rx)!.flowId!;
}

test('subscribe → unresolved → in progress → receiving unicast; unsubscribe stops the flow', (t) => {
  const sm = make();
  const a1 = sm.subscribe(1, '01', 'tx', 0);
  t.deepEqual(of(a1, 'status').map((s) => s.status), [RxStatus.UNRESOLVED]);
  const r = of(a1, 'resolve')[0]!;
  t.is(r.name, '01@tx');
  const a2 = sm.resolved(1, r.generation, tx(1), 10);
  t.is(statusOf(sm, 1), RxStatus.IN_PROGRESS);
  const open = of(a2, 'open-flow')[0]!;
  t.is(open.multicast, undefined);
  const a3 = sm.flowOpened(open.flowId, 40000, 20);
  t.deepEqual(of(a3, 'configure-flow')[0]!.routes, [[0, 0]]);
  const req = of(a3, 'request-flow')[0]!;
  t.deepEqual(req.channels, [1, 0, 0, 0], 'n = min(nchan 8, 4 RX channels, 8) slots');
  t.is(req.framesPerPacket, 32);
  t.is(req.receiverPort, 40000);
  t.is(req.flowName, '1_0');
  sm.flowRequestDone(open.flowId, { ok: true, handle: { flowNumber: 7, cookie: 9 } }, 30);
  t.is(statusOf(sm, 1), RxStatus.IN_PROGRESS);
  sm.audio(open.flowId, 40);
  t.is(statusOf(sm, 1), RxStatus.RECEIVING_UNICAST);
  const a4 = sm.unsubscribe(1);
  t.deepEqual(of(a4, 'stop-flow')[0]!.handle, { flowNumber: 7, cookie: 9 });
  t.is(of(a4, 'close-flow').length, 1);
  t.is(of(a4, 'status')[0]!.status, RxStatus.NONE);
  t.deepEqual(sm.statuses(), []);
});

test('frames per packet: a quarter of the latency by default, --rx-fpp within the transmitter\'s min..max and the payload', (t) => {
  const fppOf = (sm: RxSubscriptions, over: Partial<ResolvedTxChannel> = {}) => {
    const r = of(sm.subscribe(1, '01', 'tx', 0), 'resolve')[0]!;
    const open = of(sm.resolved(1, r.generation, tx(1, over), 0), 'open-flow')[0]!;
    return of(sm.flowOpened(open.flowId, 40000, 0), 'request-flow')[0]!.framesPerPacket;
  };
  const opts = { rxChannels: 4, sampleRate: 48000, selfName: 'me', processId: 0 };
  t.is(fppOf(new RxSubscriptions({ ...opts, latencyNs: 1_000_000 })), 12, '1 ms = 48 samples: 12 per packet');
  t.is(fppOf(new RxSubscriptions({ ...opts, latencyNs: 10_000_000 })), 32, 'capped by the advertised max');
  t.is(fppOf(new RxSubscriptions({ ...opts, latencyNs: 10_000_000, framesPerPacket: 16 })), 16, 'asked for');
  t.is(fppOf(new RxSubscriptions({ ...opts, latencyNs: 1_000_000, framesPerPacket: 24 })), 24, 'asked for, above a quarter of the latency');
  t.is(fppOf(new RxSubscriptions({ ...opts, latencyNs: 10_000_000, framesPerPacket: 64 })), 32, 'clamped to the advertised max');
  t.is(fppOf(new RxSubscriptions({ ...opts, latencyNs: 10_000_000, framesPerPacket: 4 }), { fppMin: 8 }), 8, 'clamped to the advertised min');
  t.is(fppOf(new RxSubscriptions({ ...opts, latencyNs: 10_000_000, framesPerPacket: 200 }), { fppMax: 256, bitsPerSample: 32 }), 87, '4 slots × 4 bytes: 1400-byte payload');
});

test('channels of one transmitter share a flow: reuse, free slot (0x0102), shrink, stop when unused', (t) => {
  const sm = make();
  const f = connect(sm, 1, 1);
  const r2 = of(sm.subscribe(2, '01', 'tx', 0), 'resolve')[0]!;
  const a2 = sm.resolved(2, r2.generation, tx(1), 0);
  t.is(of(a2, 'open-flow').length + of(a2, 'update-flow').length, 0, 'same TX channel: shared');
  t.deepEqual(of(a2, 'configure-flow')[0]!.routes, [[0, 0], [0, 1]]);
  const r3 = of(sm.subscribe(3, '03', 'tx', 0), 'resolve')[0]!;
  const up = of(sm.resolved(3, r3.generation, tx(3), 0), 'update-flow')[0]!;
  t.deepEqual(up.channels, [1, 3, 0, 0]);
  t.is(up.flowId, f);
  sm.flowUpdateDone(f, { ok: true, handle: { flowNumber: 0, cookie: 0 } }, 0);
  const a4 = sm.unsubscribe(3);
  t.deepEqual(of(a4, 'update-flow')[0]!.channels, [1, 0, 0, 0]);
  t.is(of(sm.unsubscribe(1), 'stop-flow').length, 0, 'RX 2 still uses the flow');
  t.is(of(sm.unsubscribe(2), 'stop-flow').length, 1);
});

test('a full flow or another transmitter gets a new flow', (t) => {
  const sm = new RxSubscriptions({ rxChannels: 4, sampleRate: 48000, latencyNs: 10_000_000, selfName: 'me', processId: 0 });
  const f1 = connect(sm, 1, 1);
  const r = of(sm.subscribe(2, '01', 'other', 0), 'resolve')[0]!;
  const open = of(sm.resolved(2, r.generation, tx(1, { ip: '10.0.0.2' }), 0), 'open-flow')[0]!;
  t.not(open.flowId, f1);
  const small = new RxSubscriptions({ rxChannels: 1, sampleRate: 48000, latencyNs: 10_000_000, selfName: 'me', processId: 0 });
  connect(small, 1, 1);
  t.deepEqual(small.flowViews()[0]!.slots, [1], 'one RX channel: one slot');
});

test('no audio for 2 s drops the flow back to unresolved and re-resolves; new flows get a grace period', (t) => {
  const sm = make();
  const f = connect(sm, 1, 1, 0);
  t.is(of(sm.tick(NEW_FLOW_GRACE_MS - 1), 'close-flow').length, 0, 'in progress, still in its grace period');
  sm.audio(f, 10_000);
  t.is(statusOf(sm, 1), RxStatus.RECEIVING_UNICAST);
  t.is(of(sm.tick(10_000 + NO_AUDIO_DROP_MS - 1), 'close-flow').length, 0);
  const a = sm.tick(10_000 + NO_AUDIO_DROP_MS);
  t.is(of(a, 'stop-flow').length, 1);
  t.is(of(a, 'close-flow').length, 1);
  t.is(statusOf(sm, 1), RxStatus.UNRESOLVED);
  t.is(of(a, 'resolve').length, 1, 're-resolved at once');
});

test('resolution failures back off; TX failure (0x15); "." is this device', (t) => {
  const sm = make();
  const r = of(sm.subscribe(1, '01', '.', 0), 'resolve')[0]!;
  t.is(r.name, '01@me');
  sm.resolveFailed(1, r.generation, 'not-found', 0);
  t.is(statusOf(sm, 1), RxStatus.UNRESOLVED);
  t.is(of(sm.tick(RESOLVE_BACKOFF_BASE_MS - 1), 'resolve').length, 0);
  const r2 = of(sm.tick(RESOLVE_BACKOFF_BASE_MS), 'resolve')[0]!;
  sm.resolveFailed(1, r2.generation, 'bad-txt', RESOLVE_BACKOFF_BASE_MS);
  t.is(statusOf(sm, 1), RX_STATUS_RESOLVE_FAILED);
  t.is(of(sm.tick(RESOLVE_BACKOFF_BASE_MS * 3 - 1), 'resolve').length, 0, 'second delay doubled');
  const r3 = of(sm.tick(RESOLVE_BACKOFF_BASE_MS * 3), 'resolve')[0]!;
  let now = RESOLVE_BACKOFF_BASE_MS * 3;
  for (let i = 0; i < 6; i++) {
    sm.resolveFailed(1, r3.generation, 'not-found', now);
    now += RESOLVE_BACKOFF_MAX_MS;
    t.is(of(sm.tick(now), 'resolve').length, 1, 'capped backoff');
  }
  const open = of(sm.resolved(1, r3.generation, tx(1), now), 'open-flow')[0]!;
  sm.flowOpened(open.flowId, 1234, now);
  const a = sm.flowRequestDone(open.flowId, { ok: false, status: 0x0315 }, now);
  t.is(statusOf(sm, 1), RxStatus.TX_FAILURE);
  t.is(of(a, 'close-flow').length, 1);
  t.is(of(sm.tick(now + RESOLVE_BACKOFF_BASE_MS), 'resolve').length, 1);
});

test('multicast bundle: join, no flow request, receiving multicast; stale results ignored', (t) => {
  const sm = make();
  const r = of(sm.subscribe(1, '02', 'tx', 0), 'resolve')[0]!;
  const a = sm.resolved(1, r.generation, tx(2, { bundle: { id: 1, group: '239.255.1.2', port: 4321, nchan: 4, position: 2, bitsPerSample: 24, fpp: 32 } }), 0);
  const open = of(a, 'open-flow')[0]!;
  t.deepEqual(open.multicast, { ip: '239.255.1.2', port: 4321 });
  const b = sm.flowOpened(open.flowId, 4321, 0);
  t.is(of(b, 'request-flow').length, 0);
  t.deepEqual(of(b, 'configure-flow')[0]!.routes, [[1, 0]]);
  sm.audio(open.flowId, 1);
  t.is(statusOf(sm, 1), RxStatus.RECEIVING_MULTICAST);
  t.like(sm.flowViews()[0], { multicast: true, fpp: 32 }, 'the flow shows the bundle\'s packet size');
  t.deepEqual(sm.resolved(1, r.generation, tx(2), 2), [], 'a late resolution result changes nothing');
  t.deepEqual(sm.restore([{ rx: 2, txChannel: '01', txDevice: 'x' }], 3).map((x) => x.type), ['status', 'resolve']);
});

test('flow receiver: places packets at their media time, counts loss, reorder, duplicates, malformed', (t) => {
  const ring = createMediaRing({ channels: 1, capacity: 4096, holeFixWait: 512 });
  const rx = new RxFlowReceiver(48000, [new MediaRingWriter(ring)]);
  rx.configure(2, 3, [[1, 0]]);
  const pkt = (tm: number) => {
    const b = Buffer.alloc(9 + 4 * 2 * 3);
    b.writeUInt32BE(Math.floor(tm / 48000), 1);
    b.writeUInt32BE(tm % 48000, 5);
    return b;
  };
  const base = 48000 * 1000;
  t.true(rx.onPacket(pkt(base), 33, base + 10, base - 400));
  t.true(rx.onPacket(pkt(base + 8), 33, base + 20, base - 400));
  rx.onPacket(pkt(base + 4), 33, base + 20, base - 400);
  rx.onPacket(pkt(base + 4), 33, base + 20, base - 400);
  rx.onPacket(pkt(base + 16), 33, base + 30, base - 400);
  t.false(rx.onPacket(pkt(base), 30, base, base));
  const c = rx.counters;
  t.like(c, { packets: 5, lostPackets: 1, lostFrames: 4, reordered: 1, duplicates: 1, malformed: 1 });
  t.is(rx.takeMaxAge(), 16, 'largest now − timestamp: the reordered packet');
  t.is(rx.takeMaxAge(), 0, 'reset after reading');
});
