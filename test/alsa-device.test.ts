// Devices with ALSA paths, on a private LAN, with the PCMs every libasound has without a sound card:
// `--rx-sink alsa:file:...` must write exactly the received audio (a PCM without a clock of its own
// is not resampled), and `--tx-source alsa:null` must feed the transmitter in time (null captures
// silence: the packets carry zeros, and no frame is sent for want of captured data).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import type { LanHost } from './support/netns.js';
import { httpGet, startInferno, waitFor } from './support/inferno-process.js';
import { mediaNow, sleep, startDevice, stopFetchers } from './support/e2e-devices.js';
import { assertCapture, checkCapture, readS32 } from './support/capture-check.js';
import type { E2eDevice } from './support/e2e-devices.js';
import { runTxReceiver } from './support/tx-run.js';

const test = interop({ root: true, commands: ['ip', 'aplay'] });
const RATE = 48000;

test.serial('rx-sink alsa:file PCM with --alsa-map: the bytes written are the received pattern, bit-exact', async (t) => {
  t.timeout(90_000);
  const lan = createLan(2, { tag: 'alrx' });
  const dir = mkdtempSync(join(tmpdir(), 'alsa-rx-'));
  const devs: E2eDevice[] = [];
  try {
    const [ha, hb] = lan.hosts as [LanHost, LanHost];
    const out = join(dir, 'b.raw');
    devs.push(await startDevice(ha, { name: 'alsa-a', deviceId: '00000a15a000000a', stateDir: dir, tx: 8 }));
    // PCM channel 1 plays RX 3 (A's TX 2), PCM channel 2 plays RX 1 (A's TX 5); RX 2 and 4 are not played.
    const b = await startDevice(hb, {
      name: 'alsa-b', deviceId: '00000a15a000000b', stateDir: dir, rx: 4, tx: 2,
      sink: `alsa:file:'${out}',raw`,
      extra: ['--alsa-map', '3,1', '--subscribe', '1=05@alsa-a', '--subscribe', '3=02@alsa-a', '--subscribe', '2=07@alsa-a'],
    });
    devs.push(b);
    await waitFor(async () => {
      const s = await b.status();
      return s?.receive?.channels?.[0]?.routed && s.receive.channels[2]?.routed && (s.receive.packets ?? 0) > 500 ? true : undefined;
    }, 30_000);
    await sleep(500);
    const from = mediaNow(RATE);
    await sleep(3000);
    const st = await b.status();
    await b.proc.stop();
    const alsa = st.receive.alsa;
    t.log('alsa status', JSON.stringify(alsa));
    t.like(alsa, { stream: 'playback', map: '3,1', clocked: false, format: 'S32_LE', rate: RATE, channels: 2, xruns: 0, droppedFrames: 0, ratioPpm: 0 });
    t.true(alsa.periodFrames > 0 && alsa.bufferFrames >= alsa.periodFrames);
    t.true(Number.isFinite(alsa.addedLatencyNs) && alsa.addedLatencyNs >= 0);
    t.like(st.counters.receive, { alsaXruns: 0, alsaDroppedFrames: 0 });
    const s = readS32(out);
    const t0: number = alsa.firstFrameMediaTime;
    t.true(Number.isInteger(t0), 'PCM frame 0 has a media time');
    t.true(s.length / 2 >= (from - t0) + 2.5 * RATE, `file holds ${s.length / 2} frames`);
    // PCM channel 1 carries TX 2 (RX 3), PCM channel 2 TX 5 (RX 1).
    const c = checkCapture(s, [2, 5], { bits: 24, t0, from });
    for (const r of c.channels) t.log(`PCM channel ${r.rx}: ${r.checked} frames checked, ${r.zeros} dropout zeros, mismatches ${r.mismatches}`);
    // A dropout (the transmitter stalled on a loaded machine) comes out as zeros the receiver
    // counted as missing; everything else is the pattern, bit for bit.
    assertCapture(t, 'PCM', c, { counted: { perChannel: [3, 1].map((rx) => st.receive.channels[rx - 1].missingFrames as number) } }, from);
    for (const r of c.channels) {
      t.true(r.checked >= 2.5 * RATE, `PCM channel ${r.rx}: checked ${r.checked}`);
      t.true(r.checked - r.zeros >= 2 * RATE, `PCM channel ${r.rx}: frames equal to the pattern: ${r.checked - r.zeros} of ${r.checked}`);
    }
  } finally {
    await Promise.all(devs.map((d) => d.proc.stop()));
    stopFetchers();
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial('tx-source alsa:null: silence on time, every frame from the capture path', async (t) => {
  t.timeout(90_000);
  const lan = createLan(2, { tag: 'altx' });
  const [tx, rx] = lan.hosts as [LanHost, LanHost];
  try {
    const dev = startInferno(tx, ['--bind-ip', tx.ifname, '--tx-channels', '2', '--tx-source', 'alsa:null', '--alsa-tx-map', '2,1', '--http', '127.0.0.1:18083', '--name', 'alsa-tx']);
    const status = async () => JSON.parse((await httpGet(tx, 'http://127.0.0.1:18083/status'))!.body);
    await waitFor(async () => ((await httpGet(tx, 'http://127.0.0.1:18083/status'))?.status === 200 ? true : undefined), 15_000);
    const out = await runTxReceiver(rx, { device: tx.ip, flowsPort: 4455, rate: RATE, mode: 'stream', seconds: 4, silence: true, flows: [{ bits: 24, fpp: 16, channels: [1, 2] }] });
    const st = await status();
    await dev.stop();
    const alsa = st.transmit.alsa;
    const c = st.counters.transmit;
    t.log('alsa', JSON.stringify(alsa), 'counters', JSON.stringify(c), 'lateness', JSON.stringify(st.transmit.lateness));
    t.like(alsa, { pcm: 'null', stream: 'capture', map: '2,1', clocked: false, format: 'S32_LE', channels: 2, xruns: 0, droppedFrames: 0, ratioPpm: 0 });
    t.like(c, { alsaXruns: 0, alsaDroppedFrames: 0 });
    const o = out[0]!;
    t.log('flow', JSON.stringify(o));
    t.is(o.status, 1);
    t.is(o.badLength, 0);
    t.is(o.mismatches, 0, o.firstMismatch);
    // 4 s of keepalives; the flow's set-up takes part of that on a loaded machine. The pace itself
    // is proven by consecutive timestamps: every gap is a counted transmitter restart.
    t.true(o.packets > (2.5 * RATE) / 16, `packets ${o.packets}`);
    t.true(o.gaps <= c.rebootstraps + 3, `gaps ${o.gaps}`);
    // On time: packets leave at their timestamp (plus the network); the tail depends on the
    // machine's load (the transmitter's own tests bound it), the median does not.
    t.true(o.arrivalMinUs >= 0 && o.arrivalP50Us < 2_000, `arrival min ${o.arrivalMinUs} p50 ${o.arrivalP50Us} p99 ${o.arrivalP99Us} µs`);
    // The capture path, not the transmitter's zero fill, supplied the frames.
    const sent = o.packets * 16;
    t.true(c.feederFrames >= sent, `captured ${c.feederFrames} frames for ${sent} sent`);
    t.true(alsa.transferredFrames >= sent, `ALSA read ${alsa.transferredFrames}`);
    t.true(c.missingFrames <= sent / 100, `frames sent without captured data: ${c.missingFrames} of ${sent}`);
  } finally {
    await lan.destroy();
  }
});
