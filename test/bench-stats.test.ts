import test from 'ava';
import { countAbove, histogram, percentile, sorted, summarize } from '../dist/bench/stats.js';
import { threadFigures } from '../dist/bench/proc.js';

test('nearest-rank percentiles return measured values', (t) => {
  const s = sorted(Array.from({ length: 1000 }, (_, i) => 1000 - i)); // 1..1000, given reversed
  t.is(percentile(s, 50), 500);
  t.is(percentile(s, 99), 990);
  t.is(percentile(s, 99.9), 999);
  t.is(percentile(s, 100), 1000);
  t.is(percentile([7], 99.9), 7);
  t.true(Number.isNaN(percentile([], 50)));
  t.throws(() => percentile(s, 0), { instanceOf: RangeError });
  t.throws(() => percentile(s, 101), { instanceOf: RangeError });
});

test('summary of a small sample', (t) => {
  const s = summarize(Int32Array.from([5, 1, 3, 2, 4]));
  t.deepEqual(s, { count: 5, min: 1, mean: 3, p50: 3, p99: 5, p999: 5, max: 5 });
  t.is(summarize([]).count, 0);
  t.is(countAbove([1, 2, 3, 4], 2), 2);
});

test('histogram with an explicit range counts outliers instead of dropping them', (t) => {
  const h = histogram([-1, 0, 0.5, 1, 9.99, 10, 50], 10, { lo: 0, hi: 10 });
  t.is(h.width, 1);
  t.deepEqual(h.counts, [2, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  t.is(h.under, 1);
  t.is(h.over, 2);
  t.is(h.counts.reduce((a, b) => a + b, 0) + h.under + h.over, 7);
});

test('histogram without a range spans min..p99.9', (t) => {
  const values = Array.from({ length: 10000 }, (_, i) => i);
  values.push(1e9);
  const h = histogram(values, 10);
  t.is(h.lo, 0);
  t.true(h.lo + h.width * 10 < 1e9);
  t.is(h.under, 0);
  t.true(h.over >= 1);
  t.is(h.counts.reduce((a, b) => a + b, 0) + h.over, values.length);
  t.throws(() => histogram(values, 0), { instanceOf: RangeError });
});

test('threadFigures: CPU per thread over a window, grouped by name (main, inf-*, other); a thread born inside counts from zero', (t) => {
  const before = [
    { tid: 10, name: 'main', cpuNs: 5e9, slices: 1000 },
    { tid: 11, name: 'node', cpuNs: 1e9, slices: 50 },
    { tid: 12, name: 'node', cpuNs: 2e9, slices: 60 },
    { tid: 20, name: 'inf-clock', cpuNs: 3e9, slices: 500 },
    { tid: 30, name: 'inf-gone', cpuNs: 9e9, slices: 9 },
  ];
  const after = [
    { tid: 10, name: 'main', cpuNs: 5e9 + 10e6, slices: 1010 },
    { tid: 11, name: 'node', cpuNs: 1e9 + 1e6, slices: 52 },
    { tid: 12, name: 'node', cpuNs: 2e9 + 3e6, slices: 61 },
    { tid: 20, name: 'inf-clock', cpuNs: 3e9 + 20e6, slices: 540 },
    { tid: 40, name: 'inf-new', cpuNs: 6e6, slices: 4 },
  ];
  const f = threadFigures(before, after, 10e9);
  t.deepEqual(f.threads, [
    { thread: 'inf-clock', threads: 1, cpuPercent: 0.2, timeslicesPerS: 4 },
    { thread: 'main', threads: 1, cpuPercent: 0.1, timeslicesPerS: 1 },
    { thread: 'inf-new', threads: 1, cpuPercent: 0.06, timeslicesPerS: 0.4 },
    { thread: 'other', threads: 2, cpuPercent: 0.04, timeslicesPerS: 0.3 },
  ]);
  t.is(f.totalCpuPercent, 0.4);
});
