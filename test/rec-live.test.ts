// `inferno capture --format wav` on a private LAN with a fake transmitter, changed by a controller
// during the take: an encoding change restarts the device engine (and its receive worker), and the
// take continues in PATH-2 with the first file intact; a channel rename and a new route show in the
// track names of the next split files.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLan, stopChild } from './support/netns.js';
import type { LanHost } from './support/netns.js';
import { interop } from './support/needs.js';
import { mainJs, projectRoot, waitFor, withPrivateState } from './support/inferno-process.js';
import { parseTake, samplesOf } from './support/rec-parse.js';
import { patternSample } from '../dist/core/pattern.js';
import { mediaNow } from './support/e2e-devices.js';

const test = interop({ root: true, commands: ['ip'] });
const fakeTx = resolve(projectRoot, 'dist-test', 'support', 'fake-transmitter.js');

async function withCapture(tag: string, args: string[], during: (h: { rx: LanHost; ctl: (...a: string[]) => Promise<void> }) => Promise<void>): Promise<{ dir: string; capErr: string; code: number | null; cleanup(): void }> {
  const lan = createLan(3, { tag });
  const dir = mkdtempSync(join(tmpdir(), 'reclive-'));
  const state = withPrivateState([]);
  try {
    const [h1, h2, h3] = lan.hosts as [LanHost, LanHost, LanHost];
    const tx = h1.spawn(process.execPath, [fakeTx, h1.ip, 'faketx', JSON.stringify({ channels: 4 })]);
    let txOut = '';
    tx.stdout!.setEncoding('utf8').on('data', (d: string) => (txOut += d));
    await waitFor(async () => (txOut.includes('published') ? true : undefined), 15000);
    const cap = h2.spawn(process.execPath, [mainJs, 'capture', ...state.args, '--bind-ip', 'eth0', '--name', 'rec', '-n', '2', '--format', 'wav', '--bits', '24',
      '--subscribe', '1=01@faketx', '--rx-latency-ns', '20000000', '--quiet', '--clock', 'local', ...args.map((a) => a.replace('DIR', dir))]);
    let capErr = '';
    cap.stderr!.setEncoding('utf8').on('data', (d: string) => (capErr += d));
    const exited = new Promise<number | null>((r) => cap.once('exit', (c) => r(c)));
    const ctl = async (...a: string[]) => {
      const r = await h3.run(process.execPath, [mainJs, 'ctl', ...a, '--interface', 'eth0', '--timeout', '3000'], { timeoutMs: 30000 });
      if (r.code !== 0) throw new Error(`ctl ${a.join(' ')}: ${r.stderr}${r.stdout}`);
    };
    await during({ rx: h2, ctl });
    const code = await exited;
    await stopChild(tx);
    return { dir, capErr, code, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  } finally {
    await lan.destroy();
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  }
}

/** Channel 1 (TX 01 of the fake transmitter) from its first sound on: consecutive pattern frames. */
function patternRun(path: string, before: number): { frames: number; sound: number; bad: number } {
  const s = samplesOf(parseTake(path).data, 24);
  const frames = s.length / 2;
  let k0 = 0;
  while (k0 < frames && s[2 * k0] === 0) k0++;
  let t0 = NaN;
  // The media time of frame k0, by its value: within the last minute before `before`.
  for (let t = before; t > before - 60 * 48000 && k0 + 1 < frames && Number.isNaN(t0); t--) {
    if (patternSample(1, t, 24) === s[2 * k0] && patternSample(1, t + 1, 24) === s[2 * k0 + 2]) t0 = t - k0;
  }
  let bad = 0;
  if (Number.isNaN(t0)) return { frames, sound: 0, bad: -1 };
  for (let k = k0; k < frames; k++) if (s[2 * k] !== 0 && s[2 * k] !== patternSample(1, t0 + k, 24)) bad++;
  return { frames, sound: frames - k0, bad };
}

test.serial('an engine restart during a take (encoding change by a controller): the take continues in PATH-2, the first file stays whole', async (t) => {
  t.timeout(120_000);
  const r = await withCapture('cfrst', ['-o', 'DIR/take.wav', '--duration', '9'], async ({ rx, ctl }) => {
    await new Promise((res) => setTimeout(res, 4000));
    await ctl('set', rx.ip, 'encoding', '16');
  });
  try {
    t.is(r.code, 0, r.capErr);
    const names = readdirSync(r.dir).sort();
    t.deepEqual(names, ['take-2.wav', 'take.wav'], r.capErr);
    const now = mediaNow(48000);
    const first = patternRun(join(r.dir, 'take.wav'), now);
    const second = patternRun(join(r.dir, 'take-2.wav'), now);
    t.log(`take.wav ${first.frames} frames (${first.sound} with sound), take-2.wav ${second.frames} (${second.sound})`);
    t.true(first.sound > 48000, 'the first file kept its audio (over a second)');
    t.true(second.sound > 48000, 'the take went on in the second file');
    t.is(first.bad, 0);
    t.is(second.bad, 0);
  } finally {
    r.cleanup();
  }
});

test.serial('a rename and a new route during a split take name the tracks of the next files', async (t) => {
  t.timeout(120_000);
  const r = await withCapture('cftrk', ['-o', 'DIR/show', '--split-every', '1s', '--duration', '9'], async ({ rx, ctl }) => {
    await new Promise((res) => setTimeout(res, 3000));
    await ctl('rename-channel', rx.ip, 'rx', '2', 'Guitar');
    await new Promise((res) => setTimeout(res, 2500));
    await ctl('subscribe', rx.ip, '2', '03@faketx');
  });
  try {
    t.is(r.code, 0, r.capErr);
    const files = readdirSync(r.dir).sort().map((n) => join(r.dir, n));
    const names = files.map((f) => parseTake(f).trackNames.join('+'));
    t.log(names.join(' '));
    // In order: the start names, then the rename, then the route; never back.
    const stages = names.map((n) => ['01+RX 2', '01+Guitar', '01+03'].indexOf(n));
    t.false(stages.includes(-1), names.join(' '));
    t.deepEqual([...stages].sort(), stages, 'names change only forward, file by file');
    t.is(stages[0], 0);
    t.true(stages.includes(1), 'a file named after the rename');
    t.is(stages.at(-1), 2, 'the last files named after the new route');
  } finally {
    r.cleanup();
  }
});
