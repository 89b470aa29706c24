// Runs the two pacers of the tx-pacing benchmark with one configuration: ours (js-pacer, a worker
// thread) and the C reference (a child process), both sending to a sink that never reads.
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildC } from './cbuild.js';
import { onCleanup } from './cleanup.js';
import type { PacerConfig, PacerReport } from './pacer-worker.js';

const WORKER = fileURLToPath(new URL('./pacer-worker.js', import.meta.url));

export interface Sink {
  port: number;
  close(): void;
}

/** A UDP port that never reads (the C program's sink mode): the kernel drops what overflows. */
export async function startSink(ip: string): Promise<Sink> {
  const exe = buildC('tx-pacer');
  const child = spawn(exe, ['sink', ip], { stdio: ['pipe', 'pipe', 'inherit'] });
  const off = onCleanup(() => child.kill('SIGKILL'));
  child.once('exit', off);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /"port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`sink exited with ${String(code)}`)));
    child.once('error', reject);
  });
  return { port, close: () => child.stdin.end() };
}

export function runJsPacer(config: PacerConfig): Promise<PacerReport> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: { role: 'js-pacer', config } });
    w.once('message', (m: PacerReport | { error: string }) => {
      void w.terminate();
      if ('error' in m) reject(new Error(`js-pacer: ${m.error}`));
      else resolve(m);
    });
    w.once('error', reject);
  });
}

export async function runCPacer(config: PacerConfig): Promise<PacerReport> {
  const exe = buildC('tx-pacer');
  const dir = mkdtempSync(join(tmpdir(), 'inferno-pacer-'));
  const out = join(dir, 'lateness.bin');
  try {
    const bytes = 9 + config.fpp * config.channels * config.bytesPerSample;
    const args = ['pace', config.ip, String(config.port), String(config.flows), String(bytes), String(config.fpp), String(config.rate),
      String(config.seconds), config.mode, String(config.spinNs), config.realtime ? '1' : '0', out];
    const child = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const off = onCleanup(() => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    });
    off();
    if (code !== 0) throw new Error(`C reference pacer exited with ${String(code)}: ${stderr.trim()}`);
    const r = JSON.parse(stdout) as { packets: number; sendErrors: number; cpuNs: number; wallNs: number; sched: string; schedError: string };
    const raw = readFileSync(out);
    const lateness = new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    return { ...r, lateness, packetBytes: bytes, native: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
