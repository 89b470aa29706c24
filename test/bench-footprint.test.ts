import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interop } from './support/needs.js';
import { mainJs } from './support/inferno-process.js';

interop({ root: true, commands: ['ip'] })('footprint: idle devices in namespaces answer ARC and mDNS; RSS and CPU recorded; namespaces removed', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [mainJs, 'bench', 'footprint', '--duration', '2', '--out', dir], { encoding: 'utf8', timeout: 90000 });
  t.is(r.status, 0, r.stderr);
  const json = readdirSync(dir).find((f) => f.endsWith('-footprint.json'))!;
  const session = JSON.parse(readFileSync(join(dir, json), 'utf8')).sessions[0];
  const devices = session.figures.devices as { config: string; arcAnswerMs: number; mdnsAnswerMs: number; idle: { rssBytes: number; peakRssBytes: number; cpuPercent: number } }[];
  t.deepEqual(devices.map((d) => d.config), ['2x2', '64x64']);
  for (const d of devices) {
    t.true(d.arcAnswerMs > 0 && d.arcAnswerMs < 20000, JSON.stringify(d));
    t.true(d.mdnsAnswerMs > 0 && d.mdnsAnswerMs < 20000, JSON.stringify(d));
    t.true(d.idle.rssBytes > 10 * 2 ** 20 && d.idle.peakRssBytes >= d.idle.rssBytes);
    t.true(d.idle.cpuPercent >= 0);
  }
  t.true(session.targets.some((x: { name: string }) => x.name === '2x2 idle RSS'));
  const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  t.false(/infb-/.test(left), left);
});
