// A private headless PipeWire (test/support/pipewire.ts) inside a namespace: what an ALSA client
// plays into `pipewire` comes back out of pw-record intact. This is the rig the device's ALSA sink
// is tested against.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import { PIPEWIRE_COMMANDS, startPipeWire } from './support/pipewire.js';
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
