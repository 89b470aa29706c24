// The native addon's ALSA PCMs (native-timer/src/alsa.cc) on the PCMs every libasound has without
// a sound card: `null` and `file`. Mandatory in CI (libasound2 and alsa-utils are installed there).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createFallback, loadNative, type AlsaOpenOptions, type AlsaPcm } from '../dist/native/index.js';
import { interop } from './support/needs.js';
import { runNative } from './support/native-child.js';

const test = interop({ commands: ['aplay'] });
const native = loadNative();
const base = { rate: 48000, channels: 2, periodFrames: 240, bufferFrames: 960, ringFrames: 4800 };
const open = (o: Partial<AlsaOpenOptions> & Pick<AlsaOpenOptions, 'pcm' | 'stream'>): AlsaPcm => native.alsaOpen({ ...base, ...o });

/** Polls until `ok` holds; load on this machine makes the I/O thread late, never wrong. */
async function until(ok: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) return false;
    await delay(5);
  }
  return true;
}

test('null playback: frames are written, delay and avail reported, no clock of its own', async (t) => {
  const p = open({ pcm: 'null', stream: 'playback' });
  try {
    t.like(p.info, { pcm: 'null', stream: 'playback', type: 4, clocked: false, format: 'S32_LE', rate: 48000, channels: 2 });
    t.true(p.info.periodFrames > 0 && p.info.bufferFrames >= p.info.periodFrames);
    const block = new Int32Array(1000 * 2).fill(0x12345600);
    t.is(p.write(block, 1000), 1000);
    t.true(await until(() => p.status().transferredFrames === 1000));
    const s = p.status();
    t.is(s.ringFill, 0);
    t.is(s.xruns, 0);
    t.is(s.droppedFrames, 0);
    t.true(Number.isInteger(s.delayFrames) && s.delayFrames >= 0);
    t.true(s.availFrames >= 0 && s.availFrames <= p.info.bufferFrames);
  } finally {
    p.close();
  }
});

test('null playback: a full ring takes what fits and counts the rest as dropped', (t) => {
  // A huge write at once: the ring (at least two periods, here 4800 frames) cannot take it all.
  const p = open({ pcm: 'null', stream: 'playback' });
  try {
    const n = 20_000;
    const taken = p.write(new Int32Array(n * 2), n);
    t.true(taken >= p.info.ringFrames && taken < n, `took ${taken}`);
    t.is(p.status().droppedFrames, n - taken);
  } finally {
    p.close();
  }
});

test('null capture: silence, paced by the reader (no clock: the ring is never overrun)', async (t) => {
  const c = open({ pcm: 'null', stream: 'capture' });
  try {
    t.like(c.info, { stream: 'capture', type: 4, clocked: false });
    const buf = new Int32Array(4800 * 2).fill(-1);
    let got = 0;
    t.true(await until(() => (got += c.read(buf.subarray(got * 2), 4800 - got)) >= 4800));
    t.true(buf.every((v) => v === 0), 'null captures digital silence');
    // Nobody reads: the I/O thread waits for room instead of dropping.
    await delay(100);
    const s = c.status();
    t.is(s.droppedFrames, 0);
    t.true(s.ringFill <= c.info.ringFrames, `ring ${s.ringFill}`);
    t.true(s.transferredFrames <= 4800 + c.info.ringFrames, `read ${s.transferredFrames}`);
  } finally {
    c.close();
  }
});

test('a forced xrun goes through snd_pcm_recover and is counted, and audio keeps flowing', async (t) => {
  for (const stream of ['playback', 'capture'] as const) {
    const p = open({ pcm: 'null', stream });
    try {
      const buf = new Int32Array(480 * 2);
      if (stream === 'playback') p.write(buf, 480);
      else t.true(await until(() => p.read(buf, 480) > 0));
      p.injectXrun();
      if (stream === 'playback') p.write(buf, 480);
      t.true(await until(() => p.status().xruns === 1), `${stream}: xrun counted`);
      const before = p.status().transferredFrames;
      if (stream === 'playback') p.write(buf, 480);
      else p.read(new Int32Array(p.info.ringFrames * 2), p.info.ringFrames);
      t.true(await until(() => p.status().transferredFrames > before), `${stream}: running after recovery`);
      t.is(p.status().error, undefined);
    } finally {
      p.close();
    }
  }
});

