import test from 'ava';
import { DriftController, Resampler } from '../dist/core/drift/index.js';
import { fitSine, measureThdn, resampledSine } from '../dist/bench/thdn.js';
import { Prng } from './support/ring-prng.js';

const FULL_SCALE = 2147483648;

test('THD+N of a 1 kHz sine at -1 dBFS through a +200 ppm correction is below -100 dB', (t) => {
  const up = measureThdn({ ratio: 1.0002, frequency: 1000, level: -1, channels: 2 });
  const down = measureThdn({ ratio: 0.9998, frequency: 1000, level: -1, channels: 2 });
  const medium = measureThdn({ ratio: 1.0002, frequency: 1000, level: -1, channels: 2, quality: 'medium' });
  t.log(`high: ${up.thdnDb.toFixed(1)} dB at +200 ppm, ${down.thdnDb.toFixed(1)} dB at -200 ppm; medium: ${medium.thdnDb.toFixed(1)} dB at +200 ppm`);
  t.true(up.thdnDb < -100, `${up.thdnDb} dB`);
  t.true(down.thdnDb < -100, `${down.thdnDb} dB`);
  t.true(Math.abs(up.levelDb + 1) < 0.01, `level ${up.levelDb} dBFS`);
  t.true(medium.thdnDb < -90, `${medium.thdnDb} dB`);
});

test('the THD+N measurement sees a single wrong sample and a wrong ratio', (t) => {
  const ratio = 1.0002;
  const omega = (2 * Math.PI * 1000) / (48000 * ratio);
  const y = resampledSine({ ratio, channels: 1 });
  const clean = fitSine(y, 1, 0, 4800, 48000, omega);
  const bad = Int32Array.from(y);
  bad[20000] += 2 ** 23; // one sample off by 2^-8 of full scale
  const spoiled = fitSine(bad, 1, 0, 4800, 48000, omega);
  const misfit = fitSine(y, 1, 0, 4800, 48000, (2 * Math.PI * 1000) / (48000 * 1.0001));
  const db = (f: { a: number; b: number; residualRms: number }) => 20 * Math.log10(f.residualRms / (Math.hypot(f.a, f.b) / Math.SQRT2));
  t.log(`clean ${db(clean).toFixed(1)} dB, one bad sample ${db(spoiled).toFixed(1)} dB, fit 100 ppm off ${db(misfit).toFixed(1)} dB`);
  t.true(db(spoiled) > -100);
  t.true(db(misfit) > -100);
});

test('splitting input and output into arbitrary blocks gives bit-identical output', (t) => {
  const ch = 3;
  const frames = 20000;
  const prng = new Prng(7);
  const input = new Int32Array(frames * ch);
  for (let i = 0; i < input.length; i++) input[i] = (prng.u32() | 0) >> 2;
  const whole = new Resampler(ch);
  const ref = new Int32Array((frames + 100) * ch);
  const r = whole.process(input, frames, ref, frames + 100, 1.0007);
  t.is(r.consumed, frames);
  const pieces = new Resampler(ch);
  const out = new Int32Array(ref.length);
  let consumed = 0;
  let produced = 0;
  while (consumed < frames) {
    const n = Math.min(frames - consumed, prng.int(0, 300));
    const cap = prng.int(0, 300);
    const res = pieces.process(input.subarray(consumed * ch), n, out.subarray(produced * ch), cap, 1.0007);
    t.true(res.consumed <= n && res.produced <= cap);
    consumed += res.consumed;
    produced += res.produced;
  }
  // What the history still holds comes out with no further input.
  for (let more = 1; more > 0; ) {
    more = pieces.process(input, 0, out.subarray(produced * ch), prng.int(1, 50), 1.0007).produced;
    produced += more;
  }
  t.is(produced, r.produced);
  t.deepEqual(out.subarray(0, produced * ch), ref.subarray(0, r.produced * ch));
});

test('frame accounting: output = (input - delay) × ratio, within a frame; the result object is reused', (t) => {
  for (const ratio of [0.999, 1, 1.0002, 1.001]) {
    const rs = new Resampler(2, { quality: 'medium' });
    const input = new Int32Array(512 * 2);
    const output = new Int32Array(1024 * 2);
    let consumed = 0;
    let produced = 0;
    let last;
    for (let i = 0; i < 500; i++) {
      const r = rs.process(input, 512, output, 1024, ratio);
      if (last) t.is(r, last);
      last = r;
      t.is(r.consumed, 512);
      consumed += r.consumed;
      produced += r.produced;
    }
    const expected = (consumed - rs.delayFrames) * ratio;
    t.true(Math.abs(produced - expected) <= 1, `ratio ${ratio}: ${produced} vs ${expected}`);
  }
});

test('full-scale input clips instead of wrapping', (t) => {
  const rs = new Resampler(1);
  const input = new Int32Array(4000);
  // Alternating full-scale square: band-limiting overshoots (Gibbs), which must clip.
  for (let i = 0; i < input.length; i++) input[i] = i % 64 < 32 ? 2147483647 : -2147483648;
  const out = new Int32Array(4000);
  const r = rs.process(input, input.length, out, out.length, 1.0005);
  let sawMax = false;
  for (let i = 100; i < r.produced; i++) {
    // A wrapped sample would flip sign right next to a full-scale neighbour.
    if (out[i] === 2147483647) sawMax = true;
    t.false(out[i - 1] > 2e9 && out[i] < -2e9 && out[i + 1] > 2e9, `wrap at ${i}`);
  }
  t.true(sawMax);
});

