import test from 'ava';
import { CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME, CLOCK_TAI, createFallback, loadNative, nativeStatus, type NativeTimer } from '../dist/native/index.js';
import { runNative } from './support/native-child.js';

const MS = 1_000_000n;
const native = loadNative();
const fallback = createFallback('test');
const ALL = [CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_TAI];

test('the addon loads here and exports the Linux clock ids', (t) => {
  const s = nativeStatus();
  t.true(s.loaded, s.reason);
  t.regex(s.path ?? '', /inferno_native\.node$/);
  t.deepEqual([native.CLOCK_REALTIME, native.CLOCK_MONOTONIC, native.CLOCK_MONOTONIC_RAW, native.CLOCK_TAI], [0, 1, 4, 11]);
});

for (const [name, n] of [['native', native], ['fallback', fallback]] as Array<[string, NativeTimer]>) {
  test(`${name}: clocks never go backwards`, (t) => {
    for (const id of [CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW]) {
      let prev = n.clockNs(id);
      for (let i = 0; i < 5000; i++) {
        const now = n.clockNs(id);
        t.true(now >= prev, `clock ${id}`);
        prev = now;
      }
    }
  });

  test(`${name}: clockReadInto agrees with clockNs in both layouts`, (t) => {
    const b = new BigInt64Array(3);
    const f = new Float64Array(4);
    for (const id of ALL) {
      const before = n.clockNs(id);
      n.clockReadInto(id, b, 2);
      n.clockReadInto(id, f, 2);
      const after = n.clockNs(id);
      t.true(b[2]! >= before && b[2]! <= after);
      t.true(f[3]! >= 0 && f[3]! < 1e9 && Number.isInteger(f[2]) && Number.isInteger(f[3]));
      const fns = BigInt(f[2]!) * 1_000_000_000n + BigInt(f[3]!);
      t.true(fns >= b[2]! && fns <= after);
    }
  });

  test(`${name}: bad clock arguments are TypeErrors or RangeErrors`, (t) => {
    t.throws(() => n.clockNs('0' as never), { instanceOf: TypeError });
    t.throws(() => n.clockNs(1.5), { instanceOf: TypeError });
    t.throws(() => n.clockNs(999), { instanceOf: RangeError });
    t.throws(() => n.clockReadInto(0, new Int32Array(4) as never, 0), { instanceOf: TypeError });
    t.throws(() => n.clockReadInto(0, [] as never, 0), { instanceOf: TypeError });
    t.throws(() => n.clockReadInto(0, new Float64Array(2), 1), { instanceOf: RangeError });
    t.throws(() => n.clockReadInto(0, new BigInt64Array(2), 2), { instanceOf: RangeError });
    t.throws(() => n.clockReadInto(0, new BigInt64Array(2), -1), { instanceOf: TypeError });
  });
}

test('native and fallback clocks agree within a loose bound', (t) => {
  for (const id of [CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_TAI]) {
    const d = native.clockNs(id) - fallback.clockNs(id);
    // REALTIME/TAI: the fallback anchors the wall clock once, with µs precision.
    t.true(d > -50n * MS && d < 50n * MS, `clock ${id}: ${d} ns`);
  }
  // The fallback's MONOTONIC_RAW is MONOTONIC: a different origin, the same rate within NTP's 500 ppm.
  const n0 = native.clockNs(CLOCK_MONOTONIC_RAW);
  const f0 = fallback.clockNs(CLOCK_MONOTONIC_RAW);
  native.sleepUntil(CLOCK_MONOTONIC, native.clockNs(CLOCK_MONOTONIC) + 20n * MS);
  const dn = native.clockNs(CLOCK_MONOTONIC_RAW) - n0;
  const df = fallback.clockNs(CLOCK_MONOTONIC_RAW) - f0;
  t.true(dn >= 20n * MS && df >= 20n * MS);
  t.true(df - dn < 5n * MS && dn - df < 5n * MS, `raw intervals ${dn} vs ${df}`);
  const wall = BigInt(Date.now()) * MS;
  t.true(native.clockNs(CLOCK_REALTIME) - wall < 100n * MS && wall - native.clockNs(CLOCK_REALTIME) < 100n * MS);
});

test('TAI offset is read from the kernel and CLOCK_TAI follows it', (t) => {
  const off = native.taiOffsetSeconds();
  t.true(Number.isInteger(off) && off >= 0 && off < 100);
  const d = native.clockNs(CLOCK_TAI) - native.clockNs(CLOCK_REALTIME) - BigInt(off) * 1_000_000_000n;
  t.true(d >= -10n * MS && d < 10n * MS, `TAI - REALTIME - offset = ${d} ns`);
  t.log(`kernel TAI offset: ${off} s`);
  t.is(fallback.taiOffsetSeconds(), 0);
});

test('INFERNO_NATIVE=0 forces the fallback and warns once about the precision lost', (t) => {
  const { result, stderr } = runNative<{ status: unknown; native: boolean; same: boolean; prio: unknown }>(
    `const again = loadNative();
     console.log(JSON.stringify({ status, native: native.native, same: again === native,
       prio: native.setRealtimePriority('fifo', 10) }));`,
    { env: { ...process.env, INFERNO_NATIVE: '0', INFERNO_LOG_LEVEL: 'warn', INFERNO_LOG_FORMAT: 'json' } },
  );
  t.deepEqual(result.status, { loaded: false, reason: 'INFERNO_NATIVE=0' });
  t.false(result.native);
  t.true(result.same);
  t.like(result.prio as object, { ok: false, errno: 'ENOSYS' });
  const warnings = stderr.trim().split('\n').filter((l) => l.includes('"component":"native"'));
  t.is(warnings.length, 1);
  const rec = JSON.parse(warnings[0]!) as { level: string; lost: string };
  t.is(rec.level, 'warn');
  t.regex(rec.lost, /Atomics\.wait/);
});
