import test from 'ava';
import { createFallback, loadNative, type NativeTimer } from '../dist/native/index.js';
import { measureOvershoot } from './support/native-sleep-measure.js';

const impls: Array<[string, () => NativeTimer]> = [
  ['native', () => loadNative()],
  ['fallback', () => createFallback('test')],
];

for (const [name, make] of impls) {
  test(`${name}: sleepUntil never returns early, on every clock`, (t) => {
    const n = make();
    if (name === 'native') t.true(n.native);
    for (const id of [n.CLOCK_MONOTONIC, n.CLOCK_MONOTONIC_RAW, n.CLOCK_REALTIME, n.CLOCK_TAI]) {
      const r = measureOvershoot(n, 30, 500_000n, id);
      t.is(r.early, 0, `clock ${id}`);
      t.log(`clock ${id}: overshoot p50 ${r.p50Us.toFixed(1)} µs, max ${r.maxUs.toFixed(1)} µs`);
    }
  });

  test(`${name}: sleepUntilParts waits for the same deadline`, (t) => {
    const n = make();
    const f = new Float64Array(2);
    n.clockReadInto(n.CLOCK_MONOTONIC, f, 0);
    let sec = f[0]!;
    let nsec = f[1]! + 2_000_000;
    if (nsec >= 1e9) {
      sec += 1;
      nsec -= 1e9;
    }
    n.sleepUntilParts(n.CLOCK_MONOTONIC, sec, nsec);
    t.true(n.clockNs(n.CLOCK_MONOTONIC) >= BigInt(sec) * 1_000_000_000n + BigInt(nsec));
  });

  test(`${name}: past deadlines return at once; bad arguments are TypeErrors`, (t) => {
    const n = make();
    const t0 = n.clockNs(n.CLOCK_MONOTONIC);
    n.sleepUntil(n.CLOCK_MONOTONIC, 0n);
    n.sleepUntil(n.CLOCK_MONOTONIC, -5n);
    n.sleepUntil(n.CLOCK_MONOTONIC, t0 - 1_000_000n);
    n.sleepUntilParts(n.CLOCK_MONOTONIC, 0, 0);
    t.true(n.clockNs(n.CLOCK_MONOTONIC) - t0 < 1_000_000_000n);
    t.throws(() => n.sleepUntil(n.CLOCK_MONOTONIC, 5 as never), { instanceOf: TypeError });
    t.throws(() => n.sleepUntil('1' as never, 5n), { instanceOf: TypeError });
    t.throws(() => n.sleepUntilParts(n.CLOCK_MONOTONIC, 1, 1e9), { instanceOf: TypeError });
    t.throws(() => n.sleepUntilParts(n.CLOCK_MONOTONIC, -1, 0), { instanceOf: TypeError });
    t.throws(() => n.sleepUntilParts(n.CLOCK_MONOTONIC, 1.5, 0), { instanceOf: TypeError });
    t.throws(() => n.sleepUntil(12345, t0), { instanceOf: RangeError });
    // A CLOCK_REALTIME time used as a CLOCK_MONOTONIC deadline.
    t.throws(() => n.sleepUntil(n.CLOCK_MONOTONIC, n.clockNs(n.CLOCK_REALTIME)), { instanceOf: RangeError, message: /wrong clock/ });
    t.throws(() => n.sleepUntilParts(n.CLOCK_MONOTONIC, 2 ** 40, 0), { instanceOf: RangeError });
  });
}
