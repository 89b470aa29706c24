import test from 'ava';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import {
  CLOCK_TAI,
  ClockOverlayReader,
  ClockOverlayWriter,
  ClockState,
  createClockOverlayBuffer,
} from '../dist/core/clock-overlay.js';
import { bigIntFromSplit, mediaTimeFromBigInt, splitFromBigInt, SUPPORTED_SAMPLE_RATES } from '../dist/core/media-time.js';
import { Prng } from './support/ring-prng.js';
import { overlayFieldsFor } from './support/ring-overlay-writer.js';

// PROTOCOL 12.6 frame values.
const LAST_SYNC = 1_700_000_000_123_456_789n;
const SHIFT = -36_999_999_995n;
const FREQ = 1.5e-6;

/** Reference: u + shift + trunc((u − last_sync) × f) with the product taken in double, as specified. */
function refOverlay(u: bigint, lastSync: bigint, shift: bigint, f: number): bigint {
  return u + shift + BigInt(Math.trunc(Number(u - lastSync) * f));
}

function setup(rate = 48000, freq = FREQ, shift = SHIFT, lastSync = LAST_SYNC) {
  const buf = createClockOverlayBuffer();
  const writer = new ClockOverlayWriter(buf);
  writer.publish({ clockId: CLOCK_TAI, state: ClockState.Locked, sampleRate: rate as 48000, lastSync, shift, freqScale: freq });
  return { buf, writer, reader: new ClockOverlayReader(buf) };
}

test('reader without a published clock reports not ready and NaN media time', (t) => {
  const reader = new ClockOverlayReader(createClockOverlayBuffer());
  t.false(reader.ready());
  t.true(Number.isNaN(reader.mediaTime(1_700_000_000, 0)));
  t.throws(() => new ClockOverlayReader(new SharedArrayBuffer(80)), { instanceOf: RangeError });
});

test('overlay and media time equal the 64-bit reference (PROTOCOL 12.6 values, random readings)', (t) => {
  const r = new Prng(11);
  const out = { sec: 0, nsec: 0 };
  for (const rate of SUPPORTED_SAMPLE_RATES) {
    const { reader } = setup(rate);
    for (let i = 0; i < 1000; i++) {
      // readings from 10 s before to ~100 days after last_sync
      const u = LAST_SYNC + BigInt(r.int(-10e9, 8.64e15));
      const us = splitFromBigInt(u);
      const want = refOverlay(u, LAST_SYNC, SHIFT, FREQ);
      const got = reader.overlayNs(us.sec, us.nsec, out);
      t.is(bigIntFromSplit(got.sec, got.nsec), want);
      t.true(got.nsec >= 0 && got.nsec < 1e9);
      t.is(reader.mediaTime(us.sec, us.nsec), mediaTimeFromBigInt(want, rate));
    }
  }
});

test('overlay correction stays within 1 ns of the exact product for random shifts and scales', (t) => {
  const r = new Prng(12);
  const out = { sec: 0, nsec: 0 };
  for (let i = 0; i < 2000; i++) {
    const lastSync = BigInt(r.int(0, 2e18 / 1024)) * 1024n + BigInt(r.int(0, 1023));
    const shift = BigInt(r.int(-4e15, 4e15));
    const f = (r.float() - 0.5) * 2e-4;
    const { reader } = setup(48000, f, shift, lastSync);
    const u = lastSync + BigInt(r.int(0, 1e14));
    const us = splitFromBigInt(u);
    const got = reader.overlayNs(us.sec, us.nsec, out);
    // Exact real value of u + shift + d × f, scaled by 2^60 to compare in integers.
    const scale = 2n ** 60n;
    const fScaled = BigInt(Math.round(f * 2 ** 60));
    const exactScaled = (u + shift) * scale + (u - lastSync) * fScaled;
    const gotScaled = bigIntFromSplit(got.sec, got.nsec) * scale;
    const diff = gotScaled > exactScaled ? gotScaled - exactScaled : exactScaled - gotScaled;
    t.true(diff <= scale, `diff ${Number(diff) / 2 ** 60} ns`);
  }
});

