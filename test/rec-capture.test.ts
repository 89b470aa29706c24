// `inferno capture --format wav --split-every 1s` on a private LAN with a fake transmitter: gapless
// files that sox and ffprobe read, with the subscribed TX channel names as track names.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLan, stopChild } from './support/netns.js';
import { interop } from './support/needs.js';
import { withPrivateState, mainJs, projectRoot, waitFor } from './support/inferno-process.js';
import { patternSample } from '../dist/core/pattern.js';
import { parseTake } from './support/rec-parse.js';
import { ffprobe, soxInfo, soxSamples } from './support/rec-tools.js';

const test = interop({ root: true, commands: ['ip', 'sox', 'ffprobe'] });
const fakeTx = resolve(projectRoot, 'dist-test', 'support', 'fake-transmitter.js');

test('capture records split WAV files that are gapless and named after the Dante channels', async (t) => {
  t.timeout(40_000);
  const lan = createLan(2, { tag: 'reccap' });
  const dir = mkdtempSync(join(tmpdir(), 'reccap-'));
  try {
    const [h1, h2] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0]];
    const tx = h1.spawn(process.execPath, [fakeTx, h1.ip, 'faketx', JSON.stringify({ channels: 4 })]);
    let txOut = '';
    tx.stdout!.setEncoding('utf8').on('data', (d: string) => (txOut += d));
    await waitFor(async () => (txOut.includes('published') ? true : undefined), 8000);
    const cap = h2.spawn(process.execPath, [mainJs, 'capture', ...withPrivateState([]).args, '--bind-ip', 'eth0', '--name', 'rec', '-n', '2', '-o', join(dir, 'show'), '--format', 'wav', '--bits', '24', '--split-every', '1s',
      '--subscribe', '1=01@faketx', '--subscribe', '2=03@faketx', '--rx-latency-ns', '10000000', '--duration', '4.5', '--quiet', '--clock', 'local']);
    let capErr = '';
    cap.stderr!.setEncoding('utf8').on('data', (d: string) => (capErr += d));
    const code = await new Promise<number | null>((r) => cap.once('exit', (c) => r(c)));
    await stopChild(tx);
    t.is(code, 0, capErr);
    const names = readdirSync(dir).sort();
    t.log(names.join(' '));
    t.true(names.length >= 4, capErr);
    for (const n of names) t.regex(n, /^show-rec-\d{8}-\d{6}(-\d+)?\.wav$/);
    const files = names.map((n) => join(dir, n));
    for (const f of files.slice(0, -1)) t.deepEqual(soxInfo(f), { channels: 2, rate: 48000, bits: 24, samples: 48000 });
    const probe = ffprobe(files[0]!);
    t.is(probe.streams[0]!.channels, 2);
    t.is(probe.streams[0]!.bits_per_sample, 24);
    t.deepEqual(parseTake(files[0]!).trackNames, ['01', '03']);
    t.regex(probe.format.tags?.comment ?? '', /1 01, 2 03/);

    // All files back to back are one stream: from the first sound on, consecutive pattern frames.
    const all = files.map((f) => soxSamples(f));
    const s = new Int32Array(all.reduce((a, x) => a + x.length, 0));
    let o = 0;
    for (const x of all) { s.set(x, o); o += x.length; }
    const frames = s.length / 2;
    let k0 = 0;
    while (k0 < frames && s[2 * k0] === 0) k0++;
    t.true(k0 < frames - 48000, 'audio arrived');
    let t0 = NaN;
    // Find the media time of frame k0 near the summary's first frame.
    const summary = JSON.parse(capErr.split('\n').find((l) => l.startsWith('capture summary '))!.slice(16)) as { firstFrameMediaTime: number };
    for (let d = -200; d <= 200 && Number.isNaN(t0); d++) {
      const mt = summary.firstFrameMediaTime + k0 + d;
      if (s[2 * k0] === patternSample(1, mt, 24) && s[2 * k0 + 2] === patternSample(1, mt + 1, 24)) t0 = mt - k0;
    }
    t.false(Number.isNaN(t0), 'the first sound is the pattern');
    let bad = 0;
    let zeros = 0;
    for (let k = k0; k < frames; k++) {
      if (s[2 * k] === 0 && s[2 * k + 1] === 0) { zeros++; continue; }
      if (s[2 * k] !== patternSample(1, t0 + k, 24) || s[2 * k + 1] !== patternSample(3, t0 + k, 24)) bad++;
    }
    t.is(bad, 0, 'every frame across every file boundary is the next pattern frame');
    t.true(zeros < frames / 100, `few late zeros (${zeros})`);
  } finally {
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
