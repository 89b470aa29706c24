// A take's timeline and files hold up: frames dropped on a full staging queue become silence of
// the same length; the current file is fdatasync'ed about once a second (on the io, never inside
// submit); a recorder started again on the same take (receive worker restart) continues in a new
// file and leaves the first intact; track names set during a take show from the next split file.
import test from 'ava';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { write } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder, threadIo } from '../dist/audio-io/recorder/index.js';
import type { RecorderIo, RecorderOptions } from '../dist/audio-io/recorder/index.js';
import { tracksFromChannels, trackInfo } from '../dist/audio-io/recorder/capture-options.js';
import { parseTake, samplesOf } from './support/rec-parse.js';
import { patternBlock } from './support/rec-tools.js';

const RATE = 48000;
const BLOCK = 480;
const tick = () => new Promise((r) => setTimeout(r, 5));

function tmp(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'reccont-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function options(path: string, io: RecorderIo, extra: Partial<RecorderOptions> = {}): RecorderOptions {
  return { path, format: 'wav', bits: 24, channels: 2, sampleRate: RATE, device: 'dev', tracks: [{ name: 'L' }, { name: 'R' }], blockSamples: 2 * BLOCK, io, chunkFrames: BLOCK, headerIntervalMs: 20, ...extra };
}

/** Block k: pattern frames at timeline k·BLOCK. */
function submitBlock(rec: Recorder, k: number): void {
  const b = rec.acquire()!;
  b.set(patternBlock(2, k * BLOCK, BLOCK));
  rec.submit(b, 2 * BLOCK);
}

/** Blocks [from, to), waiting whenever the staging queue is half full (a disk keeping up). */
async function feed(rec: Recorder, from: number, to: number): Promise<void> {
  for (let k = from; k < to; k++) {
    while ((rec.info().queuedChunks as number) > 15) await tick();
    submitBlock(rec, k);
  }
}

