import test from 'ava';
import {
  MAX_EXACT_MEDIA_TIME,
  SUPPORTED_SAMPLE_RATES,
  bigIntFromSplit,
  checkSampleRate,
  mediaTimeFromBigInt,
  mediaTimeFromSplit,
  mediaTimeFromWire,
  nextAlignedTimestamp,
  nsFromSamples,
  samplesFromNs,
  samplesInDurationNs,
  splitFromBigInt,
  splitFromMediaTime,
  underlyingNsForOverlayNs,
  wireFromMediaTime,
} from '../dist/core/media-time.js';
import { ConfigError } from '../dist/core/errors.js';
import { Prng } from './support/ring-prng.js';

const TWO_32 = 4294967296;
// TAI seconds for early 2025 and a far-future bound inside the documented exact range.
const NOW_SEC = 1_740_000_000;
const FAR_SEC = 40_000_000_000;

test('split time to media time equals the 128-bit reference at every rate', (t) => {
  const r = new Prng(1);
  for (const rate of SUPPORTED_SAMPLE_RATES) {
    for (let i = 0; i < 2000; i++) {
      const sec = i % 2 ? r.int(0, FAR_SEC) : NOW_SEC + r.int(-100000, 100000);
      const nsec = i % 7 === 0 ? 1e9 - 1 : r.int(0, 1e9 - 1);
      const want = mediaTimeFromBigInt(bigIntFromSplit(sec, nsec), rate);
      t.is(mediaTimeFromSplit(sec, nsec, rate), want, `rate ${rate} ${sec}.${nsec}`);
    }
  }
});

test('samplesFromNs is exact floor for intervals up to 2^53 ns, negative included', (t) => {
  const r = new Prng(2);
  for (const rate of SUPPORTED_SAMPLE_RATES) {
    for (let i = 0; i < 2000; i++) {
      const ns = r.int(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      t.is(samplesFromNs(ns, rate), mediaTimeFromBigInt(BigInt(ns), rate), `${rate} ${ns}`);
    }
  }
});

test('media time -> first nanosecond -> media time round-trips, and one ns earlier is t-1', (t) => {
  const r = new Prng(3);
  const out = { sec: 0, nsec: 0 };
  for (const rate of SUPPORTED_SAMPLE_RATES) {
    for (let i = 0; i < 2000; i++) {
      const mt = r.int(0, NOW_SEC * rate * 2);
      const s = splitFromMediaTime(mt, rate, out);
      t.true(s.nsec >= 0 && s.nsec < 1e9);
      t.is(mediaTimeFromSplit(s.sec, s.nsec, rate), mt);
      const before = splitFromBigInt(bigIntFromSplit(s.sec, s.nsec) - 1n);
      t.is(mediaTimeFromSplit(before.sec, before.nsec, rate), mt - 1);
      const samples = i % 3 === 0 ? r.int(-1e12, 1e12) : r.int(-3e11, 3e11); // ns stays below 2^53
      const ns = nsFromSamples(samples, rate);
      if (Math.abs(ns) > Number.MAX_SAFE_INTEGER) continue; // outside the documented exact range
      t.is(samplesFromNs(ns, rate), samples);
      t.is(samplesFromNs(ns - 1, rate), samples - 1);
    }
  }
});

test('media time at 192 kHz today fits a JS number exactly; the documented limit is 2^53', (t) => {
  const mt = mediaTimeFromSplit(NOW_SEC, 999_999_999, 192000);
  t.true(mt > 3e14 && mt < 4e14);
  t.true(Number.isSafeInteger(mt));
  t.is(MAX_EXACT_MEDIA_TIME, 2 ** 53 - 1);
  // Seconds at which 192 kHz media time reaches the limit: past year 3000 of TAI.
  t.true(MAX_EXACT_MEDIA_TIME / 192000 > 32_503_680_000);
});

test('wire timestamp vector (PROTOCOL 12.5) and seconds wrap', (t) => {
  const w = { seconds: 0, subsamples: 0 };
  wireFromMediaTime(48000 * 1000 + 12345, 48000, w);
  t.deepEqual(w, { seconds: 1000, subsamples: 12345 });
  const wrapAt = 48000 * TWO_32;
  wireFromMediaTime(wrapAt + 5, 48000, w);
  t.deepEqual(w, { seconds: 0, subsamples: 5 });
  wireFromMediaTime(wrapAt - 1, 48000, w);
  t.deepEqual(w, { seconds: TWO_32 - 1, subsamples: 47999 });
});

test('wire timestamp reconstruction picks the candidate nearest now, across the 2^32 s wrap', (t) => {
  const r = new Prng(4);
  const w = { seconds: 0, subsamples: 0 };
  for (const rate of SUPPORTED_SAMPLE_RATES) {
    for (let i = 0; i < 3000; i++) {
      const wrap = rate * TWO_32 * r.int(1, 3);
      const mt = i % 2 ? wrap + r.int(-rate * 10, rate * 10) : r.int(rate, wrap * 2);
      // now within just under half a wrap period of the packet
      const now = mt + r.int(-(rate * 2 ** 31 - rate), rate * 2 ** 31 - rate);
      wireFromMediaTime(mt, rate, w);
      t.true(w.seconds >= 0 && w.seconds < TWO_32 && w.subsamples >= 0 && w.subsamples < rate);
      t.is(mediaTimeFromWire(w.seconds, w.subsamples, rate, now), mt, `rate ${rate} mt ${mt} now ${now}`);
    }
  }
});

test('transmit schedule: next fpp-aligned timestamp strictly after now', (t) => {
  const r = new Prng(5);
  for (let i = 0; i < 5000; i++) {
    const fpp = r.pick([1, 16, 32, 48, 64, 128, 256]);
    const now = i % 5 === 0 ? r.int(0, 1e6) * fpp : r.int(0, 4e14);
    const next = nextAlignedTimestamp(now, fpp);
    t.true(next > now && next - fpp <= now && next % fpp === 0, `now ${now} fpp ${fpp}`);
  }
});

test('0.5 ms early guard in samples matches PROTOCOL 6.3 (-24 at 48 kHz, -22 at 44.1 kHz)', (t) => {
  t.is(samplesInDurationNs(-500_000, 48000), -24);
  t.is(samplesInDurationNs(-500_000, 44100), -22);
  t.is(samplesInDurationNs(500_000, 44100), 22);
  t.is(samplesInDurationNs(10_000_000, 96000), 960);
});

test('sleep interval shrinks when the overlay runs fast and never undershoots', (t) => {
  t.is(underlyingNsForOverlayNs(1e9, 1e-6), 999_999_001);
  t.is(underlyingNsForOverlayNs(1e9, -1e-6), 1_000_001_001);
  t.is(underlyingNsForOverlayNs(1e6, 0), 1e6);
  const r = new Prng(6);
  for (let i = 0; i < 2000; i++) {
    const ns = r.int(0, 1e10);
    const f = (r.float() - 0.5) * 2e-4;
    const wait = underlyingNsForOverlayNs(ns, f);
    t.true(wait * (1 + f) >= ns - 1e-6 && (wait - 1) * (1 + f) < ns);
  }
});

test('sample rate validation', (t) => {
  t.is(checkSampleRate(96000), 96000);
  t.throws(() => checkSampleRate(32000), { instanceOf: ConfigError });
});
