// Transmit end to end: a device with the pattern source in one namespace host, a test receiver in
// another requesting flows (PROTOCOL.md §5) and checking every packet (§6).
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import { httpGet, startInferno, waitFor } from './support/inferno-process.js';
import { runTxReceiver } from './support/tx-run.js';

const test = interop({ root: true, commands: ['ip'] });
const RATE = 48000;

test.serial('pattern flows at 16/24/32 bits arrive sample-exact, on time, and stop on 0x0101', async (t) => {
  const lan = createLan(2, { tag: 'txs' });
  const [tx, rx] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0]];
  try {
    const dev = startInferno(tx, ['--bind-ip', tx.ifname, '--tx-channels', '8', '--tx-source', 'pattern', '--http', '127.0.0.1:18081', '--name', 'tx-dev']);
    await waitFor(async () => ((await httpGet(tx, 'http://127.0.0.1:18081/status'))?.status === 200 ? true : undefined), 10000);
    const out = await runTxReceiver(rx, {
      device: tx.ip, flowsPort: 4455, rate: RATE, mode: 'stream', seconds: 5, pattern: true,
      flows: [
        { bits: 16, fpp: 16, channels: [1, 2, 3, 4, 5, 6, 7, 8] },
        { bits: 24, fpp: 32, channels: [8, 7, 6, 5, 4, 3, 2, 1] },
        { bits: 32, fpp: 16, channels: [1, 0, 3, 8] },
      ],
    });
    const status = JSON.parse((await httpGet(tx, 'http://127.0.0.1:18081/status'))!.body) as { transmit: Record<string, unknown>; counters: { transmit: Record<string, number> } };
    t.log('transmit status', JSON.stringify(status.transmit), JSON.stringify(status.counters.transmit));
    // A timestamp gap is only allowed where the sender re-bootstrapped (it lagged by more than the
    // TX latency on a loaded host), and the transmitter counts each.
    const gaps = out.reduce((n, o) => n + o.gaps, 0);
    t.true(gaps <= status.counters.transmit.rebootstraps!, `gaps ${gaps}, rebootstraps ${status.counters.transmit.rebootstraps}`);
    t.true(gaps <= 3, `gaps ${gaps}`);
    for (const [i, o] of out.entries()) {
      t.log(`flow ${i}`, JSON.stringify(o));
      t.is(o.status, 1);
      t.truthy(o.handle);
      const fpp = i === 1 ? 32 : 16;
      // ~5 s of packets (keepalive period plus start-up tolerance).
      t.true(o.packets > (4.5 * RATE) / fpp, `packets ${o.packets}`);
      t.is(o.badLength, 0);
      t.is(o.mismatches, 0, o.firstMismatch);
      // Early guard: never earlier than 0.5 ms minus a sample; p99 well within the 10 ms TX latency.
      t.true(o.arrivalMinUs >= 480, `min ${o.arrivalMinUs}`);
      t.true(o.arrivalP99Us < 10_000, `p99 ${o.arrivalP99Us}`);
      t.is(o.stopStatus, 1);
      t.true(o.silentAfterMs! < 1000, `silent after ${o.silentAfterMs} ms`);
    }
    await dev.stop();
  } finally {
    await lan.destroy();
  }
});

