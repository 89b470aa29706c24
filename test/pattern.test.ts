import test from 'ava';
import { patternSample, fillPattern, checkPattern, fmix32, sampleMask } from '../dist/core/pattern.js';

test('pattern is a pure function of channel, media time and depth', (t) => {
  t.is(patternSample(1, 48_000_000), patternSample(1, 48_000_000));
  t.not(patternSample(1, 48_000_000), patternSample(2, 48_000_000));
  t.not(patternSample(1, 48_000_000), patternSample(1, 48_000_001));
  // Depth masks the low bits only.
  const full = patternSample(3, 123456789, 32);
  t.is(patternSample(3, 123456789, 24), full & sampleMask(24));
  t.is(patternSample(3, 123456789, 16), full & sampleMask(16));
  t.is(patternSample(3, 123456789, 24) & 0xff, 0);
  // Reference values pin the definition (receivers in other languages can check against them).
  t.is(fmix32(0), 0);
  t.is(fmix32(1), 0x514e28b7);
  t.deepEqual([patternSample(1, 0), patternSample(2, 1), patternSample(1, 2 ** 32 + 5, 32), patternSample(64, 2 ** 52, 16)], [-1438754048, 1656779520, 816025587, 137691136]);
});

test('pattern differs across the 2^32 boundary and spreads over the full range', (t) => {
  t.not(patternSample(1, 5), patternSample(1, 2 ** 32 + 5));
  let neg = 0;
  let max = 0;
  for (let i = 0; i < 10000; i++) {
    const v = patternSample(1, i);
    if (v < 0) neg++;
    max = Math.max(max, Math.abs(v));
  }
  t.true(neg > 4500 && neg < 5500, `negatives ${neg}`);
  t.true(max > 2 ** 30);
});

test('fill and check agree, and check finds the first mismatch', (t) => {
  const buf = new Int32Array(256);
  fillPattern(buf, 5, 1_000_000, 24);
  t.is(checkPattern(buf, 5, 1_000_000, 24), -1);
  buf[100] ^= 0x100;
  t.is(checkPattern(buf, 5, 1_000_000, 24), 100);
  t.is(checkPattern(buf, 5, 1_000_001, 24), 0);
});

test('fillPattern equals patternSample sample by sample, also across a change of the high 32 bits', (t) => {
  for (const [start, bits] of [[2 ** 32 - 100, 24], [5 * 2 ** 32 - 7, 32], [2 ** 45 + 12345, 16], [0, 24]] as const) {
    const buf = new Int32Array(260);
    fillPattern(buf, 7, start, bits, 3, 256);
    t.is(buf[0], 0);
    for (let i = 0; i < 256; i++) t.is(buf[3 + i], patternSample(7, start + i, bits), `start ${start} i ${i}`);
  }
});
