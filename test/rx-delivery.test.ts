// RX delivery to the sink (src/audio-io/sinks-delivery.ts, src/core/rx/drain-gate.ts) with synthetic time: whatever the output
// does (no free buffer for a while, not open yet), frame k of what it is handed is the frame at
// media time `firstFrame + k`; frames the rings no longer hold come out as counted zeros of the
// same length, never as a shift of the timeline.
import test from 'ava';
import { createMediaRing, MediaRingReader, MediaRingWriter } from '../dist/core/media-ring.js';
import { MAX_CATCH_UP_FRAMES, MAX_DELIVERY_FRAMES, RxDelivery } from '../dist/audio-io/sinks-delivery.js';
import type { SinkOutput } from '../dist/audio-io/sinks.js';
import { DeliveryDrainGate, MAX_DELIVERY_DEFERRALS, UV_UDP_READS_PER_TURN } from '../dist/core/rx/drain-gate.js';

const CHANNELS = 2;
const LATENCY = 480;
const CAPACITY = 4096;
/** A sample value that names its channel and media time (never 0). */
const value = (c: number, t: number) => ((t % 1_000_000) + 1) * 8 + c;

/** A sink with a pool of `poolSize` buffers that the test releases when it likes (a slow FIFO reader). */
class HeldOutput implements SinkOutput {
  readonly counters = { blocksWritten: 0, bytesWritten: 0, droppedBlocks: 0, writeErrors: 0 };
  state: 'opening' | 'open' | 'closed' = 'open';
  readonly frames: number[][] = Array.from({ length: CHANNELS }, () => []);
  private readonly free: Int32Array[] = [];
  private readonly held: { block: Int32Array; samples: number }[] = [];
  hold = false;
  constructor(poolSize: number) {
    for (let i = 0; i < poolSize; i++) this.free.push(new Int32Array(MAX_DELIVERY_FRAMES * CHANNELS));
  }
  acquire(): Int32Array | undefined {
    return this.state === 'open' ? this.free.pop() : undefined;
  }
  submit(block: Int32Array, samples: number): void {
    this.held.push({ block, samples });
    if (!this.hold) this.release();
  }
  /** The reader catches up: every queued block is written, in order. */
  release(): void {
    for (const { block, samples } of this.held.splice(0)) {
      for (let i = 0; i < samples; i++) this.frames[i % CHANNELS]!.push(block[i]!);
      this.counters.blocksWritten++;
      this.free.push(block);
    }
  }
  async close(): Promise<void> {}
}

function setup(poolSize: number, capacity = CAPACITY) {
  const rings = Array.from({ length: CHANNELS }, () => createMediaRing({ channels: 1, capacity, holeFixWait: 256 }));
  const writers = rings.map((b) => new MediaRingWriter(b));
  const out = new HeldOutput(poolSize);
  const delivery = new RxDelivery(rings.map((b) => new MediaRingReader(b)), LATENCY, out);
  delivery.routed.fill(1);
  const src = new Int32Array(32);
  let written = 0;
  /** Packets of 32 frames up to media time `to` (the transmitter's stream), then delivery at `to`. */
  const step = (to: number, deliver = true) => {
    for (; written + 32 <= to; written += 32) {
      for (let c = 0; c < CHANNELS; c++) {
        for (let k = 0; k < 32; k++) src[k] = value(c, written + k);
        writers[c]!.writeFrames(written, 32, [0], src, 0);
      }
    }
    if (deliver) delivery.run(to);
  };
  return { out, delivery, writers, step, skipTo: (t: number) => (written = t) };
}

/** Checks frame k of channel c is value(c, first + k), or a zero; returns the zero count. */
function checkTimeline(t: import('ava').ExecutionContext, out: HeldOutput, first: number): number {
  let zeros = 0;
  for (let c = 0; c < CHANNELS; c++) {
    const f = out.frames[c]!;
    for (let k = 0; k < f.length; k++) {
      if (f[k] === 0) {
        if (c === 0) zeros++;
        continue;
      }
      if (f[k] !== value(c, first + k)) {
        t.fail(`channel ${c} frame ${k}: got ${f[k]} (media time ${Math.floor(f[k]! / 8) - 1}), want media time ${first + k}`);
        return zeros;
      }
    }
  }
  t.is(out.frames[0]!.length, out.frames[1]!.length);
  return zeros;
}

