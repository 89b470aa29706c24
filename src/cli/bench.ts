// `inferno bench [SCENARIO...]`: runs benchmark scenarios, writes bench/results/<date>-<scenario>.json
// (and SVG plots with --plot), prints a table per scenario. Exit 0 when every scenario ran, 1 when
// one failed or could not run, 2 on bad arguments.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { terminalProgress } from '../bench/progress.js';
import { findScenario, scenarioNames, SCENARIOS } from '../bench/registry.js';
import { appendSession, DEFAULT_RESULTS_DIR, resultPath } from '../bench/results.js';
import type { BenchOptions, Scenario } from '../bench/scenario.js';
import { BenchUnavailableError } from '../bench/scenario.js';
import { cleanupBenchResources } from '../bench/cleanup.js';
import { SPIN_REALTIME_REFUSED } from '../bench/scenarios/tx-pacing.js';
import { formatTable, yesNo } from '../bench/table.js';
import { MAX_CHANNELS, MAX_LATENCY_NS, MIN_LATENCY_NS, RX_SOCKETS } from '../config/schema.js';
import type { RxSocketSetting } from '../config/schema.js';

export interface BenchArgs {
  scenarios: Scenario[];
  opts: BenchOptions;
  json: boolean;
  list: boolean;
  help: boolean;
}

export class BenchArgError extends Error {}

export function benchHelp(): string {
  const rows = SCENARIOS.map((s) => `  ${s.name.padEnd(12)}${s.description}`);
  return [
    'Usage: inferno bench [SCENARIO...] [options]',
    '',
    'Runs the benchmarks (all available ones when no scenario is named), prints a table per',
    'scenario and appends the session to bench/results/<date>-<scenario>.json.',
    '',
    'Scenarios:',
    ...rows,
    '',
    'Options:',
    '  --duration S   seconds of measurement (each scenario has its own default)',
    '  --json         print the sessions as JSON instead of tables',
    '  --plot         also write SVG charts next to the result files',
    '  --spin         tx-pacing: sleep to just before each deadline, then spin',
    '  --realtime     tx-pacing: ask for SCHED_RR priority 1 (reported when refused);',
    '                 e2e: run both devices with --realtime true',
    '  --channels N   e2e: channels A sends and B receives (default 64)',
    '  --latency-ms L e2e: latency in ms (default 5)',
    '  --rx-socket K  rx-capacity: only this receive path, auto or dgram (default: both, and the ratio)',
    '  --out DIR      write results to DIR instead of bench/results',
    '  --list         list the scenarios and whether each can run here',
    '  --help, -h     show this help',
    '',
  ].join('\n');
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const opts: BenchOptions = { spin: false, realtime: false, plot: false, outDir: DEFAULT_RESULTS_DIR };
  const names: string[] = [];
  const a: BenchArgs = { scenarios: [], opts, json: false, list: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new BenchArgError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--duration') {
      const raw = value();
      const d = Number(raw);
      if (!(d > 0) || !Number.isFinite(d)) throw new BenchArgError(`--duration needs a positive number of seconds, got '${raw}'`);
      opts.durationS = d;
    } else if (arg === '--channels') {
      const raw = value();
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1 || n > MAX_CHANNELS) throw new BenchArgError(`--channels needs a whole number from 1 to ${MAX_CHANNELS}, got '${raw}'`);
      opts.channels = n;
    } else if (arg === '--latency-ms') {
      const raw = value();
      const ms = Number(raw);
      if (!(ms * 1e6 >= MIN_LATENCY_NS && ms * 1e6 <= MAX_LATENCY_NS)) throw new BenchArgError(`--latency-ms needs ${MIN_LATENCY_NS / 1e6} to ${MAX_LATENCY_NS / 1e6}, got '${raw}'`);
      opts.latencyMs = ms;
    } else if (arg === '--rx-socket') {
      const raw = value();
      if (!(RX_SOCKETS as readonly string[]).includes(raw)) throw new BenchArgError(`--rx-socket needs ${RX_SOCKETS.join(' or ')}, got '${raw}'`);
      opts.rxSocket = raw as RxSocketSetting;
    } else if (arg === '--json') a.json = true;
    else if (arg === '--plot') opts.plot = true;
    else if (arg === '--spin') opts.spin = true;
    else if (arg === '--realtime') opts.realtime = true;
    else if (arg === '--out') opts.outDir = value();
    else if (arg === '--list') a.list = true;
    else if (arg === '--help' || arg === '-h') a.help = true;
    else if (arg.startsWith('-')) throw new BenchArgError(`unknown option '${arg}' (see inferno bench --help)`);
    else names.push(arg);
  }
  if (opts.spin && opts.realtime) throw new BenchArgError(SPIN_REALTIME_REFUSED);
  for (const n of names) {
    const s = findScenario(n);
    if (!s) throw new BenchArgError(`unknown scenario '${n}'; valid scenarios: ${scenarioNames().join(', ')}`);
    if (!a.scenarios.includes(s)) a.scenarios.push(s);
  }
  return a;
}

