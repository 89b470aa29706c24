// JACK through ALSA: device B runs under `pw-jack` (PipeWire's libjack) with `--rx-sink alsa:jack`,
// the `jack` PCM defined in B's ~/.asoundrc with its ports connected to the headless PipeWire's
// null sink, exactly as the README's JACK section shows. pw-record captures the sink: the
// recording must hold A's pattern, channels in order, at full level, window by window. A second
// test proves the port names matter: a PCM naming ports that do not exist fails to open, with the
// reason in B's status, instead of playing nowhere. A third captures through the same PCM
// (`--tx-source alsa:jack` on the sink's monitor ports) and checks what a receiver gets.
//
// Measured on a loaded 2-core machine (other builds and tests running): playback 0 bad windows,
// lowest correlation 0.9927, level within 0.4 dB in three runs at load ~2; under load ~3.2 with 47
// to 70 packets lost, B's steering swings by hundreds of ppm (its own delivery stalls look like a
// dip of the fill) and the bad windows can exceed what the counters excuse.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import type { LanHost } from './support/netns.js';
import { startInferno, waitFor } from './support/inferno-process.js';
import type { InfernoProcess } from './support/inferno-process.js';
import { deviceArgs, fetchIn, HTTP_PORT, sleep, startDevice, stopFetchers } from './support/e2e-devices.js';
import type { E2eDevice } from './support/e2e-devices.js';
import { PIPEWIRE_COMMANDS, PW_SINK, startPipeWire } from './support/pipewire.js';
import type { PipeWireRig } from './support/pipewire.js';
import { parseTake } from './support/rec-parse.js';
import { recordedDriftPpm, trackPattern } from './support/drift-compare.js';
import { matchChannel, sweeps, toFloat, toS16, writeWav16 } from './support/audio-compare.js';
import { readS32 } from './support/capture-check.js';

// Debian: libasound2-plugins (the ALSA `jack` PCM) and pipewire-jack (pw-jack and PipeWire's libjack).
const test = interop({ root: true, commands: ['ip', ...PIPEWIRE_COMMANDS, 'pw-jack'] });
const RATE = 48000;
const WINDOW = 2048;
const RUN_S = 30;

// PipeWire's JACK names a node's ports after its description: the rig's null sink is "Test null sink".
const JACK_SINK = 'Test null sink';

/** The README's JACK `.asoundrc`: `pcm.!jack` replaces the stock definition (system:playback_1/2). */
export function jackAsoundrc(sink: string): string {
  return `pcm.!jack {
    type jack
    playback_ports { 0 "${sink}:playback_FL"  1 "${sink}:playback_FR" }
    capture_ports  { 0 "${sink}:monitor_FL"   1 "${sink}:monitor_FR" }
}
`;
}