test('an output without a free buffer stalls delivery: every frame comes out later, at its media time', (t) => {
  const { out, delivery, step } = setup(2);
  // Attach the readers, then steady state at a 2 ms pace (96 frames).
  let now = 2000;
  for (; now < 6000; now += 96) step(now);
  const first = delivery.firstFrame;
  const before = out.frames[0]!.length;
  // The reader stops for 60 ms: two blocks queue, the rest waits in the rings.
  out.hold = true;
  for (let i = 0; i < 30; i++, now += 96) step(now);
  t.true(delivery.stalls > 0, 'the busy output was seen');
  t.is(delivery.takeLatency()?.max, LATENCY, 'the consumer\'s backlog is not counted as the device\'s latency');
  t.is(delivery.blocksDropped, 0);
  t.is(out.frames[0]!.length, before, 'nothing written while the reader is stopped');
  out.hold = false;
  out.release();
  // Catch-up: a few calls hand over the backlog (up to 4096 frames per block).
  for (let i = 0; i < 10; i++, now += 96) {
    step(now);
    out.release();
  }
  t.is(delivery.position, now - 96 - LATENCY, 'caught up to now − latency');
  t.is(out.frames[0]!.length, delivery.position - first, 'every frame since the first handed over, none dropped');
  const zeros = checkTimeline(t, out, first);
  t.is(zeros, 96, 'no zeros but the first block (read before the rings acknowledged their reader): the rings still held the backlog');
  t.is(delivery.channels[0]!.missingFrames, 96);
  t.is(delivery.channels[0]!.missingRuns, 1, 'one gap');
  t.is(delivery.skippedFrames, 0);
});

test('a stall longer than the rings hold: the lost frames are counted zeros of the same length', (t) => {
  const { out, delivery, step, writers } = setup(2);
  let now = 2000;
  for (; now < 6000; now += 96) step(now);
  const first = delivery.firstFrame;
  out.hold = true;
  // 3 × the ring capacity while the reader holds every buffer.
  for (const end = now + 3 * CAPACITY; now < end; now += 96) step(now);
  out.hold = false;
  for (let i = 0; i < 20; i++, now += 96) {
    step(now);
    out.release();
  }
  const n = out.frames[0]!.length;
  t.is(n, delivery.position - first, 'the output length is the media time delivered: no shift');
  const zeros = checkTimeline(t, out, first);
  t.true(zeros > 0, `the frames overwritten while stalled came out as zeros (${zeros})`);
  t.is(zeros, delivery.channels[0]!.missingFrames + writers[0]!.state.zeroFilled, 'each zero counted: missing at delivery or a hole the ring filled');
  t.is(delivery.blocksDropped, 0);
});

test('the whole process stalls (no packets, no delivery): lost packets are zeros, the timeline holds', (t) => {
  const { out, delivery, step, skipTo, writers } = setup(16);
  let now = 2000;
  for (; now < 6000; now += 96) step(now);
  const first = delivery.firstFrame;
  // 300 ms stopped: the packets of that time never arrive (socket overflow), then the stream resumes.
  now += 14400;
  skipTo(now - 2 * LATENCY);
  for (let i = 0; i < 30; i++, now += 96) step(now);
  t.is(out.frames[0]!.length, delivery.position - first);
  const zeros = checkTimeline(t, out, first);
  t.true(zeros >= 14400 - 2 * LATENCY, `the lost stretch came out as zeros (${zeros})`);
  t.is(zeros, delivery.channels[0]!.missingFrames + writers[0]!.state.zeroFilled, 'each zero counted: missing at delivery or a hole the ring filled');
  t.is(delivery.skippedFrames, 0);
});

test('before the output opens, delivery moves on; the first frame is the first handed over; a failed output counts dropped blocks', (t) => {
  const { out, delivery, step } = setup(4);
  out.state = 'opening';
  let now = 2000;
  for (; now < 4000; now += 96) step(now);
  t.is(delivery.blocksDropped, 0, 'nothing dropped: there is no output timeline yet');
  t.true(Number.isNaN(delivery.firstFrame));
  t.true(delivery.position > 2000 - LATENCY, 'delivery kept its position current');
  out.state = 'open';
  for (; now < 8000; now += 96) step(now);
  t.is(out.frames[0]!.length, delivery.position - delivery.firstFrame);
  t.is(checkTimeline(t, out, delivery.firstFrame), 0);
  out.state = 'closed';
  step(now + 96);
  t.is(delivery.blocksDropped, 1, 'after a failure every block is dropped and counted');
});

