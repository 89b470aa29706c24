// An idle device does not wake up for periodic work that has nothing to do: the flows-control tick
// runs only while a TX flow is active, the subscription tick only while an RX subscription or flow
// exists. Each starts again on the change that gives it work.
import test from 'ava';
import { CLOCK_TAI, ClockOverlayWriter, ClockState, createClockOverlayBuffer } from '../dist/core/clock-overlay.js';
import { decodeReply, encodeFlowRequest, encodeStop } from '../dist/core/flows/index.js';
import { FlowsServer } from '../dist/net/flows-server.js';
import type { TxFlowsMessage } from '../dist/net/flows-server.js';
import { SubscriptionManager } from '../dist/net/rx/subscription-manager.js';
import { getLogger } from '../dist/log.js';
import type { DeviceConfig } from '../dist/config/device-config.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function localClock(): SharedArrayBuffer {
  const clock = createClockOverlayBuffer();
  new ClockOverlayWriter(clock).publish({ clockId: CLOCK_TAI, state: ClockState.FreeRunning, sampleRate: 48000, lastSync: 0n, shift: 0n, freqScale: 0 });
  return clock;
}

test('flows-control server: no tick while no TX flow is active; a flow starts it, its stop ends it', async (t) => {
  const config = { sampleRate: 48000, txChannels: 4, processId: 0, ip: '127.0.0.1', ports: { flows: 0 } } as unknown as DeviceConfig;
  const published: TxFlowsMessage[] = [];
  const srv = new FlowsServer({ config, clock: localClock(), log: getLogger('test'), publish: (m) => published.push(m) });
  await srv.start();
  t.teardown(() => srv.stop());
  srv.publish(); // as startFlowsServer does: the (empty) set once
  t.false(srv.ticking);
  t.deepEqual(published, [{ flows: [] }]);
  const req = encodeFlowRequest({ startCode: 0x1234, transactionId: 1, receiverName: 'rx', flowName: '1_0', sampleRate: 48000, bitsPerSample: 24, channels: [1], framesPerPacket: 16, receiverIp: '10.1.1.1', receiverPort: 999 });
  const reply = decodeReply(srv.handle(req)!);
  t.is(reply.status, 1);
  t.true(srv.ticking);
  // While it runs, the set is re-sent about once a second (a restarted transmit worker gets it).
  await sleep(1300);
  t.true(published.length >= 3, `${published.length} publishes`);
  t.is(decodeReply(srv.handle(encodeStop({ transactionId: 2, handle: reply.handle! }))!).status, 1);
  t.false(srv.ticking);
  t.deepEqual(published.at(-1), { flows: [] });
  // Idle again: nothing more is sent.
  const n = published.length;
  await sleep(1300);
  t.is(published.length, n);
  srv.handle(req);
  t.true(srv.ticking);
  srv.stop();
  t.false(srv.ticking);
});

test('subscription manager: no tick without subscriptions or flows; a subscription starts it, unsubscribing ends it', async (t) => {
  let resolves = 0;
  const mgr = new SubscriptionManager({
    deviceName: 'rx', deviceIp: '127.0.0.1', processId: 0, rxChannels: 2, sampleRate: 48000, rxLatencyNs: 5_000_000,
    // Nothing on the network: every resolution fails, so the subscription stays and is retried.
    resolver: { resolveChannel: async () => { resolves++; throw Object.assign(new Error('not found'), { reason: 'not-found' }); } },
    receive: { request: async () => { throw new Error('no receive worker here'); } },
  });
  mgr.start([]);
  t.teardown(() => mgr.stop());
  t.false(mgr.ticking);
  mgr.subscribe(1, '01', 'nowhere');
  t.true(mgr.ticking);
  await sleep(50);
  t.true(resolves >= 1);
  t.true(mgr.ticking, 'an unresolved subscription keeps the tick for its re-resolution');
  mgr.unsubscribe(1);
  t.false(mgr.ticking);
  await mgr.stop();
  t.false(mgr.ticking);
});