/** Channel `ch` of `ref` frames [from, from + n) against the capture at `lag` ± `search` frames (both stereo). */
function matchPiece(ref: Float64Array, cap: Float64Array, ch: number, from: number, n: number, lag: number, search: number): { lagFrames: number; correlation: number; levelDb: number } {
  let best = { lagFrames: lag, correlation: -2, levelDb: -Infinity };
  for (let l = lag - search; l <= lag + search; l++) {
    if (from + l < 0 || 2 * (from + l + n) > cap.length) continue;
    let rr = 0;
    let xx = 0;
    let rx = 0;
    for (let i = 0; i < n; i++) {
      const r = ref[2 * (from + i) + ch]!;
      const v = cap[2 * (from + l + i) + ch]!;
      rr += r * r;
      xx += v * v;
      rx += r * v;
    }
    const k = rx / Math.sqrt(rr * xx || 1);
    if (k > best.correlation) best = { lagFrames: l, correlation: k, levelDb: 10 * Math.log10(xx / rr) };
  }
  return best;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function statusOf(host: LanHost): Promise<any> {
  const body = await fetchIn(host, `http://127.0.0.1:${HTTP_PORT}/status`);
  return body ? JSON.parse(body) : undefined;
}

test.serial('rx-sink alsa:jack under pw-jack: the null sink records A\'s pattern, channels in order, full level', async (t) => {
  t.timeout(240_000);
  const lan = createLan(2, { tag: 'jck' });
  const dir = mkdtempSync(join(tmpdir(), 'inferno-jack-'));
  const [ha, hb] = lan.hosts as [LanHost, LanHost];
  let rig: PipeWireRig | undefined;
  let a: E2eDevice | undefined;
  let b: InfernoProcess | undefined;
  try {
    rig = await startPipeWire(hb);
    writeFileSync(join(rig.env.HOME!, '.asoundrc'), jackAsoundrc(JACK_SINK));
    a = await startDevice(ha, { name: 'jck-a', deviceId: '00000a15a00000ea', stateDir: dir, tx: 2 });
    const capPath = join(dir, 'cap.wav');
    const rec = rig.record(capPath, { format: 's32' });
    await sleep(500);
    // Eight quanta of the graph's 1024 frames: with four (as for the pipewire PCM), two runs on a
    // loaded 2-core machine had 3 and 6 xruns in 30 s (the jack plugin underruns when B's writer
    // is late by more than three quanta, 64 ms); with eight, none.
    b = startInferno(hb, deviceArgs({
      name: 'jck-b', deviceId: '00000a15a00000eb', stateDir: dir, rx: 2, tx: 1, sink: 'alsa:jack',
      extra: ['--subscribe', '1=01@jck-a', '--subscribe', '2=02@jck-a', '--alsa-period-frames', '1024', '--alsa-buffer-frames', '8192'],
    }), rig.env, ['pw-jack']);
    const proc = b;
    await waitFor(async () => {
      const s = await statusOf(hb);
      return s?.receive?.channels?.[1]?.routed && (s.receive.alsa?.transferredFrames ?? 0) > RATE ? true : undefined;
    }, 60_000).catch((e: Error) => { throw new Error(`${e.message}\n${proc.output()}\n${rig!.logs()}`); });
    const links = await rig.run('pw-link', ['-l']);
    for (let i = 0; i < RUN_S / 10; i++) {
      await sleep(10_000);
      const s = await statusOf(hb);
      t.log(`${(i + 1) * 10} s: ${s?.receive?.alsa?.ratioPpm} ppm, delay ${s?.receive?.alsa?.delayFrames}, ring ${s?.receive?.alsa?.ringFill}, xruns ${s?.receive?.alsa?.xruns}`);
    }
    const st = await statusOf(hb);
    await b.stop();
    await sleep(300);
    await rec.stop();
    const alsa = st.receive.alsa;
    // The bare jack PCM takes only float at the server's rate; B opens it natively, no plug.
    t.like(alsa, { pcm: 'jack', stream: 'playback', format: 'FLOAT_LE', clocked: true, rate: RATE, channels: 2, resampling: 'adaptive' });
    t.is(alsa.error, undefined);
    // B's JACK ports are wired to the sink by the plugin itself (pw-link shows PipeWire's node names).
    t.regex(links.stdout, new RegExp(`${PW_SINK}:playback_FL\\s*\\n\\s*\\|<- \\S+:out_000`), links.stdout);

    const cap = parseTake(capPath);
    t.is(cap.channels, 2);
    const x = new Int32Array(cap.data.buffer, cap.data.byteOffset, Math.floor(cap.data.length / 4));
    let k0 = 0;
    while (k0 < x.length / 2 && x[2 * k0] === 0) k0++;
    t.true(k0 < x.length / 2 - 20 * RATE, `sound for at least 20 s (first non-zero frame ${k0} of ${x.length / 2})`);
    const start = k0 + 2 * RATE;
    const t0: number = alsa.firstFrameMediaTime;
    const track = trackPattern(x, 2, [1, 2], start, t0 + (start - k0) - 400, t0 + (start - k0) + 15 * RATE, WINDOW);
    // As in pipewire-device.test.ts: the pattern is full-scale noise, band-limiting clips a little.
    const good = (w: { corr: number[]; levelDb: number[] }) => w.corr.every((c) => c > 0.99) && w.levelDb.every((l) => Math.abs(l) < 0.5);
    const first = track.windows.findIndex(good);
    let last = track.windows.length - 1;
    while (last > first && !good(track.windows[last]!)) last--;
    const span = track.windows.slice(first, last + 1);
    const bad = span.filter((w) => !good(w)).length;
    const goods = span.filter(good);
    const minCorr = Math.min(...goods.map((w) => Math.min(...w.corr)));
    const maxLevel = Math.max(...goods.map((w) => Math.max(...w.levelDb.map(Math.abs))));
    const missing = st.receive.channels.reduce((n: number, c: { missingFrames?: number }) => n + (c.missingFrames ?? 0), 0);
    // Glitches only where B counted something: an xrun, a resync, a gap in what it received (a
    // loaded machine stalls B's delivery now and then). Each event spoils the few windows it falls
    // in, plus one per window of frames it lost; both channels share the flow, so their gaps coincide.
    const gaps = Math.max(...st.receive.channels.map((c: { missingRuns?: number }) => c.missingRuns ?? 0));
    const missingPerChannel = Math.max(...st.receive.channels.map((c: { missingFrames?: number }) => c.missingFrames ?? 0));
    const excused = 3 * (alsa.xruns + (alsa.resyncs ?? 0) + gaps) + Math.ceil((alsa.droppedFrames + (alsa.resyncFrames ?? 0) + missingPerChannel) / WINDOW);
    t.log(`B: ${JSON.stringify(alsa)}`);
    t.log(`${span.length} windows of ${WINDOW} frames tracked (${((span.length * WINDOW) / RATE).toFixed(1)} s), ${bad} bad, ` +
      `lowest good correlation ${minCorr.toFixed(5)}, largest level difference ${maxLevel.toFixed(3)} dB; ` +
      `B: ${alsa.ratioPpm} ppm, ${alsa.xruns} xruns, ${alsa.droppedFrames} dropped, ${missing} missing frames, ` +
      `${st.receive.lostPackets} lost and ${st.receive.latePackets} late packets, ${gaps} gaps; ${excused} windows excused`);
    t.true(first >= 0 && first < 5, `pattern found from window ${first}`);
    t.true(span.length * WINDOW >= 20 * RATE, `tracked ${span.length} windows`);
    t.true((span.length - bad) * WINDOW >= 10 * RATE, `${span.length - bad} good windows of ${span.length}`);
    t.true(bad <= excused, `${bad} bad windows, ${excused} excused by counted events`);
    // The dummy driver runs on CLOCK_MONOTONIC, as does B's local clock: no lasting steering is
    // needed. The ratio at one instant can be anywhere in a transient (an xrun a second before the
    // end left -391 ppm in one run), so judge what B played: the recording against media time.
    const drift = recordedDriftPpm(span.slice(Math.floor(span.length / 2)), good);
    t.log(`drift of the recording against media time ${drift.toFixed(1)} ppm (second half)`);
    t.true(Math.abs(drift) <= 150, `recording drifts ${drift} ppm`);
  } finally {
    await b?.stop();
    await a?.proc.stop();
    stopFetchers();
    await rig?.stop();
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial('a jack PCM naming ports that do not exist fails to open, and B says why', async (t) => {
  t.timeout(120_000);
  const lan = createLan(1, { tag: 'jck' });
  const dir = mkdtempSync(join(tmpdir(), 'inferno-jack-'));
  const hb = lan.hosts[0]!;
  let rig: PipeWireRig | undefined;
  let b: InfernoProcess | undefined;
  try {
    rig = await startPipeWire(hb);
    writeFileSync(join(rig.env.HOME!, '.asoundrc'), jackAsoundrc('no_such_sink'));
    b = startInferno(hb, deviceArgs({ name: 'jck-c', deviceId: '00000a15a00000ec', stateDir: dir, rx: 2, tx: 1, sink: 'alsa:jack' }), rig.env, ['pw-jack']);
    const proc = b;
    const alsa = await waitFor(async () => {
      const s = await statusOf(hb);
      return s?.receive?.alsa?.error ? s.receive.alsa : undefined;
    }, 60_000).catch((e: Error) => { throw new Error(`${e.message}\n${proc.output()}`); });
    t.log(`B: ${JSON.stringify(alsa)}`);
    t.like(alsa, { pcm: 'jack', stream: 'playback' });
    t.is(alsa.transferredFrames, undefined);
    t.regex(String(alsa.error), /jack/i);
  } finally {
    await b?.stop();
    stopFetchers();
    await rig?.stop();
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.serial('tx-source alsa:jack under pw-jack: what plays into the sink reaches a receiver, channels in order, full level', async (t) => {
  t.timeout(180_000);
  const lan = createLan(2, { tag: 'jck' });
  const dir = mkdtempSync(join(tmpdir(), 'inferno-jack-'));
  const [hc, hb] = lan.hosts as [LanHost, LanHost];
  let rig: PipeWireRig | undefined;
  let c: InfernoProcess | undefined;
  let b: E2eDevice | undefined;
  try {
    rig = await startPipeWire(hc);
    writeFileSync(join(rig.env.HOME!, '.asoundrc'), jackAsoundrc(JACK_SINK));
    // C captures the sink's monitor through the jack PCM's capture_ports and transmits it.
    c = startInferno(hc, [
      '--bind-ip', 'eth0', '--name', 'jck-c', '--device-id', '00000a15a00000ed', '--state-dir', dir, '--http', `127.0.0.1:${HTTP_PORT}`,
      '--tx-channels', '2', '--rx-channels', '1', '--sample-rate', String(RATE), '--tx-source', 'alsa:jack',
      '--alsa-period-frames', '1024', '--alsa-buffer-frames', '8192', ...(process.env.E2E_NORT ? [] : ['--realtime', 'true']),
    ], rig.env, ['pw-jack']);
    const proc = c;
    const out = join(dir, 'b.raw');
    b = await startDevice(hb, {
      name: 'jck-b', deviceId: '00000a15a00000ee', stateDir: dir, rx: 2, tx: 1, sink: `alsa:file:'${out}',raw`,
      extra: ['--subscribe', '1=01@jck-c', '--subscribe', '2=02@jck-c'],
    });
    const dev = b;
    // C's steering settles first: a ratio still moving by 100 ppm would smear the sweeps by frames.
    const cAlsa = await waitFor(async () => {
      const s = await statusOf(hc);
      const a = s?.transmit?.alsa;
      return a && Number.isFinite(a.targetFillFrames) && (a.transferredFrames ?? 0) > 10 * RATE && Math.abs(a.ratioPpm) < 50 ? a : undefined;
    }, 90_000).catch((e: Error) => { throw new Error(`${e.message}\n${proc.output()}\n${rig!.logs()}`); });
    await waitFor(async () => {
      const s = await dev.status();
      return s?.receive?.channels?.[1]?.routed && (s.receive.packets ?? 0) > 500 ? true : undefined;
    }, 30_000);
    const ref = sweeps(RATE, 3, [{ fromHz: 100, toHz: 1000, dbfs: -6 }, { fromHz: 1500, toHz: 300, dbfs: -12 }]);
    writeWav16(join(dir, 'ref.wav'), 2, RATE, toS16(ref));
    const played = await rig.run('aplay', ['-q', '-D', 'pipewire', join(dir, 'ref.wav')], 30_000);
    await sleep(1000);
    const st = await statusOf(hc);
    await b.proc.stop();
    t.is(played.code, 0, played.stderr);
    const alsa = st.transmit.alsa;
    t.log(`C: ${JSON.stringify(alsa)} (settled at ${cAlsa.ratioPpm} ppm)`);
    t.like(alsa, { pcm: 'jack', stream: 'capture', format: 'FLOAT_LE', clocked: true, rate: RATE, channels: 2, resampling: 'adaptive' });
    t.is(alsa.error, undefined);
    const x = toFloat(readS32(out), 2 ** 31);
    const m0 = matchChannel(ref, 2, x, 2, 0);
    const m1 = matchChannel(ref, 2, x, 2, 1);
    const swapped = matchChannel(ref, 2, x, 2, 0, 1);
    t.log(`lag ${m0.lagFrames}/${m1.lagFrames} frames; correlation ${m0.correlation.toFixed(5)}/${m1.correlation.toFixed(5)}; ` +
      `level ${m0.levelDb.toFixed(3)}/${m1.levelDb.toFixed(3)} dB; ch0 vs ref ch1 ${swapped.correlation.toFixed(3)}; C: ${alsa.xruns} xruns, ${alsa.resyncs} resyncs`);
    // C resamples to follow the graph's clock and its ratio moves (by some ppm when settled, up to
    // the clamp under heavy load): one lag over the whole sweep does not fit (measured 0.970 to
    // 0.984 correlation). So compare quarter-second pieces, each at its own lag, following the
    // previous piece's. Integer alignment leaves up to half a frame of the resampler's fractional
    // phase, which at 1.5 kHz alone costs 0.5 % (cos 5.6°): settled pieces measured 0.9977 to
    // 0.9999. The level is exact whatever the alignment (measured 0.000 dB).
    // Both channels are one interleaved stream through one resampler, so they share every lag: the
    // pieces of both follow channel 0's whole-sweep lag (channel 1's descending -12 dB sweep gave a
    // spurious whole-sweep peak once, 33 frames off with correlation -0.1, and its pieces then
    // followed the chirp's delay/frequency ridge away), and each piece's lags must agree.
    const piece = RATE / 4;
    const lags: number[][] = [];
    for (const ch of [0, 1]) {
      const ps: { lagFrames: number; correlation: number; levelDb: number }[] = [];
      const m = m0;
      let lag = m.lagFrames;
      // (The first piece holds the sweep's onset, which the graph may split across a quantum.)
      for (let k = 1; k < 12; k++) {
        const p = matchPiece(ref, x, ch, k * piece, piece, lag, 32);
        ps.push(p);
        lag = p.lagFrames;
      }
      const corr = ps.map((p) => p.correlation).sort((u, v) => u - v);
      t.log(`channel ${ch}: correlation ${ps.map((p) => p.correlation.toFixed(4)).join(' ')}; level ${ps.map((p) => p.levelDb.toFixed(3)).join(' ')} dB; ` +
        `lag moved ${ps.map((p) => p.lagFrames - m.lagFrames).join(' ')} frames`);
      for (const p of ps) t.true(Math.abs(p.levelDb) < 0.1, `channel ${ch}: level ${p.levelDb} dB`);
      t.true(corr[Math.floor(corr.length / 2)]! > 0.99, `channel ${ch}: median correlation ${corr[Math.floor(corr.length / 2)]}`);
      lags.push(ps.map((p) => p.lagFrames));
    }
    t.true(lags[1]!.every((l, i) => Math.abs(l - lags[0]![i]!) <= 1), `both channels at the same lag in every piece: ${JSON.stringify(lags)}`);
    t.true(Math.abs(swapped.correlation) < 0.1);
  } finally {
    await b?.proc.stop();
    await c?.stop();
    stopFetchers();
    await rig?.stop();
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
