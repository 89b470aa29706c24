// The end-to-end tests' capture checker on made-up captures: what counts as start-up silence, a
// dropout or a mismatch, and which dropouts the stall rule accepts.
import test from 'ava';
import { patternSample } from '../dist/core/pattern.js';
import { checkCapture, zerosBefore } from './support/capture-check.js';
import { lateKey, unexplained } from './support/tx-stalls.js';

const T0 = 1_000_000;
const TX_OF = [3, 7];

/** Interleaved capture of TX_OF's patterns, frame k at media time T0 + k, 24 bit. */
function capture(frames: number): Int32Array {
  const s = new Int32Array(frames * TX_OF.length);
  for (let k = 0; k < frames; k++) TX_OF.forEach((tx, c) => (s[k * TX_OF.length + c] = patternSample(tx, T0 + k, 24)));
  return s;
}
const put = (s: Int32Array, k: number, c: number, v: number) => (s[k * TX_OF.length + c] = v);

test('an exact capture: every sample checked, nothing wrong', (t) => {
  const c = checkCapture(capture(1000), TX_OF, { bits: 24, t0: T0 });
  t.is(c.frames, 1000);
  t.is(c.firstFull, 0);
  t.deepEqual(c.channels.map((r) => [r.first, r.checked, r.mismatches, r.zeros]), [[0, 1000, 0, 0], [0, 1000, 0, 0]]);
  t.is(c.checked, 2000);
});

test('silence before a channel\'s first frame is start-up, zeros after it are dropouts in runs', (t) => {
  const s = capture(1000);
  for (let k = 0; k < 100; k++) put(s, k, 1, 0);
  for (let k = 500; k < 532; k++) put(s, k, 0, 0);
  const c = checkCapture(s, TX_OF, { bits: 24, t0: T0 });
  t.is(c.firstFull, 100);
  t.deepEqual(c.channels.map((r) => r.first), [0, 100]);
  t.is(c.channels[1]!.startupZeros, 100);
  // Channel 1 counts from its own first frame, not from the first full one.
  t.is(c.channels[0]!.checked, 1000);
  t.is(c.channels[0]!.zeros, 32);
  t.deepEqual(c.channels[0]!.zeroRuns, [[T0 + 500, 32]]);
  t.is(c.dropouts, 32);
  t.is(c.mismatches, 0);
});

test('from: zeros before it are start-up, after it dropouts', (t) => {
  const s = capture(1000);
  for (let k = 10; k < 20; k++) put(s, k, 0, 0);
  const c = checkCapture(s, TX_OF, { bits: 24, t0: T0, from: T0 + 50 });
  t.is(c.channels[0]!.startupZeros, 10);
  t.is(c.channels[0]!.zeros, 0);
  t.is(c.channels[0]!.checked, 950);
});

test('a wrong sample is a mismatch anywhere, even before the channel starts, and is located', (t) => {
  const s = capture(1000);
  for (let k = 0; k < 100; k++) put(s, k, 0, 0);
  put(s, 10, 0, patternSample(3, T0 + 5, 24));
  put(s, 600, 1, patternSample(3, T0 + 600, 24));
  const c = checkCapture(s, TX_OF, { bits: 24, t0: T0, from: T0 + 200 });
  t.is(c.mismatches, 2);
  t.like(c.channels[0]!.firstBad, { frame: 10, rx: 1, offset: -5 });
  t.like(c.channels[1]!.firstBad, { frame: 600, rx: 2, channel: 3 });
  t.is(c.firstBad?.frame, 10);
});

test('the stall rule: a zero run is explained only by an overlapping window; counted zeros before `until`', (t) => {
  const runs: [number, number][] = [[100, 32], [1000, 64], [5000, 1]];
  t.deepEqual(unexplained(runs, [[90, 100]]), [[1000, 64], [5000, 1]]);
  t.deepEqual(unexplained(runs, [[1063, 2000], [0, 100]]), [[5000, 1]]);
  t.deepEqual(unexplained(runs, []), runs);
  t.is(zerosBefore(runs, 1032), 64);
  t.is(zerosBefore(runs, Infinity), 97);
  t.is(lateKey(40e6), 'late20ms');
  t.is(lateKey(20e6), 'late10ms');
  t.is(lateKey(10e6), 'late5ms');
  t.is(lateKey(2e6), 'late5ms');
});
