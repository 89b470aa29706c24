// Runs the real device (`dist/main.js`) and the control-client script inside test namespaces.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LanHost } from './netns.js';
import type { Job } from './control-client.js';
import { projectRoot } from './fixtures.js';

export const MAIN = resolve(projectRoot, 'dist', 'main.js');
export const CLIENT = resolve(projectRoot, 'dist-test', 'support', 'control-client.js');
export const HTTP_PORT = 18080;

export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'inferno-state-'));
}

export interface RunningDevice {
  child: ChildProcess;
  url: string;
  output(): string;
}

/** Starts a device on `host` with its status server on `host.ip:httpPort`. */
export function startDevice(host: LanHost, stateDir: string, extra: string[] = [], httpPort = HTTP_PORT): RunningDevice {
  const args = [MAIN, '--bind-ip', host.ip, '--state-dir', stateDir, '--http', `${host.ip}:${httpPort}`, '--log-level', 'info', ...extra, '--clock', 'local'];
  const child = host.spawn(process.execPath, args, { env: { ...process.env, INFERNO_LOG_LEVEL: 'info' } });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  return { child, url: `http://${host.ip}:${httpPort}/status`, output: () => out };
}

/** Runs a control-client job on `host` and returns its RESULT (and all stdout lines). */
export async function runClient<T = unknown>(host: LanHost, job: Job, timeoutMs = 30_000): Promise<{ result: T; lines: string[] }> {
  const r = await host.run(process.execPath, [CLIENT, '-'], { timeoutMs, input: JSON.stringify(job) });
  const lines = r.stdout.split('\n').filter(Boolean);
  const last = lines.find((l) => l.startsWith('RESULT '));
  if (r.code !== 0 || !last) throw new Error(`control client failed (${r.code ?? r.signal}): ${r.stderr}${r.stdout.slice(-2000)}`);
  return { result: JSON.parse(last.slice(7)) as T, lines };
}

export type Status = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Waits for the device's /status (fetched from `from`, a host of the same LAN). */
export async function waitStatus(from: LanHost, device: RunningDevice, waitMs = 15_000): Promise<Status> {
  return (await runClient<Status>(from, { mode: 'status', url: device.url, waitMs }, waitMs + 5000)).result;
}

/** Polls /status until `pred` holds (or throws with the last status after `waitMs`). */
export async function statusUntil(from: LanHost, device: RunningDevice, pred: (s: Status) => boolean, waitMs = 10_000): Promise<Status> {
  const end = Date.now() + waitMs;
  for (;;) {
    const s = await waitStatus(from, device);
    if (pred(s)) return s;
    if (Date.now() > end) throw new Error(`status condition not met: ${JSON.stringify(s.control)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** An ARC request header + content. */
export function arcPacket(opcode: number, content: Buffer = Buffer.alloc(0), transactionId = 1, protocolId = 0x27ff): Buffer {
  const p = Buffer.concat([Buffer.alloc(10), content]);
  p.writeUInt16BE(protocolId, 0);
  p.writeUInt16BE(p.length, 2);
  p.writeUInt16BE(transactionId, 4);
  p.writeUInt16BE(opcode, 6);
  return p;
}
