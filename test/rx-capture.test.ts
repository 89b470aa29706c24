// End to end on a private LAN: a fake transmitter (host 1) and `inferno capture` (host 2). The
// captured samples must equal the pattern for their media time, except exactly the packets the
// transmitter dropped (zeros, counted as lost), and arrive RX latency after their timestamp.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLan, stopChild } from './support/netns.js';
import { interop } from './support/needs.js';
import { withPrivateState, mainJs, projectRoot, waitFor } from './support/inferno-process.js';
import { patternSample } from '../dist/core/pattern.js';
import { captureFifo, readerLatency } from './support/capture-check.js';
import type { FifoCapture } from './support/capture-check.js';

const test = interop({ root: true, commands: ['ip', 'mkfifo', 'chrt'] });
const fakeTx = resolve(projectRoot, 'dist-test', 'support', 'fake-transmitter.js');
const RATE = 48000;
const LATENCY_NS = 10_000_000;
const LATENCY = (LATENCY_NS * RATE) / 1e9;
const DROP_EVERY = 50;

// Both RX socket paths: the native helper's batched reads (auto) and node:dgram.
for (const rxSocket of ['auto', 'dgram'] as const) test.serial(`capture receives the pattern sample-exact at RX latency and counts dropped packets exactly (--rx-socket ${rxSocket})`, async (t) => {
  t.timeout(30_000);
  const lan = createLan(2, { tag: 'rxcap' });
  const dir = mkdtempSync(join(tmpdir(), 'rxcap-'));
  let diag = '';
  let reader: FifoCapture | undefined;
  t.teardown(() => { if (!t.passed && diag) console.error(diag); });
  try {
    const [h1, h2] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0]];
    const fifo = join(dir, 'out.fifo');
    const tx = h1.spawn(process.execPath, [fakeTx, h1.ip, 'faketx', JSON.stringify({ channels: 8, dropEvery: DROP_EVERY })]);
    let txOut = '';
    tx.stdout!.setEncoding('utf8').on('data', (d: string) => (txOut += d));
    await waitFor(async () => (txOut.includes('published') ? true : undefined), 8000);

    // The FIFO's reader time-stamps each chunk on the media clock.
    reader = await captureFifo(fifo, RATE);
    const cap = h2.spawn(process.execPath, [mainJs, 'capture', ...withPrivateState([]).args, '--bind-ip', 'eth0', '--channels', '2', '-o', fifo, '--subscribe', '1=01@faketx', '--subscribe', '2=03@faketx', '--rx-latency-ns', String(LATENCY_NS), '--duration', '7', '--quiet', '--clock', 'local', '--rx-socket', rxSocket]);
    let capErr = '';
    cap.stderr!.setEncoding('utf8').on('data', (d: string) => (capErr += d));
    const capDone = new Promise<void>((r) => cap.once('exit', () => r()));
    const dumper = setInterval(() => (diag = `tx:\n${txOut}\ncapture:\n${capErr}`), 200);
    t.teardown(() => clearInterval(dumper));
    // Stop the transmitter before the capture ends: every drop it counted is then followed by a sent packet.
    await new Promise((r) => setTimeout(r, 5000));
    await stopChild(tx);
    await capDone;
    await reader.closed;

    const summaryLine = capErr.split('\n').find((l) => l.startsWith('capture summary '));
    t.truthy(summaryLine, capErr);
    const summary = JSON.parse(summaryLine!.slice('capture summary '.length)) as { socket: string; firstFrameMediaTime: number; lostPackets: number; lostFrames: number; channels: { zeroFilled: number; skipped: number; missingFrames: number }[]; latency: { achievedNs: number } };
    const stats = JSON.parse(txOut.split('\n').find((l) => l.startsWith('stats '))!.slice(6)) as { dropped: number; sent: number };
    const flow = JSON.parse(txOut.split('\n').find((l) => l.startsWith('flow '))!.slice(5)) as { fpp: number; channels: number[] };
    t.deepEqual(flow.channels.slice(0, 2), [1, 3]);
    t.is(summary.socket, rxSocket === 'dgram' || process.env.INFERNO_NATIVE === '0' ? 'dgram' : 'native');

    const s = reader.samples();
    const frames = s.length / 2;
    const t0 = summary.firstFrameMediaTime;
    let first = -1;
    let last = -1;
    for (let k = 0; k < frames; k++) if (s[2 * k] !== 0) { if (first < 0) first = k; last = k; }
    t.true(first >= 0, 'some audio arrived');
    // Start checking at the first packet boundary after the first sound.
    const fpp = flow.fpp;
    const from = first + ((fpp - ((t0 + first) % fpp)) % fpp);
    let mismatches = 0;
    let droppedFramesSeen = 0;
    let lateZeros = 0;
    for (let k = from; k <= last; k++) {
      const mt = t0 + k;
      const dropped = Math.floor(mt / fpp) % DROP_EVERY === DROP_EVERY - 1;
      const e1 = dropped ? 0 : patternSample(1, mt, 24);
      const e2 = dropped ? 0 : patternSample(3, mt, 24);
      if (s[2 * k] !== e1 || s[2 * k + 1] !== e2) {
        // On a loaded machine a packet can miss its deadline: that must come out as counted zeros.
        if (s[2 * k] === 0 && s[2 * k + 1] === 0) lateZeros++;
        else mismatches++;
      }
      if (dropped) droppedFramesSeen++;
    }
    if (mismatches) {
      let off = NaN;
      for (let a = 0; a <= 200000 && Number.isNaN(off); a++) for (const d of [a, -a]) if (s[2 * from] === patternSample(1, t0 + from + d, 24) && s[2 * from + 2] === patternSample(1, t0 + from + d + 1, 24)) off = d;
      t.log(`first checked frame ${from} of ${frames}: value ${s[2 * from]} matches at offset ${off}`);
    }
    t.is(mismatches, 0, 'no frame holds wrong data');
    t.log(`frames checked ${last - from + 1}, dropped-packet frames ${droppedFramesSeen}, late zeros ${lateZeros}`);
    t.true(lateZeros <= summary.channels[0]!.missingFrames - droppedFramesSeen, 'late zeros are counted as missing');
    t.true(droppedFramesSeen > 0);
    t.is(summary.lostPackets, stats.dropped, 'every dropped packet counted as lost');
    t.is(summary.lostFrames, stats.dropped * fpp);
    // Lost frames come out as zeros: zero-filled by the ring, or (when a loaded writer fell behind the
    // reader) skipped over by it, together with any late frames. Every dropped frame the reader passed
    // over is counted; a packet dropped before its first read or after its last is not read at all.
    const ch = summary.channels[0]!;
    const counted = ch.zeroFilled + ch.skipped;
    t.true(counted >= droppedFramesSeen && counted <= stats.dropped * fpp + lateZeros + fpp, `${JSON.stringify(ch)} dropped frames seen ${droppedFramesSeen}`);

    // Delivery latency measured by the reader: chunk arrival − media time just after its last frame.
    const lat = readerLatency(reader, 2, t0, t0 + from + 1001, t0 + last);
    t.log(`delivery latency: min ${lat.min} median ${lat.median} samples over ${lat.chunks} chunks (configured ${LATENCY}), achieved ${summary.latency.achievedNs} ns`);
    t.true(lat.chunks > 0, 'chunks measured');
    t.true(lat.min >= LATENCY - 1, 'never delivered early');
    t.true(lat.median <= LATENCY + fpp, 'delivered within one packet of the RX latency');
  } finally {
    reader?.stop();
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
