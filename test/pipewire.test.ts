// A private headless PipeWire (test/support/pipewire.ts) inside a namespace: what an ALSA client
// plays into `pipewire` comes back out of pw-record intact. This is the rig the device's ALSA sink
// is tested against.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import { DRIFTREC_COMMANDS, PIPEWIRE_COMMANDS, startPipeWire } from './support/pipewire.js';
import { matchChannel, sweeps, toFloat, toS16, tones, writeWav16 } from './support/audio-compare.js';
import { parseTake, samplesOf } from './support/rec-parse.js';

const test = interop({ root: true, commands: PIPEWIRE_COMMANDS });

test('aplay -D pipewire into the null sink: pw-record captures both channels unchanged, same lag, same level, in order', async (t) => {
  const lan = createLan(1, { tag: 'drpw' });
  const dir = mkdtempSync(join(tmpdir(), 'inferno-pwt-'));
  t.teardown(async () => {
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const host = lan.hosts[0]!;
  const rig = await startPipeWire(host);
  t.teardown(() => rig.stop());
  const rate = 48000;
  const ref = sweeps(rate, 3, [{ fromHz: 200, toHz: 2000, dbfs: -6 }, { fromHz: 3000, toHz: 300, dbfs: -12 }]);
  writeWav16(join(dir, 'ref.wav'), 2, rate, toS16(ref));
  const rec = rig.record(join(dir, 'cap.wav'));
  await new Promise((r) => setTimeout(r, 700)); // linked to the monitor before the tone starts
  const started = Date.now();
  // PIPEWIRE_ALSA names the stream node, as the README suggests for the device's ALSA sink.
  const play = rig.host.run('aplay', ['-q', '-D', 'pipewire', join(dir, 'ref.wav')], {
    timeoutMs: 30000,
    env: { ...rig.env, PIPEWIRE_ALSA: '{ node.name = "inferno-test-rx" node.description = "Inferno test RX" }' },
  });
  await new Promise((r) => setTimeout(r, 1000));
  const nodes = await rig.run('pw-cli', ['ls', 'Node']);
  const played = await play;
  const playedMs = Date.now() - started;
  await new Promise((r) => setTimeout(r, 300));
  await rec.stop();
  t.is(played.code, 0, `${played.stderr}\n${rig.logs()}`);
  t.regex(nodes.stdout, /node\.name = "inferno-test-rx"/);
  // Paced by the graph clock, not written as fast as possible.
  t.true(playedMs > 2500, `aplay took ${playedMs} ms for 3 s of audio`);
  const cap = parseTake(join(dir, 'cap.wav'));
  t.is(cap.channels, 2);
  t.is(cap.sampleRate, rate);
  const x = toFloat(samplesOf(cap.data, cap.bits), 2 ** 31);
  const m0 = matchChannel(ref, 2, x, 2, 0);
  const m1 = matchChannel(ref, 2, x, 2, 1);
  const swapped = matchChannel(ref, 2, x, 2, 0, 1);
  t.log(`lag ${m0.lagFrames}/${m1.lagFrames} frames; correlation ${m0.correlation.toFixed(6)}/${m1.correlation.toFixed(6)}; level ${m0.levelDb.toFixed(3)}/${m1.levelDb.toFixed(3)} dB; ch0 vs ref ch1 ${swapped.correlation.toFixed(3)}`);
  for (const m of [m0, m1]) {
    t.true(m.frames > 2 * rate, `compared ${m.frames} frames`);
    t.true(m.correlation > 0.9999, `correlation ${m.correlation}`);
    t.true(Math.abs(m.levelDb) < 0.05, `level ${m.levelDb} dB`);
  }
  t.is(m0.lagFrames, m1.lagFrames);
  t.true(Math.abs(swapped.correlation) < 0.1);
});

test('without a daemon, opening the pipewire PCM fails fast instead of hanging', async (t) => {
  const lan = createLan(1, { tag: 'drpw' });
  t.teardown(() => lan.destroy());
  const dir = mkdtempSync(join(tmpdir(), 'inferno-pwt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeWav16(join(dir, 'ref.wav'), 2, 48000, toS16(tones(48000, 0.1, [{ hz: 1000, dbfs: -6 }, { hz: 1000, dbfs: -6 }])));
  const started = Date.now();
  const r = await lan.hosts[0]!.run('aplay', ['-q', '-D', 'pipewire', join(dir, 'ref.wav')], {
    timeoutMs: 10000,
    env: { ...process.env, XDG_RUNTIME_DIR: join(dir, 'no-daemon-here') },
  });
  t.not(r.code, 0);
  t.true(Date.now() - started < 8000);
});

// pw-driftrec drives the graph: a client's audio is paced by its clock, here 10 % fast so the
// effect is far outside scheduling noise, and the recording still holds the audio unchanged.
const driftTest = interop({ root: true, commands: [...PIPEWIRE_COMMANDS, ...DRIFTREC_COMMANDS] });
driftTest('pw-driftrec drives the graph at its own rate; what aplay plays is recorded unchanged', async (t) => {
  const lan = createLan(1, { tag: 'drpw' });
  const dir = mkdtempSync(join(tmpdir(), 'inferno-pwt-'));
  t.teardown(async () => {
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const rig = await startPipeWire(lan.hosts[0]!);
  t.teardown(() => rig.stop());
  const rate = 48000;
  const ref = sweeps(rate, 6, [{ fromHz: 300, toHz: 3000, dbfs: -6 }, { fromHz: 5000, toHz: 500, dbfs: -12 }]);
  writeWav16(join(dir, 'ref.wav'), 2, rate, toS16(ref));
  const rec = rig.driftRecord(join(dir, 'cap.raw'), { ppm: 100000, seconds: 0 });
  t.teardown(() => rec.stop());
  await new Promise((r) => setTimeout(r, 1000));
  const started = Date.now();
  const played = await rig.run('aplay', ['-q', '-D', 'pipewire', join(dir, 'ref.wav')], 30000);
  const playedMs = Date.now() - started;
  await new Promise((r) => setTimeout(r, 300));
  await rec.stop();
  const r = await rec.done;
  t.is(played.code, 0, `${played.stderr}\n${rig.logs()}`);
  t.is(r.code, 0, r.stderr);
  t.log(`6 s of audio played in ${playedMs} ms with the graph 10 % fast; recorded ${r.frames} frames in ${r.cycles} cycles`);
  // 6 s at 1.1 × takes 5.45 s (+ one buffer and aplay's start-up: 5.84 s seen on a loaded machine);
  // at 1.0 × no run can be shorter than 6 s of audio, so under 6 s proves the graph ran fast.
  t.true(playedMs < 6000, `${playedMs} ms`);
  // Whole quanta, one per cycle of ours, apart from the cycles before the recorder's own link was up:
  // WirePlumber links it within the 1 s before aplay starts (51 cycles at 1.1 × 48 kHz / 1024); 17
  // cycles were seen on a loaded machine, so allow up to 48.
  t.true(r.frames % 1024 === 0 && r.frames <= r.cycles * 1024 && r.frames >= (r.cycles - 48) * 1024, `${r.frames} frames, ${r.cycles} cycles`);
  const raw = readFileSync(join(dir, 'cap.raw'));
  const x = toFloat(new Int32Array(raw.buffer, raw.byteOffset, raw.length >> 2), 2 ** 31);
  for (const c of [0, 1]) {
    const m = matchChannel(ref, 2, x, 2, c);
    t.true(m.correlation > 0.9999, `channel ${c}: correlation ${m.correlation}`);
    t.true(Math.abs(m.levelDb) < 0.05, `channel ${c}: level ${m.levelDb} dB`);
  }
});