/** Every file of the take, back to back, as interleaved samples. */
function takeSamples(files: readonly string[]): Int32Array {
  const parts = files.map((f) => samplesOf(parseTake(f).data, 24));
  const out = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

for (const split of [undefined, { seconds: 0.03 }] as const) {
  test(`queue overflow${split ? ' across file splits' : ''}: dropped frames are written as silence of the same length, the timeline never shortens`, async (t) => {
    const dir = tmp(t);
    // Sample writes wait at a gate (a stalled disk); header writes (position 0) go through.
    let open = false;
    const waiting: (() => void)[] = [];
    const io = threadIo((fd, b, off, len, pos) => {
      const go = () => new Promise<number>((res, rej) => write(fd, b, off, len, pos, (e, n) => (e ? rej(e) : res(n))));
      if (pos === 0 || open) return go();
      return new Promise<void>((r) => waiting.push(r)).then(go);
    });
    const rec = new Recorder(options(join(dir, 'take.wav'), io, { queueChunks: 2, ...(split ? { split } : {}) }));
    for (let k = 0; k < 10; k++) submitBlock(rec, k);
    // Two chunks staged, eight blocks had no chunk.
    t.is(rec.counters.droppedFrames, 8 * BLOCK);
    open = true;
    for (const w of waiting.splice(0)) w();
    while (rec.info().queuedChunks !== 0) await tick();
    for (let k = 10; k < 20; k++) {
      submitBlock(rec, k);
      await tick();
    }
    await rec.close();
    t.is(rec.counters.silenceFrames, rec.counters.droppedFrames, 'silence for every dropped frame');
    t.is(rec.counters.framesRecorded, 12 * BLOCK);
    const s = takeSamples(rec.files);
    t.is(s.length / 2, 20 * BLOCK, `the file is as long as the timeline: ${rec.files.map((f) => `${f.slice(dir.length)} ${parseTake(f).data.length / 6}`).join(', ')}`);
    const want = patternBlock(2, 0, 20 * BLOCK);
    want.fill(0, 2 * 2 * BLOCK, 2 * 10 * BLOCK);
    const bad = want.findIndex((v, i) => (v & ~0xff) !== s[i]);
    t.is(bad, -1, `first difference at frame ${bad / 2}`);
    if (split) t.true(rec.files.length >= 6, rec.files.join(' '));
  });
}

test('fdatasync about once a second by default, after the header, from the timer and never inside submit', async (t) => {
  const dir = tmp(t);
  const base = threadIo();
  const ops: string[] = [];
  let inSubmit = false;
  let syncsInSubmit = 0;
  const io: RecorderIo = {
    ...base,
    writeBytes: (fd, b, pos) => (ops.push(pos === 0 ? 'header' : 'bytes'), base.writeBytes(fd, b, pos)),
    sync: (fd) => {
      ops.push('sync');
      if (inSubmit) syncsInSubmit++;
      return base.sync(fd);
    },
  };
  let now = 1_000_000;
  const rec = new Recorder(options(join(dir, 'take.wav'), io, { now: () => now }));
  // 2.5 s on the recorder's clock, in 100 ms steps with the header timer running in between.
  for (let k = 0; k < 25; k++) {
    inSubmit = true;
    for (let j = 0; j < 10; j++) submitBlock(rec, k * 10 + j);
    inSubmit = false;
    now += 100;
    await new Promise((r) => setTimeout(r, 30));
  }
  for (let i = 0; i < 500 && rec.counters.syncs < 2; i++) await tick();
  const periodic = rec.counters.syncs;
  const synced = rec.info().syncedBytes as number;
  await rec.close();
  t.is(syncsInSubmit, 0);
  t.is(periodic, 2, `syncs at 1 s and 2 s of 2.5 s: ${ops.join(' ')}`);
  t.true(synced > RATE * 6 * 0.9, `${synced} bytes durable after the second sync`);
  // Each sync follows a header write since the previous sync (the header describing what it makes durable).
  for (let i = ops.indexOf('sync'), prev = -1; i >= 0; prev = i, i = ops.indexOf('sync', i + 1)) t.true(ops.lastIndexOf('header', i) > prev, ops.join(' '));
  t.is(ops.filter((o) => o === 'sync').length, 3, 'and once more when the file is finished');
  t.is(ops.at(-1), 'sync');
});

test('a recorder started again on the same take continues in PATH-2 and never truncates the first file', async (t) => {
  const dir = tmp(t);
  const path = join(dir, 'take.wav');
  // `inferno capture` creates (truncates) the output once, before the first start.
  writeFileSync(path, '');
  const first = new Recorder(options(path, threadIo()));
  await feed(first, 0, 100);
  await first.close();
  t.deepEqual(first.files, [path], 'the prepared empty file is used');
  // The receive worker restarts: a new recorder, same configuration.
  const again = new Recorder(options(path, threadIo()));
  await feed(again, 100, 150);
  // Crashed (never closed) this time: the third one must not take its file either.
  await new Promise((r) => setTimeout(r, 60));
  const third = new Recorder(options(path, threadIo()));
  await feed(third, 150, 160);
  await third.close();
  await again.close();
  t.deepEqual(again.files, [join(dir, 'take-2.wav')]);
  t.deepEqual(third.files, [join(dir, 'take-3.wav')]);
  t.is(parseTake(path).data.length / 6, 100 * BLOCK, 'the first file keeps every frame');
  t.is(first.counters.droppedFrames + again.counters.droppedFrames + third.counters.droppedFrames, 0);
  const all = takeSamples([path, ...again.files, ...third.files]);
  const want = patternBlock(2, 0, 160 * BLOCK);
  t.is(want.findIndex((v, i) => (v & ~0xff) !== all[i]), -1, 'the files together hold the whole take in order');

  // With a split, a file name taken by an earlier run (same second) gets the next suffix.
  const start = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 500));
  const split = { seconds: 1 };
  const a = new Recorder(options(join(dir, 'show'), threadIo(), { split, now: () => start.getTime() }));
  submitBlock(a, 0);
  await a.close();
  const b = new Recorder(options(join(dir, 'show'), threadIo(), { split, now: () => start.getTime() }));
  submitBlock(b, 0);
  await b.close();
  t.deepEqual([a.files[0], b.files[0]], [join(dir, 'show-dev-20260102-030405.wav'), join(dir, 'show-dev-20260102-030405-2.wav')]);
  t.is(b.error, undefined);
  t.is(readdirSync(dir).filter((n) => n.startsWith('show-')).length, 2);
});

test('track names set during a take (rename, new route) show from the next file of a split; started files keep theirs', async (t) => {
  const dir = tmp(t);
  const rec = new Recorder(options(join(dir, 'show'), threadIo(), { split: { seconds: 0.1 }, tracks: trackInfo({ name: 'dev', rxChannels: 2, rxLatencyNs: 1e7, rxChannelNames: [{ id: 1, friendly: 'RX 1' }, { id: 2, friendly: 'RX 2' }], subscribe: ['1=Vox@stage'] }) }));
  for (let k = 0; k < 15; k++) submitBlock(rec, k); // 1.5 files
  rec.setTracks(tracksFromChannels([{ name: 'RX 1', subscription: { txChannelName: 'Vox', txDeviceName: 'stage' } }, { name: 'Guitar' }]));
  for (let k = 15; k < 25; k++) submitBlock(rec, k); // the rest of file 2
  rec.setTracks(tracksFromChannels([{ name: 'RX 1' }, { name: 'Guitar', subscription: { txChannelName: 'Keys', txDeviceName: 'stage' } }]));
  for (let k = 25; k < 35; k++) submitBlock(rec, k); // file 3 (and a new file 4 starts)
  await rec.close();
  t.is(rec.counters.trackChanges, 2);
  const names = rec.files.map((f) => parseTake(f).trackNames);
  t.deepEqual(names.slice(0, 4), [['Vox', 'RX 2'], ['Vox', 'RX 2'], ['Vox', 'Guitar'], ['RX 1', 'Keys']]);
});
