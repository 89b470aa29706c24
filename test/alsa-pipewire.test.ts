// A PCM with its own clock, end to end: device B plays what it receives through `alsa:pipewire`
// into a private PipeWire whose graph runs 500 ppm fast (pw-driftrec drives it and records the
// sink). B must see a clocked PCM and resample adaptively, with the ratio in its clamp, no frame
// dropped on our side and no run of xruns, and the audio must arrive.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import type { LanHost } from './support/netns.js';
import { startInferno, waitFor } from './support/inferno-process.js';
import { deviceArgs, fetchIn, HTTP_PORT, sleep, startDevice, stopFetchers } from './support/e2e-devices.js';
import { DRIFTREC_COMMANDS, PIPEWIRE_COMMANDS, startPipeWire } from './support/pipewire.js';

const test = interop({ root: true, commands: ['ip', ...PIPEWIRE_COMMANDS, ...DRIFTREC_COMMANDS] });
const PPM = 500;

test('rx-sink alsa:pipewire with the graph 500 ppm fast: a clocked PCM, resampled adaptively, audio arrives', async (t) => {
  t.timeout(120_000);
  const lan = createLan(2, { tag: 'alpw' });
  const dir = mkdtempSync(join(tmpdir(), 'alsa-pw-'));
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const [ha, hb] = lan.hosts as [LanHost, LanHost];
    const rig = await startPipeWire(hb);
    stops.push(() => rig.stop());
    const rec = rig.driftRecord(join(dir, 'cap.raw'), { ppm: PPM, seconds: 0 });
    stops.push(() => rec.stop());
    const a = await startDevice(ha, { name: 'alsa-pw-a', deviceId: '00000a15a00000aa', stateDir: dir, tx: 2 });
    stops.push(() => a.proc.stop());
    const b = startInferno(hb, deviceArgs({
      name: 'alsa-pw-b', deviceId: '00000a15a00000ab', stateDir: dir, rx: 2, tx: 1, sink: 'alsa:pipewire',
      // The graph runs 1024-frame quanta: the buffer must hold a few of them.
      extra: ['--subscribe', '1=01@alsa-pw-a', '--subscribe', '2=02@alsa-pw-a', '--alsa-period-frames', '1024', '--alsa-buffer-frames', '4096'],
    }), rig.env);
    stops.push(() => b.stop());
    const status = async () => {
      const body = await fetchIn(hb, `http://127.0.0.1:${HTTP_PORT}/status`);
      return body ? JSON.parse(body) : undefined;
    };
    await waitFor(async () => ((await status())?.receive?.packets ?? 0) > 1000 ? true : undefined, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${b.output()}\n${rig.logs()}`);
    });
    let prev = 0;
    for (let i = 0; i < 20; i++) {
      await sleep(1000);
      const x = (await status())?.receive;
      t.log(JSON.stringify({ moved: x?.alsa?.transferredFrames - prev, ring: x?.alsa?.ringFill, delay: x?.alsa?.delayFrames, ppm: x?.alsa?.ratioPpm, target: x?.alsa?.targetFillFrames, delivered: x?.deliveredFrames }));
      prev = x?.alsa?.transferredFrames;
    }
    const st = await status();
    const alsa = st.receive.alsa;
    t.log('alsa', JSON.stringify(alsa));
    t.like(alsa, { pcm: 'pipewire', stream: 'playback', clocked: true, resampling: 'adaptive', channels: 2 });
    t.is(alsa.error, undefined);
    // Steering itself is proven on a simulated card (alsa-drift.test.ts). Through a sound server on
    // a loaded machine the fill swings by whole quanta, so here: the ratio stays within its clamp,
    // the card takes audio at the graph's pace, and nothing is lost on our side of ALSA.
    t.true(Math.abs(alsa.ratioPpm) <= 1000 + 1e-6, `ratio ${alsa.ratioPpm} ppm`);
    t.true(alsa.transferredFrames >= 0.8 * st.receive.deliveredFrames, `${alsa.transferredFrames} frames to PipeWire of ${st.receive.deliveredFrames} delivered`);
    t.is(alsa.droppedFrames, 0);
    t.true(alsa.addedLatencyNs > 0 && alsa.addedLatencyNs < 1e9, `added latency ${alsa.addedLatencyNs} ns`);
    t.true(alsa.xruns <= 10, `xruns ${alsa.xruns}`);
    await rec.stop();
    const r = await rec.done;
    const raw = readFileSync(join(dir, 'cap.raw'));
    const s = new Int32Array(raw.buffer, raw.byteOffset, raw.length >> 2);
    let nonzero = 0;
    for (let i = 0; i < s.length; i++) if (s[i] !== 0) nonzero++;
    t.log(`recorded ${r.frames} frames, ${nonzero} non-zero samples`);
    t.true(nonzero > 48000, 'the pattern reached the sink');
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stopFetchers();
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
