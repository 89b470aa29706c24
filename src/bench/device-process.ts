// A device (`node dist/main.js ...`) started inside a benchmark namespace, and its /status read
// from inside the same namespace (the harness itself stays in the machine's namespace).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchHost } from './netns.js';
import { stopChild } from './netns.js';

export const MAIN_JS = fileURLToPath(new URL('../main.js', import.meta.url));
export const STATUS_PORT = 18480;

export interface BenchDevice {
  host: BenchHost;
  proc: ChildProcess;
  pid: number;
  /** Wall-clock ms when it was spawned. */
  startedAtMs: number;
  output(): string;
  status(timeoutMs?: number): Promise<Record<string, unknown> | undefined>;
  stop(): Promise<void>;
}

export function startDevice(host: BenchHost, name: string, extra: string[]): BenchDevice {
  const stateDir = mkdtempSync(join(tmpdir(), 'inferno-bench-state-'));
  const args = [MAIN_JS, '--bind-ip', host.ip, '--name', name, '--state-dir', stateDir, '--http', `${host.ip}:${STATUS_PORT}`, '--log-level', 'warn', ...extra];
  const startedAtMs = performance.timeOrigin + performance.now();
  const proc = host.spawn(process.execPath, args, { env: { ...process.env, INFERNO_LOG_LEVEL: 'warn' } });
  if (!proc.pid) throw new Error(`could not start the device in ${host.ns}`);
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20000)));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20000)));
  return {
    host,
    proc,
    pid: proc.pid,
    startedAtMs,
    output: () => out,
    status: (timeoutMs = 2000) => statusOf(host, `http://${host.ip}:${STATUS_PORT}/status`, timeoutMs),
    async stop() {
      await stopChild(proc);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** GET the status JSON from inside the host's namespace; undefined when it does not answer. */
export async function statusOf(host: BenchHost, url: string, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(${timeoutMs}) })
    .then(async (r) => process.stdout.write(await r.text())).catch(() => process.exit(3));`;
  const c = host.spawn(process.execPath, ['-e', script]);
  let body = '';
  c.stdout?.setEncoding('utf8').on('data', (d: string) => (body += d));
  const code = await new Promise<number | null>((r) => c.once('exit', r));
  if (code !== 0) return undefined;
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