test('file PCM: s32le frames land in the file bit-exact; 3 channels, any values', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferno-alsa-'));
  try {
    const path = join(dir, 'out.raw');
    const p = open({ pcm: `file:'${path}',raw`, stream: 'playback', channels: 3 });
    t.like(p.info, { type: 3, clocked: false, format: 'S32_LE', channels: 3 });
    const frames = 5000;
    const data = new Int32Array(frames * 3);
    for (let i = 0; i < data.length; i++) data[i] = Math.imul(i + 1, 0x9e3779b1);
    let sent = 0;
    while (sent < frames) {
      sent += p.write(data.subarray(sent * 3), Math.min(1000, frames - sent));
      await delay(1);
    }
    p.close(true);
    const bytes = readFileSync(path);
    t.is(bytes.length, frames * 12);
    t.deepEqual(new Int32Array(bytes.buffer, bytes.byteOffset, frames * 3), data);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad PCM name is one clear error naming it; ALSA\'s own message reaches our log queue', (t) => {
  native.alsaTakeMessages();
  const e = t.throws(() => open({ pcm: 'no-such-pcm', stream: 'playback' }));
  t.regex(e!.message, /cannot open ALSA PCM 'no-such-pcm' for playback: .*no PCM or card of that name/);
  const m = native.alsaTakeMessages();
  t.true(m.messages.some((x) => x.includes('no-such-pcm')), JSON.stringify(m));
  t.throws(() => open({ pcm: 'null', stream: 'playback', channels: 0 }), { instanceOf: TypeError });
});

test('ALSA\'s messages are rate-limited: a burst is cut and the rest counted as suppressed', (t) => {
  native.alsaTakeMessages();
  for (let i = 0; i < 40; i++) t.throws(() => open({ pcm: `no-such-pcm-${i}`, stream: 'capture' }));
  const m = native.alsaTakeMessages();
  t.true(m.messages.length >= 1 && m.messages.length <= 10, `${m.messages.length} messages`);
  t.true(m.suppressed >= 30, `${m.suppressed} suppressed`);
});

test('INFERNO_NATIVE=0: ALSA is unavailable with one clear error', (t) => {
  const { result } = runNative<{ native: boolean; error: string }>(
    `let error = ''; try { native.alsaOpen({ pcm: 'null', stream: 'playback', rate: 48000, channels: 2, periodFrames: 240, bufferFrames: 960, ringFrames: 4800 }); } catch (e) { error = e.message; }
console.log(JSON.stringify({ native: native.native, error }));`,
    { env: { ...process.env, INFERNO_NATIVE: '0' } },
  );
  t.false(result.native);
  t.regex(result.error, /^ALSA is unavailable: it needs the native addon \(INFERNO_NATIVE=0\)$/);
  t.throws(() => createFallback('test').alsaOpen({ pcm: 'null', stream: 'playback', ...base }), { message: /ALSA is unavailable/ });
});

test('without libasound: loading fails once with a clear error, and every open repeats it', (t) => {
  const { result } = runNative<{ load: { ok: boolean; message?: string }; again: string }>(
    `import { createRequire } from 'node:module';
import { ADDON_PATH } from ${JSON.stringify(new URL('../dist/native/index.js', import.meta.url).pathname)};
const addon = createRequire(import.meta.url)(ADDON_PATH);
const load = addon.alsaLoad('libasound-not-installed.so.2');
let again = ''; try { native.alsaOpen({ pcm: 'null', stream: 'playback', rate: 48000, channels: 2, periodFrames: 240, bufferFrames: 960, ringFrames: 4800 }); } catch (e) { again = e.message; }
console.log(JSON.stringify({ load, again }));`,
  );
  t.false(result.load.ok);
  t.regex(result.load.message ?? '', /^ALSA is unavailable: libasound-not-installed\.so\.2 could not be loaded \(.*\); install libasound2$/);
  t.is(result.again, result.load.message ?? '');
});
