// Overshoot of sleepUntil: how late it wakes after repeated short absolute sleeps. Used by
// test/native-sleep.test.ts (few sleeps, checks none is early) and, run directly, as the
// measurement quoted in reports:  node native-sleep-measure.js [count] [periodUs]
import { fileURLToPath } from 'node:url';
import { createFallback, loadNative, type NativeTimer } from '../../dist/native/index.js';

export interface Overshoot {
  count: number;
  early: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

export function measureOvershoot(n: NativeTimer, count: number, periodNs: bigint, clockId = n.CLOCK_MONOTONIC): Overshoot {
  const late: number[] = [];
  let early = 0;
  for (let i = 0; i < count; i++) {
    const target = n.clockNs(clockId) + periodNs;
    n.sleepUntil(clockId, target);
    const d = n.clockNs(clockId) - target;
    if (d < 0n) early++;
    late.push(Number(d) / 1000);
  }
  late.sort((a, b) => a - b);
  const at = (q: number): number => late[Math.min(late.length - 1, Math.floor(q * late.length))]!;
  return { count, early, p50Us: at(0.5), p99Us: at(0.99), maxUs: late[late.length - 1]! };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const count = Number(process.argv[2] ?? 2000);
  const periodNs = BigInt(Number(process.argv[3] ?? 1000)) * 1000n;
  const native = loadNative();
  const fallback = createFallback('measurement');
  // Timer slack is per thread and sticks, so both implementations are measured at the default
  // slack first, then again with 1 ns.
  const out: Record<string, Overshoot> = {};
  out.fallback = measureOvershoot(fallback, count, periodNs);
  if (native.native) {
    out.native = measureOvershoot(native, count, periodNs);
    native.setTimerSlackNs(1);
    out.nativeSlack1ns = measureOvershoot(native, count, periodNs);
    out.fallbackSlack1ns = measureOvershoot(fallback, count, periodNs);
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}
