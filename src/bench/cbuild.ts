// Builds the C reference programs (bench/*.c) with the machine's compiler into a private temp
// directory, once per process; the directory is removed at exit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchUnavailableError } from './scenario.js';

/** dist/bench/cbuild.js -> <package>/bench/ */
export const C_SOURCE_DIR = fileURLToPath(new URL('../../bench/', import.meta.url));
const COMPILERS = ['cc', 'gcc', 'clang'];

let dir: string | undefined;
const built = new Map<string, string>();

export function findCompiler(): string | undefined {
  const env = process.env.CC;
  for (const c of env ? [env, ...COMPILERS] : COMPILERS) {
    if (spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0) return c;
  }
  return undefined;
}

/** Path of the built executable for bench/<name>.c. */
export function buildC(name: string): string {
  const have = built.get(name);
  if (have) return have;
  const src = join(C_SOURCE_DIR, `${name}.c`);
  if (!existsSync(src)) throw new BenchUnavailableError(`C reference source ${src} is missing`);
  const cc = findCompiler();
  if (!cc) throw new BenchUnavailableError('no C compiler found (tried $CC, cc, gcc, clang); the C reference needs one');
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'inferno-bench-'));
    const d = dir;
    process.once('exit', () => rmSync(d, { recursive: true, force: true }));
  }
  const out = join(dir, name);
  const r = spawnSync(cc, ['-O2', '-Wall', '-o', out, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building ${src} with ${cc} failed:\n${r.stderr}`);
  built.set(name, out);
  return out;
}

/** A scenario's `unavailable()` for one that needs the C program `name`: the build error, or undefined. */
export function cBuildUnavailable(name: string): string | undefined {
  try {
    buildC(name);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
