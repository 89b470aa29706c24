// Fixture files by path, found under the netaudio fixture directory that fixtures.ts locates.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { netaudioFixtures } from './fixtures.js';

function requireDir(dir: string): string {
  if (!existsSync(dir)) throw new Error(`fixtures missing: expected the netaudio fixtures at ${dir}`);
  return dir;
}

/** Absolute path of a fixture (relative to the netaudio fixture directory); throws if absent. */
export function fixturePath(rel: string): string {
  const p = join(requireDir(netaudioFixtures), rel);
  if (!existsSync(p)) throw new Error(`fixture missing: ${p}`);
  return p;
}

export function readFixture(rel: string): Buffer {
  return readFileSync(fixturePath(rel));
}

/** Fixture files (relative paths) under `subdir` whose names match `pattern`, sorted. */
export function findFixtures(subdir: string, pattern: RegExp): string[] {
  const base = requireDir(join(netaudioFixtures, subdir));
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(dir, e.name), r);
      else if (pattern.test(e.name)) out.push(subdir ? `${subdir}/${r}` : r);
    }
  };
  walk(base, '');
  return out.sort();
}

export interface SessionSample {
  file: string;
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  direction: string | null;
  opcode: number;
}

/** The `samples` of a session manifest. */
export function sessionSamples(session: string): SessionSample[] {
  const m = JSON.parse(readFileSync(fixturePath(`sessions/${session}/manifest.json`), 'utf8')) as { samples: SessionSample[] };
  return m.samples;
}

export function sessionNames(): string[] {
  return readdirSync(requireDir(join(netaudioFixtures, 'sessions')), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}
