import test from 'ava';
import { createRxRings, rxRingCapacity, RX_RING_CAPACITY } from '../dist/net/rx/rings.js';
import { FileSinkOutput } from '../dist/audio-io/sinks.js';

test('RX rings are sized from the latency plus the stall margin, as a power of two, capped', (t) => {
  t.is(rxRingCapacity(5_000_000, 48000), 16384); // 240 + 12000 frames
  t.is(rxRingCapacity(1_000_000, 44100), 16384);
  t.is(rxRingCapacity(40_000_000, 48000), 16384); // 1920 + 12000
  t.is(rxRingCapacity(5_000_000, 96000), 32768);
  t.is(rxRingCapacity(40_000_000, 192000), RX_RING_CAPACITY, 'never above the old fixed size');
  const rings = createRxRings({ rxChannels: 3, rxLatencyNs: 5_000_000, sampleRate: 48000 });
  t.deepEqual(Object.keys(rings), ['rx.1', 'rx.2', 'rx.3']);
  // 4 bytes per frame for one channel, plus a header smaller than one frame block.
  for (const b of Object.values(rings)) t.true(b.byteLength >= 16384 * 4 && b.byteLength < 17000 * 4);
});

test('file sink makes its blocks on demand, up to the pool size, and reuses returned ones', async (t) => {
  const sink = new FileSinkOutput('/dev/null', 1024, 3);
  t.is(sink.acquire(), undefined, 'nothing before the file is open');
  for (let i = 0; i < 100 && sink.state !== 'open'; i++) await new Promise((r) => setTimeout(r, 10));
  t.is(sink.state, 'open');
  // Full blocks: each submit fills its block, so the next acquire needs another one.
  const a = sink.acquire(1024);
  t.is(a!.length, 1024);
  sink.submit(a!, 1024);
  const b = sink.acquire(1024);
  t.truthy(b);
  t.not(b!.buffer, a!.buffer, 'a block in flight is not handed out again');
  sink.submit(b!, 1024);
  const c = sink.acquire(1024);
  t.truthy(c);
  sink.submit(c!, 1024);
  t.is(sink.acquire(1024), undefined, 'pool exhausted: the caller keeps its position and tries again');
  for (let i = 0; i < 200 && sink.counters.blocksWritten < 3; i++) await new Promise((r) => setTimeout(r, 10));
  const d = sink.acquire(1024);
  t.true([a, b, c].some((x) => x!.buffer === d!.buffer), 'a written block is reused, not a new one made');
  await sink.close();
  t.is(sink.counters.blocksWritten, 3);
});
