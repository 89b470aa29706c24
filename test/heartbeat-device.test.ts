// Heartbeats of running devices as a controller sees them (PROTOCOL.md §4.4): a transmitter with the
// pattern source (host 1), a receiver subscribed to it (host 2) and a listener (host 3) joined to
// 224.0.0.233:8708. Both carry 0x8001; the receiver adds 0x8002 with the received level and 0x8003
// with the packet age of its flow.
import { resolve } from 'node:path';
import { createLan } from './support/netns.js';
import { interop } from './support/needs.js';
import { projectRoot } from './support/inferno-process.js';
import { startDevice, tempStateDir, statusUntil } from './support/device-process.js';

const test = interop({ root: true, commands: ['ip'] });
const listener = resolve(projectRoot, 'dist-test', 'support', 'lib-heartbeat-listen.js');

type Block = { type: number | string; frequencyOffsetPpb?: number; levels?: { tx: number[]; rx: number[] }; sampleRate?: number; maxLatencySamples?: number[] };

test('heartbeats carry the clock, and levels and receive latency once audio arrives', async (t) => {
  t.timeout(60_000);
  const lan = createLan(3, { tag: 'hb' });
  try {
    const [h1, h2, h3] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0], typeof lan.hosts[0]];
    const tx = startDevice(h1, tempStateDir(), ['--name', 'hbtx', '--tx-source', 'pattern', '--rx-channels', '1']);
    const rx = startDevice(h2, tempStateDir(), ['--name', 'hbrx', '--rx-channels', '2', '--tx-channels', '1', '--subscribe', '1=01@hbtx']);
    t.teardown(() => { if (!t.passed) console.error(`tx:\n${tx.output()}\nrx:\n${rx.output()}`); });
    await statusUntil(h3, rx, (s) => (s.receive?.packets ?? 0) > 1000, 20_000);
    const r = await h3.run(process.execPath, [listener, h3.ip, '3500'], { timeoutMs: 10_000 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('heartbeats '));
    t.truthy(line, r.stdout + r.stderr);
    const seen = JSON.parse(line!.slice(11)) as Record<string, Block[][]>;
    const txBeats = seen[h1.ip] ?? [];
    const rxBeats = seen[h2.ip] ?? [];
    t.true(txBeats.length >= 2 && rxBeats.length >= 2, JSON.stringify(seen));
    // Shared local clock: running, rate offset 0 ppb.
    for (const beats of [txBeats, rxBeats]) for (const b of beats) t.deepEqual(b.filter((x) => x.type === 0x8001).map((x) => x.frequencyOffsetPpb), [0]);
    t.false(txBeats.some((b) => b.some((x) => x.type === 0x8003)), 'no receive latency without RX flows');
    // The transmitter's levels never change (no RX flow, synthetic source), and still every beat has them.
    t.true(txBeats.every((b) => b.some((x) => x.type === 0x8002)), `levels in every heartbeat of an unchanging device: ${JSON.stringify(txBeats)}`);
    const last = rxBeats.at(-1)!;
    const levels = last.find((x) => x.type === 0x8002)?.levels;
    t.truthy(levels, JSON.stringify(last));
    t.is(levels!.rx.length, 2);
    t.true(levels!.rx[0]! < 20, `RX 1 carries the pattern (near full scale): ${levels!.rx[0]}`);
    t.is(levels!.rx[1], 255, 'RX 2 unsubscribed: silence');
    t.deepEqual(levels!.tx, [255], 'synthetic TX source reports no meters');
    const lat = last.find((x) => x.type === 0x8003);
    t.truthy(lat, JSON.stringify(last));
    t.is(lat!.sampleRate, 48000);
    const ages = lat!.maxLatencySamples!.filter((v) => v > 0);
    t.is(ages.length, 1, JSON.stringify(lat));
    // The worst packet of the last second: positive, and far below a broken clock's seconds (a
    // loaded test host can delay single packets past the 10 ms RX latency).
    t.true(ages[0]! > 0 && ages[0]! < 4800, `max packet age ${ages[0]} samples`);
  } finally {
    await lan.destroy();
  }
});
