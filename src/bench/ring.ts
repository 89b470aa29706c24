// Ring throughput benchmark: a writer thread and a reader thread move samples through one media
// ring. `node dist/bench/ring.js [--seconds N] [--json]` runs 8 and 64 channels at two packet
// sizes, prints a table and appends the session to bench/results/<date>-ring.json.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { createMediaRing } from '../core/media-ring.js';
import type { RingWorkerData, RingWorkerReport } from './ring-worker.js';

export interface RingBenchOptions {
  seconds?: number;
  channels?: number;
  framesPerWrite?: number;
  /** Reader period: the most frames one read takes (default 1024). */
  framesPerRead?: number;
  /** Ring capacity in frames (power of two). */
  capacity?: number;
}

export interface RingBenchResult {
  channels: number;
  framesPerWrite: number;
  framesPerRead: number;
  capacity: number;
  seconds: number;
  writtenSamplesPerSec: number;
  readSamplesPerSec: number;
  writtenFrames: number;
  readFrames: number;
  /** Packets whose marker frames or valid count were wrong: must be 0. */
  mismatches: number;
  /** Writer polls that found the ring full (reader a whole ring behind); the writer then spins. */
  writerBackoffs: number;
}

const WORKER = fileURLToPath(new URL('./ring-worker.js', import.meta.url));

function startWorker(data: RingWorkerData): { worker: Worker; ready: Promise<void>; report: Promise<RingWorkerReport> } {
  const worker = new Worker(WORKER, { workerData: data });
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const report = new Promise<RingWorkerReport>((resolve, reject) => {
    worker.on('message', (m: 'ready' | RingWorkerReport) => (m === 'ready' ? onReady() : resolve(m)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`ring bench worker exited with ${code}`)));
  });
  return { worker, ready, report };
}

export async function runRingBench(opts: RingBenchOptions = {}): Promise<RingBenchResult> {
  const seconds = opts.seconds ?? 2;
  const channels = opts.channels ?? 8;
  const framesPerWrite = opts.framesPerWrite ?? 64;
  const capacity = opts.capacity ?? 8192;
  const framesPerRead = opts.framesPerRead ?? 1024;
  const ring = createMediaRing({ channels, capacity, holeFixWait: 4800 % capacity });
  const control = new SharedArrayBuffer(8);
  const ctl = new Int32Array(control);
  const base = { ring, control, channels, framesPerWrite, framesPerRead, start: 48000 * 1_700_000_000 };
  const reader = startWorker({ ...base, role: 'ring-reader' });
  await reader.ready; // attached before any write
  const writer = startWorker({ ...base, role: 'ring-writer' });
  await writer.ready;
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  Atomics.store(ctl, 1, 1);
  const [w, r] = await Promise.all([writer.report, reader.report]);
  await Promise.all([writer.worker.terminate(), reader.worker.terminate()]);
  return {
    channels,
    framesPerWrite,
    framesPerRead,
    capacity,
    seconds,
    writtenSamplesPerSec: Math.round((w.frames * channels) / (w.elapsedNs / 1e9)),
    readSamplesPerSec: Math.round((r.frames * channels) / (r.elapsedNs / 1e9)),
    writtenFrames: w.frames,
    readFrames: r.frames,
    mismatches: r.mismatches,
    writerBackoffs: w.backoffs,
  };
}

export function machineDescription(): Record<string, unknown> {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    kernel: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    node: process.version,
    loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
    note: 'shared machine; other processes were running',
  };
}

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf('--seconds');
  const seconds = at >= 0 ? Number(argv[at + 1]) : 2;
  if (!(seconds > 0)) throw new RangeError('--seconds needs a positive number');
  const results: RingBenchResult[] = [];
  for (const channels of [8, 64]) {
    for (const framesPerWrite of [16, 128]) results.push(await runRingBench({ seconds, channels, framesPerWrite }));
  }
  const session = { time: new Date().toISOString(), machine: machineDescription(), settings: { seconds }, results };
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${session.time.slice(0, 10)}-ring.json`;
  const doc: { benchmark: string; sessions: unknown[] } = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { benchmark: string; sessions: unknown[] })
    : { benchmark: 'ring', sessions: [] };
  doc.sessions.push(session);
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify(session, null, 2) + '\n');
    return;
  }
  const m = (v: number) => (v / 1e6).toFixed(1).padStart(8);
  process.stdout.write(`ring benchmark, ${seconds} s per run, ${String(session.machine.cpu)} × ${String(session.machine.cores)}\n`);
  process.stdout.write('channels  frames/write  frames/read  written Msamples/s  read Msamples/s  mismatches\n');
  for (const r of results) {
    const cols = [
      String(r.channels).padStart(8),
      String(r.framesPerWrite).padStart(12),
      String(r.framesPerRead).padStart(11),
      m(r.writtenSamplesPerSec).padStart(18),
      m(r.readSamplesPerSec).padStart(15),
      String(r.mismatches).padStart(10),
    ];
    process.stdout.write(cols.join('  ') + '\n');
  }
  process.stdout.write(`results appended to ${file}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