test('a delivery more than MAX_CATCH_UP_FRAMES behind skips ahead and counts it', (t) => {
  const { out, delivery, step, skipTo } = setup(4);
  let now = 2000;
  for (; now < 6000; now += 96) step(now);
  const first = delivery.firstFrame;
  const before = delivery.position;
  now += MAX_CATCH_UP_FRAMES + 1000;
  skipTo(now - LATENCY - 96);
  step(now);
  t.is(delivery.skippedFrames, now - LATENCY - before - MAX_CATCH_UP_FRAMES);
  t.is(out.frames[0]!.length + delivery.skippedFrames, delivery.position - first);
});

test('delivery waits while a flow socket drains a backlog (full libuv batches), but not for ever', (t) => {
  const gate = new DeliveryDrainGate();
  t.false(gate.shouldWait([3, 2]), 'steady state: a few datagrams per check');
  t.true(gate.shouldWait([UV_UDP_READS_PER_TURN, 0]), 'a full batch: more may be queued');
  t.true(gate.shouldWait([1, UV_UDP_READS_PER_TURN]));
  t.false(gate.shouldWait([5, 0]), 'the backlog is read');
  t.is(gate.deferrals, 2);
  let waited = 0;
  while (gate.shouldWait([UV_UDP_READS_PER_TURN])) waited++;
  t.is(waited, MAX_DELIVERY_DEFERRALS, 'a flood holds delivery up for a bounded number of turns');
  t.true(gate.shouldWait([UV_UDP_READS_PER_TURN]), 'and the count restarts after a delivery');
  t.false(gate.shouldWait([]), 'no flows: deliver');
});

test('idle delivery to a discarding output moves the position and the rings without copying; a later flow is delivered from then on', (t) => {
  const rings = Array.from({ length: CHANNELS }, () => createMediaRing({ channels: 1, capacity: CAPACITY, holeFixWait: 256 }));
  const writers = rings.map((b) => new MediaRingWriter(b));
  const readers = rings.map((b) => new MediaRingReader(b));
  const out = new HeldOutput(64);
  const delivery = new RxDelivery(readers, LATENCY, out);
  // Idle (nothing routed) for three "report intervals" of 48000 frames, starting at media time 10^6.
  const t0 = 1_000_000;
  t.is(delivery.advanceDiscarding(t0), 0);
  for (let k = 1; k <= 3; k++) t.is(delivery.advanceDiscarding(t0 + k * 48000), 48000);
  t.is(delivery.position, t0 + 3 * 48000 - LATENCY);
  t.is(delivery.frames, 3 * 48000);
  t.is(delivery.skippedFrames, 0);
  t.is(delivery.firstFrame, t0 - LATENCY);
  // The output was handed blocks of the frames' size (a null sink counts them), content untouched.
  const handed = out.frames[0]!.length;
  t.is(handed, 3 * 48000);
  // Every ring's reader follows, so the writer never sees a stale reader.
  for (const r of readers) t.is(r.consumedTo, delivery.position);
  // Longer than the catch-up limit: skipped and counted as run() does.
  delivery.advanceDiscarding(delivery.position + LATENCY + MAX_CATCH_UP_FRAMES + 100);
  t.is(delivery.skippedFrames, 100);
  // A flow opens: packets from the current position on are delivered exactly by run().
  delivery.routed.fill(1);
  const from = delivery.position;
  const src = new Int32Array(32);
  for (let w = from; w < from + 960; w += 32) {
    for (let c = 0; c < CHANNELS; c++) {
      for (let k = 0; k < 32; k++) src[k] = value(c, w + k);
      writers[c]!.writeFrames(w, 32, [0], src, 0);
    }
  }
  for (let c = 0; c < CHANNELS; c++) out.frames[c]!.length = 0;
  t.is(delivery.run(from + 960 + LATENCY), 960);
  for (let c = 0; c < CHANNELS; c++) t.deepEqual(out.frames[c], Array.from({ length: 960 }, (_, k) => value(c, from + k)));
  t.true(delivery.channels.every((ch) => ch.missingFrames === 0));
  for (const w of writers) t.is(w.state.overrun, 0);
});
