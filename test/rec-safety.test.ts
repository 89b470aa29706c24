// A take survives: SIGKILL mid-take leaves a playable file missing at most one second; a write error
// (ENOSPC) closes the file with everything that reached the disk and is reported naming the file.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Recorder, threadIo } from '../dist/audio-io/recorder/index.js';
import { projectRoot } from './support/inferno-process.js';
import { interop } from './support/needs.js';
import { parseTake, samplesOf } from './support/rec-parse.js';
import { patternBlock, soxInfo, soxSamples } from './support/rec-tools.js';

const tools = interop({ commands: ['sox'] });
const asRoot = interop({ root: true, commands: ['sox', 'unshare', 'mount'] });
const child = resolve(projectRoot, 'dist-test', 'support', 'rec-child.js');
const RATE = 48000;

function isPattern(s: Int32Array, channels: number, bits: number): boolean {
  const want = patternBlock(channels, 0, s.length / channels);
  const mask = ~((1 << (32 - bits)) - 1);
  return want.every((v, i) => (v & mask) === s[i]);
}

for (const format of ['wav', 'w64', 'rf64'] as const) {
  tools(`${format}: SIGKILL mid-take leaves a file sox reads, missing at most one second`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'reckill-'));
    try {
      const path = join(dir, `take.${format === 'w64' ? 'w64' : 'wav'}`);
      const p = spawn(process.execPath, [child, path, format, '24'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let fed = 0;
      let err = '';
      p.stdout.setEncoding('utf8').on('data', (d: string) => {
        const m = /fed (\d+)\n$/.exec(d);
        if (m) fed = Number(m[1]);
      });
      p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      await new Promise((r) => setTimeout(r, 2700));
      const fedAtKill = fed;
      p.kill('SIGKILL');
      await exited;
      t.is(err, '');
      const frames = soxInfo(path).samples;
      t.log(`fed ${fedAtKill} frames, file holds ${frames}`);
      t.true(fedAtKill > RATE, "the take ran for over a second");
      t.true(frames >= fedAtKill - RATE, 'at most one second lost');
      t.true(frames <= fedAtKill + RATE / 10);
      t.true(isPattern(soxSamples(path), 2, 24), 'everything in the file is the audio fed, in order');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

tools('an injected ENOSPC closes the take with a valid header and reports the file once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recnospc-'));
  try {
    const path = join(dir, 'full.wav');
    const errors: Error[] = [];
    const room = 200_000;
    const { write } = await import('node:fs');
    const io = threadIo((fd, b, off, len, pos) => {
      // Header rewrites (position 0) fit; sample data beyond `room` bytes of file does not.
      if (pos > 0 && pos + len > room) return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
      return new Promise((res, rej) => write(fd, b, off, len, pos, (e, n) => (e ? rej(e) : res(n))));
    });
    const rec = new Recorder({ path, format: 'wav', bits: 24, channels: 2, sampleRate: RATE, device: 'd', tracks: [{ name: 'L' }, { name: 'R' }], blockSamples: 960, io, chunkFrames: 4800, onError: (e) => errors.push(e) });
    for (let f = 0; f < RATE * 2 && rec.state === 'open'; f += 480) {
      const b = rec.acquire()!;
      b.set(patternBlock(2, f, 480));
      rec.submit(b, 960);
      await new Promise((r) => setImmediate(r));
    }
    await rec.close();
    t.is(errors.length, 1);
    t.is(errors[0]!.message, `cannot write ${path}: ENOSPC: no space left on device, write`);
    t.is(rec.state, 'closed');
    t.truthy(rec.acquire() === undefined, 'no more blocks accepted');
    const p = parseTake(path);
    t.true(p.data.length > 0 && p.data.length <= room);
    t.is(p.data.length % 6, 0);
    t.true(isPattern(samplesOf(p.data, 24), 2, 24));
    t.is(soxInfo(path).samples, p.data.length / 6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

asRoot('a real full disk (tmpfs in a private mount namespace): exit 1, message names file and ENOSPC, file readable', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rectmpfs-'));
  try {
    const path = join(dir, 'take.wav');
    const script = `mount -t tmpfs -o size=256k tmpfs "$1" || exit 99
"$2" "$3" "$4" wav 24 10 >/dev/null; echo "exit=$?"
sox --i -s "$4"; sox "$4" -n stat 2>&1 | grep -c Length`;
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', dir, process.execPath, child, path], { encoding: 'utf8', timeout: 20_000 });
    t.log(r.stdout, r.stderr);
    t.regex(r.stdout, /exit=1\n/);
    t.true(r.stderr.includes(`cannot write ${path}: ENOSPC`), r.stderr);
    const lines = r.stdout.trim().split('\n');
    const samples = Number(lines[1]);
    t.true(samples > RATE / 4, 'what fit on the disk is in the file');
    t.is(lines[2], '1', 'sox decodes the file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
