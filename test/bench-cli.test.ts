import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBenchArgs, BenchArgError } from '../dist/cli/bench.js';
import { SCENARIOS, findScenario } from '../dist/bench/registry.js';
import { mainJs } from './support/inferno-process.js';

test('registry: every scenario has a unique name, a description and a default duration', (t) => {
  const names = SCENARIOS.map((s) => s.name);
  t.deepEqual(names.slice(0, 6), ['ring', 'tx-pacing', 'rx-capacity', 'footprint', 'e2e', 'tune']);
  t.is(new Set(names).size, names.length);
  for (const s of SCENARIOS) {
    t.true(s.description.length > 10, s.name);
    t.true(s.defaultDurationS > 0, s.name);
  }
  t.is(findScenario('tx-pacing')?.name, 'tx-pacing');
  t.is(findScenario('nope'), undefined);
});

test('argument parsing', (t) => {
  const a = parseBenchArgs(['tx-pacing', '--duration', '2', '--spin', '--plot', '--json', 'tx-pacing', '--out', '/x']);
  t.deepEqual(a.scenarios.map((s) => s.name), ['tx-pacing']);
  t.like(a.opts, { durationS: 2, spin: true, plot: true, realtime: false, outDir: '/x' });
  t.true(a.json);
  t.throws(() => parseBenchArgs(['--duration', '0']), { instanceOf: BenchArgError, message: /--duration/ });
  t.throws(() => parseBenchArgs(['--duration']), { instanceOf: BenchArgError, message: /needs a value/ });
  t.throws(() => parseBenchArgs(['--channels', '500']), { instanceOf: BenchArgError });
  t.throws(() => parseBenchArgs(['--latency-ms', '0.1']), { instanceOf: BenchArgError });
  t.throws(() => parseBenchArgs(['tx-pacing', '--spin', '--realtime']), { instanceOf: BenchArgError, message: /real-time priority/ });
  t.throws(() => parseBenchArgs(['--bogus']), { instanceOf: BenchArgError, message: /unknown option '--bogus'/ });
});

test('unknown scenario: exit 2, naming it and listing the valid ones', (t) => {
  const r = spawnSync(process.execPath, [mainJs, 'bench', 'ring', 'warp-drive'], { encoding: 'utf8' });
  t.is(r.status, 2);
  t.regex(r.stderr, /unknown scenario 'warp-drive'/);
  for (const s of SCENARIOS) t.true(r.stderr.includes(s.name), s.name);
  t.is(r.stdout, '');
});

test('--help and --list', (t) => {
  const h = spawnSync(process.execPath, [mainJs, 'bench', '--help'], { encoding: 'utf8' });
  t.is(h.status, 0);
  t.regex(h.stdout, /Usage: inferno bench/);
  const l = spawnSync(process.execPath, [mainJs, 'bench', '--list'], { encoding: 'utf8' });
  t.is(l.status, 0);
  t.regex(l.stdout, /^ring\s+available$/m);
});

test('tx-pacing --duration 2: result file with both pacers, ratios and targets; SVG written', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-tx-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [mainJs, 'bench', 'tx-pacing', '--duration', '2', '--plot', '--out', dir], { encoding: 'utf8', timeout: 60000 });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /js-pacer/);
  t.regex(r.stdout, /c-reference/);
  const files = readdirSync(dir);
  const json = files.find((f) => f.endsWith('-tx-pacing.json'));
  t.truthy(json, files.join());
  t.true(files.some((f) => f.endsWith('-tx-pacing-lateness.svg')));
  const session = JSON.parse(readFileSync(join(dir, json!), 'utf8')).sessions[0];
  t.is(session.scenario, 'tx-pacing');
  const [ours, ref] = session.figures.sides;
  t.is(ours.name, 'js-pacer');
  t.is(ref.name, 'c-reference');
  // 2 s at 3000 deadlines/s × 16 flows, in two halves
  t.is(ours.packets, 96000);
  t.is(ref.packets, 96000);
  t.is(ours.packetBytes, 9 + 16 * 8 * 3);
  t.is(ref.packetBytes, ours.packetBytes);
  for (const k of ['p50', 'p99', 'p999', 'max']) t.is(typeof session.figures.ratioOursToReference[k], 'number');
  // As root the device's transmit worker is measured too (16 flows to a sink that asked for them
  // and never reads), with two more targets.
  t.is(session.targets.length, session.figures.transmitWorker ? 4 : 2);
  if (process.getuid?.() === 0) {
    const tw = session.figures.transmitWorker;
    t.truthy(tw, JSON.stringify(session.notes));
    t.is(tw.flows, 16);
    // The worker's status is published about once a second, so only "it sent" is certain here.
    t.true(tw.lateness.packets > 1000, `packets ${tw.lateness.packets}`);
    t.false(session.notes.some((n: string) => n.startsWith('transmit worker not measured')));
  }
  for (const target of session.targets) t.is(typeof target.met, 'boolean');
});
