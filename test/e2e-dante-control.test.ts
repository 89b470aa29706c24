// End to end with a third-party controller: the npm package `dante-control` (run on a namespace
// host of its own, since it binds UDP 4440) names device A's pattern TX channels and subscribes
// device B's RX channels to them; B writes what it receives to a file (`--rx-sink file:`), and every
// sample after settling must equal the pattern for its media time (frame k of B's output is at
// `firstFrameMediaTime + k`, from B's /status), with no mismatch, and no dropout except where the
// transmitter counted a stall and B counted the zeros (see tx-stalls.ts). A file, not a FIFO: a FIFO
// reader in this (loaded, normally scheduled) test process stalls the sink, which then drops blocks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import type { LanHost } from './support/netns.js';
import { projectRoot, waitFor } from './support/inferno-process.js';
import { mediaNow, sleep, startDevice, stopFetchers } from './support/e2e-devices.js';
import type { E2eDevice } from './support/e2e-devices.js';
import type { DanteRoutesJob } from './support/dante-routes.js';
import { assertCapture, checkCapture, readS32 } from './support/capture-check.js';
import { watchTxStalls } from './support/tx-stalls.js';

const test = interop({ root: true, commands: ['ip'] });
const script = resolve(projectRoot, 'dist-test', 'support', 'dante-routes.js');
const RATE = 48000;
const CH = 2;
const SECONDS = 4;
const LATENCY_NS = 40_000_000;
/** Audio checked after every RX channel reports "receiving". */
const SETTLE_MS = 500;
// dante-control writes the subscription names at fixed pointers (92 and 109) but places them at
// the end of its packet: they line up only for a 16-byte channel and a 17-byte device name.
const TX_DEVICE = 'pattern-source-17';
const txChannelName = (n: number) => `PatternChannel${String(n).padStart(2, '0')}`;

test.serial('dante-control (npm) subscribes B to A\'s pattern channels: every sample after settling is the pattern', async (t) => {
  t.timeout(90_000);
  t.is(TX_DEVICE.length, 17);
  t.is(txChannelName(1).length, 16);
  const lan = createLan(3, { tag: 'cfdc', subnet: '10.79.2' });
  const dir = mkdtempSync(join(tmpdir(), 'e2e-dc-'));
  const devs: E2eDevice[] = [];
  try {
    const [ha, hb, hc] = lan.hosts as [LanHost, LanHost, LanHost];
    // TX latency as long as B's RX latency: a loaded machine stalls even a SCHED_FIFO sender for
    // over 10 ms, and a sender further behind than its TX latency skips ahead (`rebootstraps`).
    const a = await startDevice(ha, { name: TX_DEVICE, deviceId: '00000a4d000000da', stateDir: dir, tx: 4, rate: RATE, extra: ['--tx-latency-ns', String(LATENCY_NS)] });
    devs.push(a);
    const b = await startDevice(hb, { name: 'dc-receiver', deviceId: '00000a4d000000db', stateDir: dir, rx: CH, tx: 2, rate: RATE, rxLatencyNs: LATENCY_NS, sink: `file:${join(dir, 'b.raw')}` });
    devs.push(b);

    const job: DanteRoutesJob = {
      txNames: Array.from({ length: CH }, (_, i) => ({ ip: ha.ip, channel: i + 1, name: txChannelName(i + 1) })),
      crosspoints: Array.from({ length: CH }, (_, i) => ({ ip: hb.ip, rxChannel: i + 1, txChannelName: txChannelName(i + 1), txDeviceName: TX_DEVICE })),
    };
    const r = await hc.run(process.execPath, [script, JSON.stringify(job)], { timeoutMs: 20_000 });
    t.is(r.code, 0, r.stderr);
    const as = await waitFor(async () => {
      const s = await a.status();
      return s?.control?.txChannels?.[CH - 1]?.name === txChannelName(CH) ? s : undefined;
    }, 15000);
    t.deepEqual(as.control.txChannels.slice(0, CH).map((c: { name: string }) => c.name), job.txNames.map((n) => n.name));
    await waitFor(async () => {
      const s = await b.status();
      return s?.receive?.subscriptions?.filter((x: { status: number }) => (x.status & 0xffff) === 9).length === CH ? true : undefined;
    }, 20000).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify((await b.status())?.receive)}`);
    });
    await sleep(SETTLE_MS);
    const stalls = await watchTxStalls(a, { rate: RATE, txLatencyNs: LATENCY_NS, rxLatencyNs: LATENCY_NS });
    const from = mediaNow(RATE);
    await sleep(SECONDS * 1000);
    const stallWindows = await stalls.stop();
    const st = await b.status();
    const ast = await a.status();
    await b.proc.stop();

    // B's /status: the subscriptions dante-control made, receiving.
    t.deepEqual(
      st.control.rxChannels.slice(0, CH).map((c: { subscription?: { txChannelName: string; txDeviceName: string } }) => [c.subscription?.txChannelName, c.subscription?.txDeviceName]),
      job.crosspoints.map((c) => [c.txChannelName, c.txDeviceName]),
    );
    const rx = st.receive;
    t.true(rx.subscriptions.every((x: { status: number }) => (x.status & 0xffff) === 9), JSON.stringify(rx.subscriptions));
    // A dropped or skipped sink block shifts every later frame: check that first.
    t.is(st.counters.receive.deliveryBlocksDropped, 0, 'no sink block dropped');
    t.is(st.counters.receive.deliverySkippedFrames, 0, 'no frame skipped by the sink');
    const s = readS32(join(dir, 'b.raw'));
    const t0: number = rx.firstFrameMediaTime;
    const c = checkCapture(s, Array.from({ length: CH }, (_, i) => i + 1), { bits: 24, t0, from });
    const settledFrames = Math.floor(s.length / CH) - (from - t0);
    t.log(`samples checked ${c.checked} (${settledFrames} frames × ${CH}), mismatches ${c.mismatches}, dropouts ${c.dropouts} (A stall windows ${stallWindows.length}, rebootstraps ${ast.counters.transmit.rebootstraps}); B lost ${rx.lostPackets} late ${rx.latePackets} ${JSON.stringify(rx.channels)}; A TX lateness ${JSON.stringify(ast.transmit.lateness)}`);
    // No wrong sample; a dropout only while A counted a stall (machine load on the sender), and
    // counted as missing by B; any other means the receive path lost audio.
    assertCapture(t, 'B', c, { counted: { perChannel: rx.channels.map((x: { missingFrames: number }) => x.missingFrames) }, stalls: c.channels.map(() => stallWindows) }, from);
    t.true(settledFrames >= SECONDS * RATE * 0.9, `checked ${settledFrames} frames after settling`);
  } finally {
    await Promise.all(devs.map((d) => d.proc.stop()));
    stopFetchers();
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