export async function runBench(argv: string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (err) {
    if (!(err instanceof BenchArgError)) throw err;
    process.stderr.write(`inferno bench: ${err.message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(benchHelp());
    return 0;
  }
  if (args.list) {
    for (const s of SCENARIOS) {
      const why = await s.unavailable();
      process.stdout.write(`${s.name.padEnd(12)}${why ? `not available: ${why}` : 'available'}\n`);
    }
    return 0;
  }
  // All scenarios: only those that can run; named ones: all, so a missing feature is reported.
  const explicit = args.scenarios.length > 0;
  const chosen = explicit ? args.scenarios : SCENARIOS;
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`\ninferno bench: ${sig}, cleaning up\n`);
    cleanupBenchResources();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let status = 0;
  const sessions: unknown[] = [];
  const runStart = performance.now();
  let ran = 0;
  try {
    for (const s of chosen) {
      const why = await s.unavailable();
      if (why) {
        if (explicit) {
          process.stderr.write(`inferno bench: ${s.name} cannot run: ${why}\n`);
          status = 1;
        } else if (!args.json) process.stdout.write(`${s.name}: skipped (${why})\n\n`);
        continue;
      }
      const progress = terminalProgress(s.name);
      const started = performance.now();
      try {
        const out = await s.run(args.opts, progress);
        progress.done();
        ran++;
        out.session.elapsedSeconds = Math.round((performance.now() - started) / 100) / 10;
        const file = appendSession(args.opts.outDir, s.name, out.session);
        const svgs: string[] = [];
        for (const p of out.plots) {
          mkdirSync(args.opts.outDir, { recursive: true });
          const path = join(args.opts.outDir, resultPath('', `${s.name}-${p.name}`).replace(/\.json$/, '.svg'));
          writeFileSync(path, p.svg);
          svgs.push(path);
        }
        sessions.push(out.session);
        if (!args.json) {
          process.stdout.write(`${s.name}: ${s.description}\n`);
          process.stdout.write(formatTable(out.table));
          for (const t of out.session.targets) {
            process.stdout.write(`  target ${yesNo(t.met)}: ${t.target} (measured ${t.measured} ${t.unit}, limit ${Number(t.limit.toPrecision(6))}${t.missedBy ? `; ${t.missedBy}` : ''})\n`);
          }
          for (const n of out.session.notes) process.stdout.write(`  note: ${n}\n`);
          process.stdout.write(`  took ${out.session.elapsedSeconds} s; results: ${file}\n`);
          for (const p of svgs) process.stdout.write(`  plot: ${p}\n`);
          process.stdout.write('\n');
        }
      } catch (err) {
        progress.done();
        status = 1;
        const msg = err instanceof BenchUnavailableError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
        process.stderr.write(`inferno bench: ${s.name} failed: ${msg}\n`);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanupBenchResources();
  }
  if (args.json) process.stdout.write(JSON.stringify(sessions, null, 2) + '\n');
  else if (ran > 1) process.stdout.write(`${ran} scenarios in ${((performance.now() - runStart) / 60000).toFixed(1)} min\n`);
  return status;
}
