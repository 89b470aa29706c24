import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendSession, checkTarget, newSession, resultPath } from '../dist/bench/results.js';
import { machineDescription } from '../dist/bench/machine.js';
import { PatternChecker } from '../dist/bench/pattern-check.js';
import { patternSample } from '../dist/core/pattern.js';
import { recommend } from '../dist/bench/scenarios/tune.js';

test('targets say whether they are met and by how much they were missed', (t) => {
  const met = checkTarget('p99', 'p99 ≤ 2 × ref', 'max', 80, 100, 'µs');
  t.true(met.met);
  t.is(met.marginAbs, 20);
  t.is(met.marginRel, 0.2);
  t.is(met.missedBy, undefined);
  const missed = checkTarget('rate', '≥ 200000 packets/s', 'min', 150000, 200000, 'packets/s');
  t.false(missed.met);
  t.is(missed.marginAbs, 50000);
  t.regex(missed.missedBy!, /missed by 50000 packets\/s \(25\.0 %\)/);
  const zero = checkTarget('late', 'none late', 'max', 3, 0, 'packets');
  t.false(zero.met);
  t.is(zero.marginRel, undefined);
  t.false(checkTarget('x', 'x', 'max', NaN, 1, 'ms').met);
});

test('machine description names CPU, cores, kernel, Node and load', (t) => {
  const m = machineDescription();
  t.true(m.cores >= 1);
  t.is(typeof m.cpu, 'string');
  t.regex(m.kernel, /\S/);
  t.is(m.node, process.version);
  t.is(typeof m.loadAverage1m, 'number');
});

test('result file: one per day and scenario, sessions appended', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const when = new Date(2026, 0, 2, 12);
  t.is(resultPath(dir, 'tx-pacing', when), join(dir, '2026-01-02-tx-pacing.json'));
  const s = newSession('tx-pacing', { flows: 16 });
  s.figures = { p99: 1 };
  s.targets.push(checkTarget('p99', 'p99 ≤ 2', 'max', 1, 2, 'ns'));
  const file = appendSession(dir, 'tx-pacing', s, when);
  appendSession(dir, 'tx-pacing', s, when);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  t.is(doc.benchmark, 'tx-pacing');
  t.is(doc.sessions.length, 2);
  const got = doc.sessions[0];
  t.deepEqual(Object.keys(got).sort(), ['figures', 'machine', 'notes', 'scenario', 'settings', 'targets', 'time']);
  t.is(got.settings.flows, 16);
  t.true(got.targets[0].met);
  t.truthy(got.machine.cpu);
  writeFileSync(join(dir, '2026-01-02-odd.json'), '{"x":1}');
  t.throws(() => appendSession(dir, 'odd', s, when), { message: /not a results file/ });
});

function frames(channels: number, start: number, count: number, edit?: (t: number, c: number, v: number) => number): Buffer {
  const b = Buffer.alloc(channels * count * 4);
  for (let f = 0; f < count; f++) for (let c = 0; c < channels; c++) {
    const v = patternSample(c + 1, start + f, 24);
    b.writeInt32LE(edit ? edit(start + f, c, v) : v, (f * channels + c) * 4);
  }
  return b;
}

test('pattern checker: clean stream, dropouts, corruption, split frames and a timeline jump', (t) => {
  const clean = new PatternChecker(2, [1, 2]);
  const data = frames(2, 1000, 500);
  clean.push(data.subarray(0, 13)); // held until the start is known, and split mid-frame
  clean.setStart(1000);
  clean.push(data.subarray(13));
  t.like(clean.result(), { frames: 500, checkedSamples: 1000, mismatchedSamples: 0, dropoutEvents: 0, silentChannels: [] });

  const bad = new PatternChecker(2, [1, 2]);
  bad.setStart(0);
  // leading silence is not a dropout; then silence on channel 1 (a dropout) and one corrupted sample
  bad.push(frames(2, 0, 300, (tt, c, v) => (tt < 10 ? 0 : c === 0 && tt >= 100 && tt < 116 ? 0 : c === 1 && tt === 200 ? v ^ 0x100 : v)));
  t.like(bad.result(), { dropoutEvents: 1, dropoutSamples: 16, mismatchedSamples: 1 });
  t.is(bad.result().firstMismatch?.rx, 2);

  const jump = new PatternChecker(2, [1, 2]);
  jump.setStart(0);
  jump.push(frames(2, 0, 100));
  jump.push(frames(2, 148, 100)); // 48 frames skipped by the receiver
  t.like(jump.result(), { mismatchedSamples: 0, discontinuities: 1, skippedFrames: 48 });

  const silent = new PatternChecker(2, [1, 2]);
  silent.setStart(0);
  silent.push(frames(2, 0, 10, (_tt, c, v) => (c === 1 ? 0 : v)));
  t.deepEqual(silent.result().silentChannels, [2]);
});

test('tuner recommends the lowest latency that holds at every higher one', (t) => {
  const r = (latencyMs: number, clean: boolean) => ({ latencyMs, clean });
  t.is(recommend([r(0.25, false), r(0.5, false), r(1, true), r(2, true), r(4, true)]), 1);
  t.is(recommend([r(0.25, true), r(0.5, false), r(1, true), r(2, true)]), 1);
  t.is(recommend([r(1, true), r(2, false)]), undefined);
  t.is(recommend([]), undefined);
});