test.serial('flows expire ~4 s after the last keepalive; bad requests get 0x0301/0x0302/0x0315; same receiver port reuses the flow', async (t) => {
  const lan = createLan(2, { tag: 'txe' });
  const [tx, rx] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0]];
  try {
    const dev = startInferno(tx, ['--bind-ip', tx.ifname, '--tx-channels', '8', '--tx-source', 'pattern', '--http', '127.0.0.1:18082', '--name', 'tx-dev2']);
    await waitFor(async () => ((await httpGet(tx, 'http://127.0.0.1:18082/status'))?.status === 200 ? true : undefined), 10000);
    const [exp] = await runTxReceiver(rx, { device: tx.ip, flowsPort: 4455, rate: RATE, mode: 'expire', keepaliveSeconds: 1.5, flows: [{ bits: 24, fpp: 32, channels: [1, 2] }] });
    t.log('expire', JSON.stringify(exp));
    t.is(exp!.status, 1);
    t.true(exp!.packets > 1000);
    // Expiry is 4 s after the last keepalive (sent up to 250 ms before the end), checked every 250 ms.
    t.true(exp!.silentAfterMs! > 3300 && exp!.silentAfterMs! < 4800, `silent after ${exp!.silentAfterMs} ms`);

    const ok = { bits: 24, fpp: 32, channels: [1] };
    const flows = [
      { ...ok, rate: 44100 },
      { ...ok, fpp: 1 },
      { ...ok, fpp: 257 },
      { ...ok, channels: [9] },
      { ...ok, bits: 20 },
      ok,
      { ...ok, channels: [2, 3], socket: 5 },
      ...Array.from({ length: 32 }, () => ok),
    ];
    const out = await runTxReceiver(rx, { device: tx.ip, flowsPort: 4455, rate: RATE, mode: 'requests', flows });
    t.deepEqual(out.slice(0, 5).map((o) => o.status), [0x0301, 0x0302, 0x0302, 0x0302, 0x0302]);
    t.is(out[5]!.status, 1);
    t.deepEqual(out[6]!.handle, out[5]!.handle, 'same receiver IP:port: same flow');
    t.deepEqual(out.slice(7, 38).map((o) => o.status), Array(31).fill(1), '32 flows in all (the expired one was deleted)');
    t.is(out[38]!.status, 0x0315);
    t.is(out[0]!.unknownStopStatus, 0x0103);
    await dev.stop();
  } finally {
    await lan.destroy();
  }
});

// The transmit worker on each socket kind: native sendmmsg flow sockets, and node:dgram when the
// native addon is off (INFERNO_NATIVE=0). Both must deliver the same sample-exact stream and hear
// the receiver's keepalives.
for (const [kind, env] of [['native', {}], ['dgram', { INFERNO_NATIVE: '0' }]] as const) {
  test.serial(`transmit worker on ${kind} sockets: a flow arrives sample-exact and keepalives are heard`, async (t) => {
    const lan = createLan(2, { tag: `pt${kind.slice(0, 3)}` });
    const [tx, rx] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0]];
    try {
      const dev = startInferno(tx, ['--bind-ip', tx.ifname, '--tx-channels', '8', '--tx-source', 'pattern', '--http', '127.0.0.1:18083', '--name', `tx-${kind}`], env);
      await waitFor(async () => ((await httpGet(tx, 'http://127.0.0.1:18083/status'))?.status === 200 ? true : undefined), 10000);
      const [o] = await runTxReceiver(rx, { device: tx.ip, flowsPort: 4455, rate: RATE, mode: 'stream', seconds: 3, pattern: true, flows: [{ bits: 24, fpp: 16, channels: [1, 2, 3, 4, 5, 6, 7, 8] }] });
      const status = JSON.parse((await httpGet(tx, 'http://127.0.0.1:18083/status'))!.body) as { transmit: { pacing: { sockets: string } }; counters: { transmit: Record<string, number> } };
      t.log(kind, JSON.stringify(o), JSON.stringify(status.counters.transmit));
      t.is(status.transmit.pacing.sockets, kind);
      t.is(o!.status, 1);
      t.is(o!.mismatches, 0, o!.firstMismatch);
      t.is(o!.badLength, 0);
      t.true(o!.packets > (2.5 * RATE) / 16, `packets ${o!.packets}`);
      t.true(o!.gaps <= status.counters.transmit.rebootstraps!, `gaps ${o!.gaps}`);
      t.is(status.counters.transmit.sendErrors, 0);
      // Keepalives every 250 ms for ~3 s reached the flow's socket.
      t.true(status.counters.transmit.keepalives! >= 5, `keepalives ${status.counters.transmit.keepalives}`);
      await dev.stop();
    } finally {
      await lan.destroy();
    }
  });
}
