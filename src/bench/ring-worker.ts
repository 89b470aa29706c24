// One side of the ring benchmark, in its own thread: the writer pushes packets of interleaved
// frames, the reader drains them at the same media times. Both poll, sleeping 50 µs after 256
// failed polls so that on a shared machine a spinning side does not starve the other of its
// core; the first and last frame of every packet carry
// (media time + channel) so the reader counts any frame that is not the one it asked for.
import { parentPort, workerData } from 'node:worker_threads';
import { MediaRingReader, MediaRingWriter } from '../core/media-ring.js';

export interface RingWorkerData {
  role: 'ring-writer' | 'ring-reader';
  ring: SharedArrayBuffer;
  /** [0] go flag, [1] stop flag. */
  control: SharedArrayBuffer;
  channels: number;
  framesPerWrite: number;
  /** Reader period: the most frames one read takes. */
  framesPerRead: number;
  start: number;
}

export interface RingWorkerReport {
  role: RingWorkerData['role'];
  frames: number;
  elapsedNs: number;
  /** Reader: packets whose marker frames did not match. */
  mismatches: number;
  /** Writer: polls that found the ring full (the reader a whole ring behind). */
  backoffs: number;
}

const GO = 0;
const STOP = 1;
/** Failed polls before a thread sleeps briefly: pure spinning starves the other side on a busy machine. */
const SPINS_BEFORE_SLEEP = 256;
const SLEEP_MS = 0.05;
const sleepWord = new Int32Array(new SharedArrayBuffer(4));

/** Back off after a failed poll; returns the new spin count. */
function idle(spins: number): number {
  if (spins < SPINS_BEFORE_SLEEP) return spins + 1;
  Atomics.wait(sleepWord, 0, 0, SLEEP_MS);
  return 0;
}

function runWriter(d: RingWorkerData, control: Int32Array): RingWorkerReport {
  const writer = new MediaRingWriter(d.ring);
  const { channels, framesPerWrite: n } = d;
  const map = Array.from({ length: channels }, (_, c) => c);
  const src = new Int32Array(n * channels).fill(0x5a5a5a5a);
  let t = d.start;
  let frames = 0;
  let backoffs = 0;
  let spins = 0;
  parentPort!.postMessage('ready');
  Atomics.wait(control, GO, 0);
  const t0 = process.hrtime.bigint();
  while (Atomics.load(control, STOP) === 0) {
    for (let c = 0; c < channels; c++) {
      src[c] = (t + c) | 0;
      src[(n - 1) * channels + c] = (t + n - 1 + c) | 0;
    }
    if (t + n > writer.writableEnd()) {
      // Ring full (reader a whole ring behind): wait for space, as a TX application would.
      backoffs++;
      spins = idle(spins);
      continue;
    }
    spins = 0;
    if (writer.writeFrames(t, n, map, src) !== n) throw new Error(`short write at ${t}`);
    t += n;
    frames += n;
  }
  return { role: d.role, frames, elapsedNs: Number(process.hrtime.bigint() - t0), mismatches: 0, backoffs };
}

function runReader(d: RingWorkerData, control: Int32Array): RingWorkerReport {
  const reader = new MediaRingReader(d.ring);
  const { channels, framesPerWrite: n } = d;
  const maxRead = Math.max(n, Math.floor(d.framesPerRead / n) * n);
  const outs = Array.from({ length: channels }, () => new Int32Array(maxRead));
  let t = d.start;
  let frames = 0;
  let mismatches = 0;
  let spins = 0;
  reader.read(t, 0, outs); // attach before the writer starts
  parentPort!.postMessage('ready');
  Atomics.wait(control, GO, 0);
  const t0 = process.hrtime.bigint();
  while (Atomics.load(control, STOP) === 0) {
    // Read whole packets, up to one period, like a sink draining what has arrived.
    const chunk = Math.min(maxRead, Math.floor((reader.readableEnd() - t) / n) * n);
    if (!(chunk > 0)) {
      spins = idle(spins);
      continue;
    }
    spins = 0;
    const r = reader.read(t, chunk, outs);
    if (r.validFrames !== chunk) mismatches++;
    for (let p = 0; p < chunk; p += n) {
      for (let c = 0; c < channels; c++) {
        const o = outs[c]!;
        if (o[p] !== ((t + p + c) | 0) || o[p + n - 1] !== ((t + p + n - 1 + c) | 0)) mismatches++;
      }
    }
    t += chunk;
    frames += chunk;
  }
  return { role: d.role, frames, elapsedNs: Number(process.hrtime.bigint() - t0), mismatches, backoffs: 0 };
}

if (parentPort && (workerData as RingWorkerData | undefined)?.role?.startsWith('ring-')) {
  const d = workerData as RingWorkerData;
  const control = new Int32Array(d.control);
  const report = d.role === 'ring-writer' ? runWriter(d, control) : runReader(d, control);
  parentPort.postMessage(report);
}
