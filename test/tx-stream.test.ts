// Transmit end to end: a device with the pattern source in one namespace host, a test receiver in
// another requesting flows (PROTOCOL.md §5) and checking every packet (§6).
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import { httpGet, startInferno, waitFor } from './support/inferno-process.js';
import { runTxReceiver } from './support/tx-run.js';

const test = interop({ root: true, commands: ['ip'] });
const RATE = 48000;

test('pattern flows at 16/24/32 bits arrive sample-exact, on time, and stop on 0x0101', async (t) => {
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
    const status = JSON.parse((await httpGet(tx, 'http://127.0.0.1:18081/status'))!.body) as { transmit: Record<string, unknown> };
    t.log('transmit status', JSON.stringify(status.transmit));
    for (const [i, o] of out.entries()) {
      t.log(`flow ${i}`, JSON.stringify(o));
      t.is(o.status, 1);
      t.truthy(o.handle);
      const fpp = i === 1 ? 32 : 16;
      // ~5 s of packets (keepalive period plus start-up tolerance).
      t.true(o.packets > (4.5 * RATE) / fpp, `packets ${o.packets}`);
      t.is(o.badLength, 0);
      t.is(o.gaps, 0);
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
