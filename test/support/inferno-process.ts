// Runs `node dist/main.js ...` inside a namespace host and talks to its status endpoint from
// inside the same namespace (the test process itself stays in the machine's namespace).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LanHost } from './netns.js';
import { stopChild } from './netns.js';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const mainJs = resolve(projectRoot, 'dist', 'main.js');

export interface InfernoProcess {
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  stop(): Promise<void>;
}

/**
 * Tests share this machine's CLOCK_TAI across namespaces (`--clock local`) unless they pick a clock:
 * sample-exact checks compare against it, and several PTP devices on one host would share a clock
 * identity.
 */
export function withLocalClock(args: string[]): string[] {
  return args.some((a) => a === '--clock' || a.startsWith('--clock=')) ? args : [...args, '--clock', 'local'];
}

/**
 * Each device gets a fresh state directory unless the test picks one: saved names, subscriptions
 * and multicast flows win over flags, so devices of other tests (same IP, same id) must not leak in.
 */
export function withPrivateState(args: string[]): { args: string[]; dir?: string } {
  if (args.some((a) => a === '--state-dir' || a.startsWith('--state-dir='))) return { args };
  const dir = mkdtempSync(join(tmpdir(), 'inferno-test-state-'));
  return { args: [...args, '--state-dir', dir], dir };
}

/** `wrap` runs the device through a command that execs it, e.g. `['chrt', '-f', '10']`. */
export function startInferno(host: LanHost, args: string[], env: NodeJS.ProcessEnv = {}, wrap: string[] = []): InfernoProcess {
  const state = withPrivateState(withLocalClock(args));
  const cmd = [...wrap, process.execPath, mainJs, ...state.args];
  const proc = host.spawn(cmd[0]!, cmd.slice(1), {
    env: { ...process.env, INFERNO_LOG_LEVEL: 'info', ...env },
  });
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((res) =>
    proc.once('exit', (code, signal) => {
      if (state.dir) rmSync(state.dir, { recursive: true, force: true });
      res({ code, signal, atMs: Date.now() });
    }),
  );
  return { proc, output: () => out, exited, stop: () => stopChild(proc) };
}

export interface HttpResult {
  status: number;
  body: string;
  contentType: string;
}

/** GET `url` from inside the host's namespace. */
export async function httpGet(host: LanHost, url: string, timeoutMs = 3000): Promise<HttpResult | undefined> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(${timeoutMs}) })
    .then(async (r) => console.log(JSON.stringify({ status: r.status, contentType: r.headers.get('content-type'), body: await r.text() })))
    .catch(() => process.exit(3));`;
  const r = await host.run(process.execPath, ['-e', script], { timeoutMs: timeoutMs + 2000 });
  if (r.code !== 0) return undefined;
  return JSON.parse(r.stdout) as HttpResult;
}

export async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs: number, stepMs = 150): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
