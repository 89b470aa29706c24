// The transmit worker's self-diagnosis: thread CPU and run-queue wait from schedstat, garbage
// collections of its isolate, and the bench notes built from them.
import test from 'ava';
import { GcCounter, ThreadSchedSampler } from '../dist/workers/thread-stats.js';
import { transmitNotes } from '../dist/bench/e2e-run.js';

test('thread sampler: nothing on the first call, then a busy interval shows mostly CPU', (t) => {
  const s = new ThreadSchedSampler();
  t.is(s.sample(), undefined);
  const end = Date.now() + 200;
  let x = 0;
  while (Date.now() < end) x++;
  const f = s.sample();
  t.truthy(f, 'schedstat readable on Linux');
  t.true(x > 0);
  // Busy for 200 ms: on a CPU or waiting for one nearly all the time, whatever the load.
  t.true(f!.last.cpuPercent + f!.last.runqueueWaitPercent > 80, JSON.stringify(f));
  t.true(f!.last.cpuPercent > 5, JSON.stringify(f));
  t.deepEqual(Object.keys(f!.total).sort(), ['cpuPercent', 'runqueueWaitPercent', 'timeslicesPerS']);
});

test('GC counter sees minor collections of this isolate', async (t) => {
  const gc = new GcCounter();
  let keep: unknown[] = [];
  for (let i = 0; i < 200_000; i++) keep = [i, keep.length];
  await new Promise((r) => setTimeout(r, 50));
  const s = gc.summary();
  gc.stop();
  t.true(s.minor > 0, JSON.stringify(s));
  t.true(s.pauseMs > 0 && s.maxPauseMs <= s.pauseMs, JSON.stringify(s));
});

test('bench notes blame CPU contention only when the thread waited for a CPU', (t) => {
  const busy = transmitNotes({ transmitThread: { total: { cpuPercent: 20, runqueueWaitPercent: 55 } }, transmitGc: { minor: 3, major: 0, maxPauseMs: 1.5 } });
  t.regex(busy[0]!, /waited for a CPU 55 %.*contention/);
  t.regex(busy[1]!, /3 times \(minor\).*longest pause 1.5 ms/);
  const quiet = transmitNotes({ transmitThread: { total: { cpuPercent: 40, runqueueWaitPercent: 0.5 } } });
  t.is(quiet.length, 1);
  t.notRegex(quiet[0]!, /contention/);
  t.deepEqual(transmitNotes({}), []);
});
