// Interop and integration tests need root, network namespaces and Debian tools. On a user's
// laptop they are skipped (and ava reports them as skipped) when something is missing; in CI
// (CI=true) they always run, so a missing requirement fails them.
import anyTest from 'ava';
import type { TestFn } from 'ava';
import { spawnSync } from 'node:child_process';

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v '${cmd}'`], { stdio: 'ignore' }).status === 0;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export interface Requirements {
  root?: boolean;
  commands?: string[];
}

/** A reason string when the requirements are not met, else undefined. */
export function missing(req: Requirements): string | undefined {
  if (req.root && !isRoot()) return 'needs root (network namespaces)';
  for (const c of req.commands ?? []) if (!hasCommand(c)) return `needs the command '${c}'`;
  return undefined;
}

/**
 * `interop(req)('title', t => ...)`: the ava test function to declare an interop test with.
 * Skipped outside CI when a requirement is missing; in CI the test runs and fails on it.
 */
export function interop<C = unknown>(req: Requirements): TestFn<C> {
  const test = anyTest as TestFn<C>;
  const why = missing(req);
  if (!why) return test;
  if (inCI) {
    const failing = ((title: string) =>
      test(title, (t) => t.fail(`interop requirement missing in CI: ${why}`))) as unknown as TestFn<C>;
    return failing;
  }
  return test.skip as unknown as TestFn<C>;
}
