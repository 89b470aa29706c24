// Report slots (src/workers/report-slots.ts): every worker reports at the same phase of the wall
// clock, once per slot, never twice for one slot when a timer fires early.
import test from 'ava';
import { everyReportSlot, msUntilSlot, REPORT_INTERVAL_MS, reportSlot } from '../dist/workers/report-slots.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('slots are whole intervals of the wall clock, shifted by the offset', (t) => {
  t.is(REPORT_INTERVAL_MS, 1000);
  t.is(reportSlot(5_000_999), 5000);
  t.is(reportSlot(5_001_000), 5001);
  t.is(reportSlot(5_001_099, 100), 5000);
  t.is(reportSlot(5_001_100, 100), 5001);
  t.is(msUntilSlot(5001, 5_000_990), 10);
  t.is(msUntilSlot(5001, 5_000_990, 100), 110);
});

test('a timer that fires before its slot by the wall clock does not call twice for that slot', async (t) => {
  let wall = 5_000_990;
  const calls: number[] = [];
  const stop = everyReportSlot(() => calls.push(wall), { now: () => wall });
  t.teardown(stop);
  // The first call is due in 10 ms; the wall clock stays 10 ms short of the slot (an early timer).
  await sleep(150);
  t.deepEqual(calls, [5_000_990]);
  // The next one waits for the slot after (about 1 s away), not the one just served.
  await sleep(150);
  t.is(calls.length, 1);
  stop();
});

test('calls come once per slot at the slot start, and stop when told', async (t) => {
  const calls: number[] = [];
  const stop = everyReportSlot(() => calls.push(Date.now()), { offsetMs: 250 });
  await sleep(2600);
  stop();
  const n = calls.length;
  await sleep(1200);
  t.is(calls.length, n, 'no call after stop');
  // Over 2.6 s two or three slot starts pass; a loaded machine may delay a timer, never add one.
  t.true(n >= 1 && n <= 3, `${n} calls`);
  const slots = calls.map((c) => reportSlot(c, 250));
  for (let i = 1; i < slots.length; i++) t.true(slots[i]! > slots[i - 1]!, `one call per slot: ${slots.join(',')}`);
  // Each call at or after its slot start (timers may run late under load, or a millisecond early).
  for (const c of calls) t.true((c - 250) % REPORT_INTERVAL_MS < REPORT_INTERVAL_MS - 2, `phase ${(c - 250) % REPORT_INTERVAL_MS}`);
});
