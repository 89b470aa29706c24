import test from 'ava';
import {
  DEFAULT_HOLE_FIX_WAIT,
  DEFAULT_RING_CAPACITY,
  MediaRingReader,
  MediaRingWriter,
  createMediaRing,
} from '../dist/core/media-ring.js';
import { mediaTimeFromWire, wireFromMediaTime } from '../dist/core/media-time.js';
import { RingModel, packet, sampleValue } from './support/ring-model.js';
import { Prng, seeds } from './support/ring-prng.js';

const TWO_32 = 4294967296;

function makeRing(channels: number, capacity: number, holeFixWait: number) {
  const buf = createMediaRing({ channels, capacity, holeFixWait });
  return { writer: new MediaRingWriter(buf), reader: new MediaRingReader(buf) };
}

function identity(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function outputs(channels: number, frames: number): Int32Array[] {
  return Array.from({ length: channels }, () => new Int32Array(frames).fill(0x7eadbeef));
}

test('geometry is validated', (t) => {
  t.throws(() => createMediaRing({ channels: 2, capacity: 1000 }), { instanceOf: RangeError });
  t.throws(() => createMediaRing({ channels: 0 }), { instanceOf: RangeError });
  t.throws(() => createMediaRing({ channels: 2, capacity: 1024, holeFixWait: 1024 }), { instanceOf: RangeError });
  t.throws(() => new MediaRingReader(new SharedArrayBuffer(1024)), { instanceOf: RangeError });
  const { writer } = makeRing(2, 64, 8);
  t.throws(() => writer.claim(0, 65), { instanceOf: RangeError });
  t.throws(() => writer.writeFrames(0, 1, [0, 2], new Int32Array(2)), { instanceOf: RangeError });
  t.throws(() => writer.writeChannel(2, new Int32Array(2)), { instanceOf: RangeError });
  const defaults = new MediaRingWriter(createMediaRing({ channels: 1 }));
  t.is(defaults.holeFixWait, DEFAULT_HOLE_FIX_WAIT);
  t.is(defaults.capacity, DEFAULT_RING_CAPACITY);
});

test('readableEnd is -Infinity until the writer acknowledges the reader, then tracks readable', (t) => {
  const { writer, reader } = makeRing(1, 64, 8);
  writer.writeFrames(0, 8, [0], packet(0, 8, [0]));
  t.is(reader.readableEnd(), -Infinity, 'not attached yet');
  reader.read(0, 0, []);
  t.is(reader.readableEnd(), -Infinity, 'writer has not seen the reader yet');
  writer.writeFrames(8, 8, [0], packet(8, 8, [0]));
  t.is(reader.readableEnd(), 16);
  t.is(reader.consumedTo, 0);
  t.is(writer.writableEnd(), 64);
  reader.read(0, 16, [new Int32Array(16)]);
  t.is(writer.writableEnd(), 80);
  t.is(new MediaRingWriter(createMediaRing({ channels: 1 })).writableEnd(), Infinity);
});

test('in-order stream: reader gets exact data; first read only attaches', (t) => {
  const { writer, reader } = makeRing(3, 1024, 96);
  const map = identity(3);
  const start = 1_000_000;
  const out = outputs(3, 48);
  let r = reader.read(start - 48, 48, out);
  t.deepEqual({ ...r }, { staleFrames: 0, validFrames: 0, pendingFrames: 48 });
  t.is(out[0]![0], 0);
  for (let p = 0; p < 10; p++) writer.writeFrames(start + p * 48, 48, map, packet(start + p * 48, 48, map));
  for (let p = 0; p < 10; p++) {
    r = reader.read(start + p * 48, 48, out);
    t.deepEqual({ ...r }, { staleFrames: 0, validFrames: 48, pendingFrames: 0 });
    for (let ch = 0; ch < 3; ch++) t.is(out[ch]![47], sampleValue(start + p * 48 + 47, ch));
  }
  t.like(writer.state, { zeroFilled: 0, late: 0, overrun: 0, skipped: 0, readable: start + 480 });
  // Consumed frames are not served twice.
  r = reader.read(start, 48, out);
  t.deepEqual({ ...r }, { staleFrames: 48, validFrames: 0, pendingFrames: 0 });
});

test('reordered packets fill holes; a lost packet is zero-filled after hole_fix_wait, counted exactly', (t) => {
  const { writer, reader } = makeRing(2, 1024, 100);
  const map = [1, 0]; // wire slot 0 carries ring channel 1
  reader.read(0, 0, []); // attach
  const w = (p: number) => writer.writeFrames(p * 10, 10, map, packet(p * 10, 10, map));
  w(0);
  w(2);
  w(1); // late fill: readable jumps over 1 and 2
  t.is(writer.state.readable, 30);
  w(4); // packet 3 lost
  for (let p = 5; p <= 12; p++) w(p);
  t.is(writer.state.readable, 30, 'hole still within the wait');
  w(13); // writePos 140: holes older than 140 - 100 = 40 are fixed, readable jumps to the end
  t.like(writer.state, { readable: 140, zeroFilled: 10, holes: 1 });
  const out = outputs(2, 60);
  const r = reader.read(0, 60, out);
  t.is(r.validFrames, 60);
  t.is(out[0]![35], 0);
  t.is(out[1]![35], 0);
  t.is(out[1]![45], sampleValue(45, 1));
  w(3); // far too late now
  t.is(writer.state.late, 10);
});

test('partial channel map zeroes the other channels of a fresh frame', (t) => {
  const { writer, reader } = makeRing(4, 256, 32);
  reader.read(0, 0, []);
  writer.writeFrames(0, 8, [2, -1], packet(0, 8, [2, -1]));
  const out = outputs(4, 8);
  t.is(reader.read(0, 8, out).validFrames, 8);
  t.deepEqual([out[0]![3], out[1]![3], out[2]![3], out[3]![3]], [0, 0, sampleValue(3, 2), 0]);
});

test('per-channel claim/writeChannel/commit publishes a packet only when complete', (t) => {
  const { writer, reader } = makeRing(2, 256, 32);
  reader.read(100, 0, []);
  const src = packet(100, 16, [0, 1]);
  t.is(writer.claim(96, 20), 16, 'frames before consumed are late');
  t.is(writer.claimedStart, 100);
  writer.writeChannel(0, src, 0 - 4 * 2, 2); // source indexed from t = 96
  t.is(writer.state.readable, 100, 'nothing readable before commit');
  writer.writeChannel(1, src, 1 - 4 * 2, 2);
  writer.commit();
  const out = outputs(2, 16);
  t.is(reader.read(100, 16, out).validFrames, 16);
  t.is(out[1]![15], sampleValue(115, 1));
  t.is(writer.state.late, 4);
});

test('a reader lagging by more than the buffer: writer drops and counts, reader never sees garbage', (t) => {
  const cap = 256;
  const { writer, reader } = makeRing(1, cap, 64);
  const out = outputs(1, 32);
  reader.read(0, 32, out); // consumed = 32
  for (let p = 0; p < 20; p++) writer.writeFrames(p * 32, 32, [0], packet(p * 32, 32, [0]));
  // Frames 0..31 late (consumed); stored up to consumed + cap = 288; the rest overran.
  t.like(writer.state, { late: 32, overrun: 640 - 288, readable: 288 });
  for (let p = 1; p < 9; p++) {
    const r = reader.read(p * 32, 32, out);
    t.is(r.validFrames, 32);
    for (let i = 0; i < 32; i++) t.is(out[0]![i], sampleValue(p * 32 + i, 0));
  }
  const r = reader.read(9 * 32, 32, out);
  t.deepEqual({ ...r }, { staleFrames: 0, validFrames: 0, pendingFrames: 32 });
  t.is(reader.refresh().overrun, 352);
});

test('the reader skipping ahead moves the writer on; pending frames it passed are counted skipped', (t) => {
  const { writer, reader } = makeRing(1, 1024, 200);
  reader.read(0, 0, []);
  writer.writeFrames(0, 10, [0], packet(0, 10, [0]));
  writer.writeFrames(20, 10, [0], packet(20, 10, [0])); // 10..19 missing, within the wait
  const out = outputs(1, 10);
  t.is(reader.read(500, 10, out).pendingFrames, 10);
  writer.writeFrames(510, 10, [0], packet(510, 10, [0]));
  t.like(writer.state, { readable: 520, skipped: 500, zeroFilled: 0 });
  t.is(reader.read(510, 10, out).validFrames, 10);
});

test('a write far ahead of everything pending restarts the stream instead of filling a buffer of zeros', (t) => {
  const { writer, reader } = makeRing(1, 1024, 200);
  writer.writeFrames(0, 10, [0], packet(0, 10, [0]));
  writer.writeFrames(5000, 10, [0], packet(5000, 10, [0]));
  t.like(writer.state, { readable: 5010, validFrom: 5000, skipped: 4990, zeroFilled: 0 });
  const out = outputs(1, 20);
  reader.read(4990, 0, out); // attach
  writer.writeFrames(5010, 10, [0], packet(5010, 10, [0]));
  const r = reader.read(4990, 20, out);
  t.deepEqual({ ...r }, { staleFrames: 10, validFrames: 10, pendingFrames: 0 });
  t.is(out[0]![10], sampleValue(5000, 0));
});

test('writes across the 32-bit seconds wrap of wire timestamps land contiguously', (t) => {
  const rate = 48000;
  const { writer, reader } = makeRing(2, 4096, 480);
  const map = [0, 1];
  const wrap = rate * TWO_32; // media time at which wire seconds return to 0
  const w = { seconds: 0, subsamples: 0 };
  const start = wrap - 48 * 20;
  reader.read(start, 0, []);
  for (let p = 0; p < 40; p++) {
    const mt = start + p * 48;
    wireFromMediaTime(mt, rate, w);
    const back = mediaTimeFromWire(w.seconds, w.subsamples, rate, start + 1000);
    writer.writeFrames(back, 48, map, packet(mt, 48, map));
  }
  const out = outputs(2, 48 * 40);
  const r = reader.read(start, 48 * 40, out);
  t.is(r.validFrames, 48 * 40);
  for (let i = 0; i < 48 * 40; i++) if (out[1]![i] !== sampleValue(start + i, 1)) return t.fail(`frame ${i}`);
  t.is(writer.state.zeroFilled, 0);
});

// ---- property tests against the reference model ----

interface Scenario {
  channels: number;
  capacity: number;
  wait: number;
  fpp: number;
  packets: number;
  start: number;
}

function runScenario(t: import('ava').ExecutionContext, seed: number, sc: Scenario): void {
  const r = new Prng(seed);
  const { writer, reader } = makeRing(sc.channels, sc.capacity, sc.wait);
  const model = new RingModel(sc.channels, sc.capacity, sc.wait);
  const full = identity(sc.channels);
  // Packets in time order, then locally shuffled, some lost, some duplicated, a few wild.
  const times: number[] = [];
  for (let p = 0; p < sc.packets; p++) {
    if (r.chance(0.05)) continue; // loss
    times.push(sc.start + p * sc.fpp);
    if (r.chance(0.03)) times.push(sc.start + p * sc.fpp); // duplicate
  }
  for (let i = 0; i < times.length; i++) {
    const j = Math.min(times.length - 1, i + r.int(0, 6));
    [times[i], times[j]] = [times[j]!, times[i]!];
  }
  let readAt = sc.start - r.int(0, sc.fpp * 4);
  let attached = false;
  for (let i = 0; i < times.length; i++) {
    let mt = times[i]!;
    if (r.chance(0.01)) mt += r.int(-sc.capacity * 3, sc.capacity * 3); // wild timestamp
    const frames = r.chance(0.1) ? r.int(1, sc.fpp) : sc.fpp;
    const map = r.chance(0.2) ? [r.int(-1, sc.channels - 1), r.int(0, sc.channels - 1)] : full;
    const src = packet(mt, frames, map);
    t.is(writer.writeFrames(mt, frames, map, src), model.write(mt, frames, map, src), `seed ${seed} write ${i} at ${mt}`);
    // The reader runs behind, sometimes stalls (lags past the buffer), sometimes skips ahead.
    if (!attached || r.chance(0.7)) {
      attached = true;
      const n = r.int(0, sc.fpp * 3);
      if (r.chance(0.02)) readAt += r.int(sc.capacity, sc.capacity * 2); // skip ahead
      if (r.chance(0.05)) readAt -= r.int(0, sc.fpp * 2); // re-read behind (stale)
      const out = outputs(sc.channels, n);
      const got = reader.read(readAt, n, out);
      const want = model.read(readAt, n);
      t.deepEqual({ ...got }, { staleFrames: want.stale, validFrames: want.valid, pendingFrames: want.pending }, `seed ${seed} read ${i} at ${readAt}`);
      for (let ch = 0; ch < sc.channels; ch++) {
        for (let k = 0; k < n; k++) {
          if (out[ch]![k] !== want.out[ch]![k]) return void t.fail(`seed ${seed} read at ${readAt} ch ${ch} frame ${k}`);
        }
      }
      readAt += n;
    }
  }
  const st = writer.state;
  t.deepEqual(
    { zeroFilled: st.zeroFilled, holes: st.holes, late: st.late, overrun: st.overrun, skipped: st.skipped, readable: st.readable, writePos: st.writePos },
    { ...model.counts, readable: model.readable, writePos: model.writePos },
    `seed ${seed} final counters`,
  );
  t.deepEqual({ ...reader.refresh() }, { ...st, ack: 1 });
}

test('property: random reorder, loss, duplicates, stalls and skips match the reference model', (t) => {
  for (const seed of seeds(12)) {
    const r = new Prng(seed ^ 0x5bd1e995);
    runScenario(t, seed, {
      channels: r.int(1, 5),
      capacity: r.pick([64, 256, 1024]),
      wait: r.int(0, 48),
      fpp: r.pick([4, 16, 32]),
      packets: 600,
      start: r.chance(0.5) ? r.int(0, 1e6) : 192000 * TWO_32 - r.int(0, 20000), // across the seconds wrap
    });
  }
});

test('property: with bounded reorder and a reader behind the hole wait, zero-filled frames equal lost frames', (t) => {
  for (const seed of seeds(8)) {
    const r = new Prng(seed);
    const fpp = 16;
    const wait = 160;
    const { writer, reader } = makeRing(2, 2048, wait);
    const start = 44100 * TWO_32 - 4000;
    const packets = 400;
    const lost = new Set<number>();
    for (let p = 1; p < packets - 20; p++) if (r.chance(0.08)) lost.add(p);
    let lostRuns = 0;
    for (const p of lost) if (!lost.has(p - 1)) lostRuns++;
    // Each packet arrives at most 4 places from its position (4 × fpp < wait).
    // Packet 0 comes first: the first write defines where the stream starts.
    const keys = Array.from({ length: packets }, (_, p) => (p === 0 ? -1 : p + r.float() * 4));
    const order = Array.from({ length: packets }, (_, p) => p).sort((a, b) => keys[a]! - keys[b]!);
    reader.read(start, 0, []);
    const out = outputs(2, fpp);
    let readAt = start;
    for (let i = 0; i < order.length; i++) {
      const p = order[i]!;
      if (!lost.has(p)) writer.writeFrames(start + p * fpp, fpp, [0, 1], packet(start + p * fpp, fpp, [0, 1]));
      // The reader trails the write position by the hole wait: every packet that far back has
      // arrived (reorder spans 4 packets < wait) or has been zero-filled.
      while (readAt + fpp <= writer.state.writePos - wait) {
        const got = reader.read(readAt, fpp, out);
        t.is(got.validFrames, fpp, `seed ${seed} read at ${readAt}`);
        const gone = lost.has((readAt - start) / fpp);
        t.is(out[0]![fpp - 1], gone ? 0 : sampleValue(readAt + fpp - 1, 0));
        readAt += fpp;
      }
    }
    t.like(writer.state, { zeroFilled: lost.size * fpp, holes: lostRuns, late: 0, overrun: 0, skipped: 0 }, `seed ${seed}`);
  }
});