test('bad arguments are refused with a clear error', (t) => {
  t.throws(() => new Resampler(0), { instanceOf: RangeError, message: /channels/ });
  t.throws(() => new Resampler(2, { quality: 'low' as 'high' }), { instanceOf: RangeError, message: /quality/ });
  const rs = new Resampler(2);
  const buf = new Int32Array(64);
  t.throws(() => rs.process(buf, 8, buf, 8, Number.NaN), { instanceOf: RangeError, message: /ratio/ });
  t.throws(() => rs.process(buf, 8, buf, 8, 3), { instanceOf: RangeError, message: /ratio/ });
  t.throws(() => rs.process(buf, 33, new Int32Array(64), 8, 1), { instanceOf: RangeError, message: /input/ });
  t.throws(() => rs.process(buf, 8, new Int32Array(64), 33, 1), { instanceOf: RangeError, message: /output/ });
  t.throws(() => rs.process(buf, 1.5, new Int32Array(64), 8, 1), { instanceOf: RangeError, message: /input/ });
});

test('reset returns to silence and the same output for the same input', (t) => {
  const rs = new Resampler(1);
  const input = new Int32Array(1000).map((_, i) => Math.round(1e9 * Math.sin(i / 10)));
  const a = new Int32Array(1100);
  const ra = rs.process(input, 1000, a, 1100, 1.0003).produced;
  rs.reset();
  const b = new Int32Array(1100);
  const rb = rs.process(input, 1000, b, 1100, 1.0003).produced;
  t.is(ra, rb);
  t.deepEqual(a, b);
  t.is(rs.delayFrames, 32);
});

// Real audio through the steered loop for a short span: the card's stream stays a clean sine while
// the controller moves the ratio, and the buffer never runs dry or over.
for (const ppm of [-500, 500]) {
  test(`steered playback to a card at ${ppm} ppm: 40 s of a 1 kHz sine stays clean (THD+N < -100 dB) with no xrun`, (t) => {
    const rate = 48000;
    const block = 48;
    const period = 256;
    const capacity = 2048;
    const target = 768;
    const omega = (2 * Math.PI * 1000) / rate; // per input frame
    const amp = FULL_SCALE * 10 ** (-1 / 20);
    const rs = new Resampler(1);
    const ctl = new DriftController({ rate, targetFillFrames: target });
    // The buffer between resampler and card: output samples with the input time each one stands for.
    const seconds = 40;
    const buf = new Int32Array(capacity + 2 * block);
    const bufPos = new Float64Array(capacity + 2 * block);
    let fill = target; // starts with silence the card plays first
    let silenceLeft = target;
    let tau = 0; // input-frame position of the next resampler output (first output = input frame 0)
    const inBlock = new Int32Array(block);
    const outBlock = new Int32Array(block * 2);
    const card: number[] = [];
    const cardPos: number[] = [];
    let n = 0;
    let xruns = 0;
    const cardPeriodS = period / (rate * (1 + ppm * 1e-6));
    let cardNext = cardPeriodS / 2;
    let blockIndex = 1;
    const prng = new Prng(3);
    let blockNext = block / rate + prng.float() * 0.0008;
    let read = 0; // ring read index
    let write = target % buf.length;
    for (;;) {
      const now = Math.min(cardNext, blockNext);
      if (now > seconds) break;
      if (cardNext <= blockNext) {
        if (fill < period) xruns++;
        const take = Math.min(period, fill);
        for (let i = 0; i < take; i++) {
          if (silenceLeft > 0) silenceLeft--;
          else {
            card.push(buf[read]);
            cardPos.push(bufPos[read]);
          }
          read = (read + 1) % buf.length;
        }
        fill -= take;
        cardNext += cardPeriodS;
      } else {
        for (let i = 0; i < block; i++, n++) inBlock[i] = Math.round(amp * Math.sin(omega * n));
        const ratio = ctl.ratio;
        const r = rs.process(inBlock, block, outBlock, outBlock.length, ratio);
        t.is(r.consumed, block);
        for (let i = 0; i < r.produced; i++) {
          buf[write] = outBlock[i];
          bufPos[write] = tau;
          tau += 1 / ratio;
          write = (write + 1) % buf.length;
        }
        fill += r.produced;
        if (fill > capacity) xruns++;
        ctl.update(fill, Math.round(now * 1e9));
        blockIndex++;
        blockNext = (blockIndex * block) / rate + prng.float() * 0.0008;
      }
    }
    t.is(xruns, 0);
    // Fit a·sin(ωτ) + b·cos(ωτ) + c over the last 30 s of what the card played, τ being the input
    // time each played sample stands for.
    const start = card.length - 30 * rate;
    let ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
    for (let m = start; m < card.length; m++) {
      const s = Math.sin(omega * cardPos[m]);
      const c = Math.cos(omega * cardPos[m]);
      ss += s * s; sc += s * c; cc += c * c; ys += card[m] * s; yc += card[m] * c;
    }
    const det = ss * cc - sc * sc;
    const a = (ys * cc - yc * sc) / det;
    const b = (yc * ss - ys * sc) / det;
    let r2 = 0;
    for (let m = start; m < card.length; m++) {
      const e = card[m] - (a * Math.sin(omega * cardPos[m]) + b * Math.cos(omega * cardPos[m]));
      r2 += e * e;
    }
    const thdn = 20 * Math.log10(Math.sqrt(r2 / (card.length - start)) / (Math.hypot(a, b) / Math.SQRT2));
    t.log(`THD+N ${thdn.toFixed(1)} dB over 30 s while steering; correction ${ctl.ppm.toFixed(1)} ppm at the end`);
    t.true(thdn < -100, `${thdn} dB`);
    t.true(Math.abs(Math.hypot(a, b) / amp - 1) < 1e-4);
  });
}