test('sleeping until media time T: waking at the computed deadline is at or just past T', (t) => {
  const r = new Prng(13);
  for (const rate of SUPPORTED_SAMPLE_RATES) {
    const f = (r.float() - 0.5) * 2e-4;
    const { reader } = setup(rate, f);
    for (let i = 0; i < 500; i++) {
      const u = LAST_SYNC + BigInt(r.int(0, 1e13));
      const us = splitFromBigInt(u);
      const now = reader.mediaTime(us.sec, us.nsec);
      const target = now + r.int(1, rate);
      const wait = reader.underlyingNsUntil(target, us.sec, us.nsec);
      const at = (d: number) => {
        const s = splitFromBigInt(u + BigInt(d));
        return reader.mediaTime(s.sec, s.nsec);
      };
      t.true(at(wait) >= target, 'woke early');
      t.true(at(wait - 2) < target, 'woke late');
    }
  }
});

test('step generation counts steps only; leader id and state round-trip', (t) => {
  const { writer, reader } = setup();
  const base = { clockId: CLOCK_TAI, sampleRate: 48000 as const, lastSync: LAST_SYNC, shift: SHIFT, freqScale: 0 };
  t.is((reader.refresh(), reader.snapshot.stepGeneration), 0);
  const leader = Uint8Array.from([0x00, 0x1d, 0xc1, 0xff, 0xfe, 0x12, 0x34, 0x56]);
  writer.publish({ ...base, state: ClockState.Holdover, leaderId: leader }, true);
  writer.publish({ ...base, state: ClockState.Locked, leaderId: leader });
  reader.refresh();
  t.is(reader.snapshot.stepGeneration, 1);
  t.is(reader.snapshot.state, ClockState.Locked);
  t.is(reader.snapshot.updateCount, 3);
  t.deepEqual(reader.leaderId(), leader);
  // a second writer on the same buffer continues the generation rather than restarting it
  const again = new ClockOverlayWriter(writer.buffer);
  again.publish({ ...base, state: ClockState.Locked }, true);
  reader.refresh();
  t.is(reader.snapshot.stepGeneration, 2);
  t.is(reader.snapshot.updateCount, 4);
});

test('seqlock: a reader never sees a torn record while a worker publishes', async (t) => {
  const buf = createClockOverlayBuffer();
  const reader = new ClockOverlayReader(buf);
  const count = 200_000;
  const worker = new Worker(fileURLToPath(new URL('./support/ring-overlay-writer.js', import.meta.url)), {
    workerData: { role: 'overlay-writer', buffer: buf, count },
  });
  let done = false;
  const finished = new Promise<void>((resolve, reject) => {
    worker.once('message', () => {
      done = true;
      resolve();
    });
    worker.once('error', reject);
  });
  let reads = 0;
  let distinct = 0;
  let last = -1;
  let torn = 0;
  while (!done) {
    for (let i = 0; i < 5000; i++) {
      if (!reader.refresh()) continue;
      const s = reader.snapshot;
      reads++;
      const k = s.updateCount;
      if (k === 0) continue;
      const f = overlayFieldsFor(k);
      const ok =
        s.clockId === f.clockId &&
        s.state === f.state &&
        s.lastSyncSec === f.lastSync.sec &&
        s.lastSyncNsec === f.lastSync.nsec &&
        s.shiftSec === -k + Math.floor(f.shift.nsec / 1e9) &&
        s.shiftNsec === f.shift.nsec &&
        s.freqScale === f.freqScale &&
        s.leaderHi === k &&
        s.leaderLo === ~k >>> 0 &&
        s.stepGeneration === Math.floor(k / 5);
      if (!ok) torn++;
      if (k < last) torn++; // publications are observed in order
      if (k !== last) distinct++;
      last = k;
    }
    await new Promise((r) => setImmediate(r));
  }
  await finished;
  await worker.terminate();
  t.is(torn, 0);
  reader.refresh();
  t.is(reader.snapshot.updateCount, count);
  t.true(distinct > 1, `observed ${distinct} distinct publications in ${reads} reads`);
});
