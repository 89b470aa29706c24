// Ring throughput benchmark: a writer thread and a reader thread move samples through one media
// ring. `node dist/bench/ring.js [--seconds N] [--json]` runs 8 and 64 channels at two packet
// sizes, prints a table and appends the session to bench/results/<date>-ring.json.
// `inferno bench ring` runs the same matrix through the harness (scenarios/ring.ts).
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { createMediaRing } from '../core/media-ring.js';
import type { RingWorkerData, RingWorkerReport } from './ring-worker.js';
import { machineDescription } from './machine.js';
import { appendSession, DEFAULT_RESULTS_DIR } from './results.js';
import { formatTable } from './table.js';

export { machineDescription } from './machine.js';

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

/** The standard matrix: 8 and 64 channels, small and large packets. */
export const RING_MATRIX: readonly { channels: number; framesPerWrite: number }[] = [
  { channels: 8, framesPerWrite: 16 },
  { channels: 8, framesPerWrite: 128 },
  { channels: 64, framesPerWrite: 16 },
  { channels: 64, framesPerWrite: 128 },
];

/** Table rows (header first) for ring results; shared with `inferno bench ring`. */
export function ringTable(results: RingBenchResult[]): string[][] {
  const m = (v: number) => (v / 1e6).toFixed(1);
  return [
    ['channels', 'frames/write', 'frames/read', 'written Msamples/s', 'read Msamples/s', 'mismatches'],
    ...results.map((r) => [String(r.channels), String(r.framesPerWrite), String(r.framesPerRead), m(r.writtenSamplesPerSec), m(r.readSamplesPerSec), String(r.mismatches)]),
  ];
}

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf('--seconds');
  const seconds = at >= 0 ? Number(argv[at + 1]) : 2;
  if (!(seconds > 0)) throw new RangeError('--seconds needs a positive number');
  const results: RingBenchResult[] = [];
  for (const m of RING_MATRIX) results.push(await runRingBench({ seconds, ...m }));
  const session = { time: new Date().toISOString(), machine: machineDescription(), settings: { seconds }, results };
  const file = appendSession(DEFAULT_RESULTS_DIR, 'ring', session);
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify(session, null, 2) + '\n');
    return;
  }
  process.stdout.write(`ring benchmark, ${seconds} s per run, ${session.machine.cpu} × ${session.machine.cores}\n`);
  process.stdout.write(formatTable(ringTable(results)));
  process.stdout.write(`results appended to ${file}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
