// The library API end to end on a private LAN: device A (host 1) transmits the test pattern on two
// channels through `Device.transmit()`, device B (host 2) subscribes through `Device.subscribe()`
// and `capture()`s. Every captured frame must equal the pattern for its media time, and a stalled
// consumer must be reported as overflow rather than buffered.
import { resolve } from 'node:path';
import { createLan, stopChild } from './support/netns.js';
import { interop } from './support/needs.js';
import { projectRoot, waitFor } from './support/inferno-process.js';

const test = interop({ root: true, commands: ['ip'] });
const script = resolve(projectRoot, 'dist-test', 'support', 'lib-device-run.js');

interface RxResult {
  checked: number;
  mismatches: number;
  firstMismatch?: unknown;
  discontinuities: number;
  captureStats: { blocks: number; droppedBlocks: number };
  subscriptionEvents: { rx: number; status: number; txChannel: string; txDevice: string }[];
  overflow: { events: number; buffered: number; stats: { droppedBlocks: number; droppedFrames: number }; drained: number };
  rxChannels: { id: number; subscription?: { txChannelName: string; txDeviceName: string } }[];
}

test('Device.transmit on one device arrives sample-exact in Device.capture on another; a stalled capture overflows', async (t) => {
  t.timeout(60_000);
  const lan = createLan(2, { tag: 'lib' });
  let txOut = '';
  let rxOut = '';
  t.teardown(() => { if (!t.passed) console.error(`tx:\n${txOut}\nrx:\n${rxOut}`); });
  try {
    const [h1, h2] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0]];
    const tx = h1.spawn(process.execPath, [script, JSON.stringify({ role: 'tx', ip: h1.ip, name: 'libtx', seconds: 30 })]);
    tx.stdout!.setEncoding('utf8').on('data', (d: string) => (txOut += d));
    tx.stderr!.setEncoding('utf8').on('data', (d: string) => (txOut += d));
    await waitFor(async () => (txOut.includes('started ') ? true : undefined), 15_000);
    const r = await h2.run(process.execPath, [script, JSON.stringify({ role: 'rx', ip: h2.ip, name: 'librx', peer: 'libtx', seconds: 2 })], { timeoutMs: 45_000 });
    rxOut = r.stdout + r.stderr;
    t.is(r.code, 0, rxOut);
    const line = r.stdout.split('\n').find((l) => l.startsWith('result '));
    t.truthy(line, rxOut);
    const res = JSON.parse(line!.slice(7)) as RxResult;
    t.true(res.checked >= 2 * 48000, `checked ${res.checked} frames`);
    t.is(res.mismatches, 0, JSON.stringify(res.firstMismatch));
    t.is(res.discontinuities, 0, 'capture blocks are contiguous in media time');
    t.is(res.captureStats.droppedBlocks, 0);
    // Subscriptions went through the device state: controllers (ARC 0x3000) and /status see them.
    t.deepEqual(res.rxChannels.slice(0, 2).map((c) => c.subscription && `${c.subscription.txChannelName}@${c.subscription.txDeviceName}`), ['01@libtx', '02@libtx']);
    t.true(res.subscriptionEvents.some((e) => e.rx === 1 && e.status !== 0), JSON.stringify(res.subscriptionEvents));
    // 600 ms without reading at 10 ms blocks with room for 4: the rest is dropped and reported.
    t.is(res.overflow.buffered, 4);
    t.true(res.overflow.stats.droppedBlocks >= 40, JSON.stringify(res.overflow));
    t.is(res.overflow.events, res.overflow.stats.droppedBlocks);
    t.is(res.overflow.stats.droppedFrames, res.overflow.stats.droppedBlocks * 480);
    t.is(res.overflow.drained, 4);
    tx.stdin!.end();
    await stopChild(tx);
  } finally {
    await lan.destroy();
  }
});
