// The file/FIFO sink (`--rx-sink fifo:|file:`): while a write is in flight, small deliveries are
// appended to one buffer, so a reader that pauses for a while loses nothing and the stream stays
// in order (before, a pool of 16 buffers covered only 16 deliveries: about 30 ms).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSinkOutput } from '../dist/audio-io/sinks.js';
import { MAX_DELIVERY_FRAMES } from '../dist/audio-io/sinks-delivery.js';
import { interop } from './support/needs.js';

const CH = 2;
const DELIVERY = 96 * CH;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Submits `count` deliveries of consecutive integers; returns how many found no buffer. */
async function deliver(sink: FileSinkOutput, count: number): Promise<number> {
  let dropped = 0;
  let v = 0;
  for (let i = 0; i < count; i++) {
    const b = sink.acquire(DELIVERY);
    if (!b) {
      dropped++;
      v += DELIVERY;
    } else {
      for (let k = 0; k < DELIVERY; k++) b[k] = v++;
      sink.submit(b, DELIVERY);
    }
    if (i % 8 === 0) await new Promise((r) => setImmediate(r));
  }
  return dropped;
}

function consecutive(s: Int32Array): number {
  for (let i = 0; i < s.length; i++) if (s[i] !== i) return i;
  return -1;
}

interop({ commands: ['mkfifo'] })('a FIFO reader pausing 300 ms loses no delivery; the stream stays in order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sinkfifo-'));
  try {
    const path = join(dir, 'out.fifo');
    t.is(spawnSync('mkfifo', [path]).status, 0);
    // A reader that is there but does not read yet (the writer's open then succeeds).
    const rfd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const sink = new FileSinkOutput(path, MAX_DELIVERY_FRAMES * CH);
    while (sink.state !== 'open') await sleep(5);
    const count = 400; // 38 400 frames: several times the pipe buffer
    const dropped = await deliver(sink, count);
    await sleep(300);
    const want = count * DELIVERY * 4;
    const out = Buffer.alloc(want);
    let got = 0;
    const end = Date.now() + 20_000;
    while (got < want && Date.now() < end) {
      try {
        const n = readSync(rfd, out, got, want - got, null);
        got += n;
        if (n === 0) await sleep(5);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        await sleep(5);
      }
    }
    await sink.close();
    closeSync(rfd);
    t.is(dropped, 0, 'every delivery found room');
    t.is(got, want);
    t.is(consecutive(new Int32Array(out.buffer, out.byteOffset, got / 4)), -1, 'in order, nothing doubled');
    t.true(sink.counters.blocksWritten < count / 2, `${sink.counters.blocksWritten} writes for ${count} deliveries`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file gets every delivery in order, written eagerly while the disk keeps up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sinkfile-'));
  try {
    const path = join(dir, 'out.raw');
    const sink = new FileSinkOutput(path, MAX_DELIVERY_FRAMES * CH);
    while (sink.state !== 'open') await sleep(5);
    // A loaded machine can hold the write back: wait for room instead of counting the drop, so the
    // test checks order and completeness, not the disk's speed.
    let waits = 0;
    let v = 0;
    for (let i = 0; i < 1000; i++) {
      let b = sink.acquire(DELIVERY);
      while (!b) {
        waits++;
        await sleep(2);
        b = sink.acquire(DELIVERY);
      }
      for (let k = 0; k < DELIVERY; k++) b[k] = v++;
      sink.submit(b, DELIVERY);
      if (i % 8 === 0) await new Promise((r) => setImmediate(r));
    }
    await sink.close();
    t.log(`waited for room ${waits} times`);
    const b = readFileSync(path);
    t.is(b.length, 1000 * DELIVERY * 4);
    t.is(consecutive(new Int32Array(b.buffer, b.byteOffset, b.length / 4)), -1);
    t.is(sink.counters.bytesWritten, b.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
