import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interop } from './support/needs.js';
import { mainJs } from './support/inferno-process.js';

interop({ root: true, commands: ['ip'] })('footprint: idle devices in namespaces answer ARC and mDNS; RSS, start-up and idle CPU per thread recorded; namespaces removed', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [mainJs, 'bench', 'footprint', '--duration', '2', '--out', dir], { encoding: 'utf8', timeout: 180000 });
  t.is(r.status, 0, r.stderr);
  const json = readdirSync(dir).find((f) => f.endsWith('-footprint.json'))!;
  const session = JSON.parse(readFileSync(join(dir, json), 'utf8')).sessions[0];
  type Thread = { thread: string; threads: number; cpuPercent: number; timeslicesPerS: number };
  const devices = session.figures.devices as {
    config: string;
    arcAnswerMs: number;
    mdnsAnswerMs: number;
    startup: { untilAnsweredS: number; untilAnsweredCpuMs: number; untilWindowS: number; untilWindowCpuMs: number };
    idle: { rssBytes: number; peakRssBytes: number; cpuPercent: number; windowStartS: number; windowSeconds: number; threads: Thread[] };
  }[];
  t.is(session.settings.windowAfterAnswerSeconds, 18);
  t.deepEqual(devices.map((d) => d.config), ['2x2', '64x64']);
  for (const d of devices) {
    t.true(d.arcAnswerMs > 0 && d.arcAnswerMs < 20000, JSON.stringify(d));
    t.true(d.mdnsAnswerMs > 0 && d.mdnsAnswerMs < 20000, JSON.stringify(d));
    t.true(d.idle.rssBytes > 10 * 2 ** 20 && d.idle.peakRssBytes >= d.idle.rssBytes);
    t.true(d.idle.cpuPercent >= 0);
    // The idle window starts well after the device answered; what came before is start-up CPU.
    t.true(d.startup.untilAnsweredS > 0 && d.idle.windowStartS >= d.startup.untilAnsweredS + 18, JSON.stringify(d.startup));
    t.true(d.idle.windowSeconds >= 2, JSON.stringify(d.idle));
    t.true(d.startup.untilAnsweredCpuMs > 0 && d.startup.untilWindowCpuMs >= d.startup.untilAnsweredCpuMs, JSON.stringify(d.startup));
    // Per thread: the main thread and every worker by name, the rest as `other`; they add up.
    const names = d.idle.threads.map((x) => x.thread).sort();
    t.deepEqual(names, ['inf-clock', 'inf-control', 'inf-receive', 'inf-transmit', 'main', 'other']);
    t.true(d.idle.threads.every((x) => x.cpuPercent >= 0 && x.timeslicesPerS >= 0 && x.threads >= 1));
    const sum = d.idle.threads.reduce((a, x) => a + x.cpuPercent, 0);
    t.true(Math.abs(sum - d.idle.cpuPercent) < 0.01 * d.idle.threads.length, `${sum} vs ${d.idle.cpuPercent}`);
  }
  t.true(session.targets.some((x: { name: string }) => x.name === '2x2 idle RSS'));
  const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  // Only this run's namespaces (named after the bench process's pid): other benchmarks may be running.
  const mine = `infb-${r.pid % 100000}`;
  t.false(left.split('\n').some((n) => n.startsWith(mine)), left);
});
