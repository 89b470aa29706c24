import test from 'ava';
import { runRingBench } from '../dist/bench/ring.js';

// Writer and reader in two real threads through a small ring (frequent wrap-around and
// reader-lag back-off): every packet carries markers for its media time, so any torn or
// wrong-lap frame shows up as a mismatch. Correctness only; the figures are not asserted.
test('concurrent writer and reader threads never see a wrong frame', async (t) => {
  const r = await runRingBench({ seconds: 0.5, channels: 4, framesPerWrite: 16, capacity: 256 });
  t.true(r.readFrames > 0);
  t.is(r.mismatches, 0);
  t.true(r.writtenFrames >= r.readFrames);
});
