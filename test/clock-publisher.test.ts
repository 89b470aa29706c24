// Pure parts of the clock runner: the test timebase's mapping of overlays back onto the real
// clock, REALTIME→TAI conversion, and step detection in the publisher.
import test from 'ava';
import { Overlay } from '../dist/core/ptp/overlay.js';
import { ClockOverlayReader, ClockOverlayWriter, ClockState, createClockOverlayBuffer } from '../dist/core/clock-overlay.js';
import { OverlayPublisher, leaderBytes } from '../dist/clock/publisher.js';
import { Timebase } from '../dist/clock/timebase.js';
import { createFallback, type NativeTimer } from '../dist/native/index.js';

const T0 = 1_780_000_000_000_000_000n;

function fakeNative(taiOffset = 0): NativeTimer & { now: bigint } {
  const n = { ...createFallback('test'), now: T0 } as NativeTimer & { now: bigint };
  n.clockNs = () => n.now;
  n.taiOffsetSeconds = () => taiOffset;
  return n;
}

test('an overlay on the skewed test clock reads the same on the real clock after toRealOverlay', (t) => {
  const n = fakeNative();
  const tb = new Timebase(n, { offsetNs: 123_456_789n, skewPpb: 50_000 });
  const port = new Overlay({ lastSyncNs: tb.fromReal(T0 + 3_000_000_000n), shiftNs: 37_000_000_123n, freqScale: -49_990e-9 });
  const real = new Overlay(tb.toRealOverlay(port.snapshot()));
  for (const du of [0n, 1_000_000_000n, 60_000_000_000n, 3_600_000_000_000n]) {
    const u = T0 + du;
    const diff = Number(real.read(u) - port.read(tb.fromReal(u)));
    t.true(Math.abs(diff) <= 2, `at +${du} ns: ${diff} ns`);
  }
  // The skewed clock itself: +123.456789 ms, +50 ppm.
  t.is(tb.fromReal(T0 + 1_000_000_000n) - (T0 + 1_000_000_000n), 123_456_789n + 50_000n);
});

test('kernel timestamps (CLOCK_REALTIME) become CLOCK_TAI with the kernel offset', (t) => {
  t.is(new Timebase(fakeNative(0)).fromRealtime(T0), T0);
  t.is(new Timebase(fakeNative(37)).fromRealtime(T0), T0 + 37_000_000_000n);
  const plain = new Timebase(fakeNative());
  const p = { lastSyncNs: T0, shiftNs: 5n, freqScale: 1e-6 };
  t.is(plain.toRealOverlay(p), p, 'identity without a test skew');
});

test('the publisher bumps the step generation on jumps only, and readers see it', (t) => {
  const sab = createClockOverlayBuffer();
  const reader = new ClockOverlayReader(sab);
  const seen: number[] = [];
  const pub = new OverlayPublisher(new ClockOverlayWriter(sab), 48000, (p) => seen.push(p.jumpNs));
  const o = new Overlay({ lastSyncNs: T0, shiftNs: 37_000_000_000n, freqScale: 0 });
  pub.publish(o.snapshot(), ClockState.FreeRunning, null);
  pub.publish(o.snapshot(), ClockState.FreeRunning, null); // identical: not republished
  o.setFreqScale(T0 + 1_000_000_000n, 20e-6); // a slew: continuous
  pub.publish(o.snapshot(), ClockState.Locked, 'aabbccfffe000001');
  t.is(pub.stepGeneration, 0);
  o.step(T0 + 2_000_000_000n, -150_000n);
  pub.publish(o.snapshot(), ClockState.Locked, 'aabbccfffe000001');
  t.is(pub.stepGeneration, 1);
  t.deepEqual(seen, [0, 0, -150_000]);
  t.true(reader.refresh());
  t.is(reader.snapshot.stepGeneration, 1);
  t.is(reader.snapshot.state, ClockState.Locked);
  t.deepEqual([...reader.leaderId()], [0xaa, 0xbb, 0xcc, 0xff, 0xfe, 0, 0, 1]);
  t.deepEqual([...leaderBytes('001122334455')], [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0], 'v1 UUID padded');
});
