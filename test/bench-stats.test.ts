import test from 'ava';
import { countAbove, histogram, percentile, sorted, summarize } from '../dist/bench/stats.js';

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
