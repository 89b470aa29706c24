// Whole-capture check for the end-to-end tests: every sample of an interleaved s32le capture (frame k
// at media time `t0 + k`) is compared with the pattern of the TX channel its RX channel is subscribed
// to. Before the first full frame (every channel carrying the pattern) channels may still be silent
// while their flows start; from it on, a zero is a dropout and any other wrong value a mismatch.
// A non-zero wrong value is a mismatch anywhere in the capture.
import type { ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { patternSample } from '../../dist/core/pattern.js';
import { projectRoot, waitFor } from './inferno-process.js';
import { stopFetchers } from './e2e-devices.js';
import type { FifoCapture } from './e2e-devices.js';

const readerScript = resolve(projectRoot, 'dist-test', 'support', 'fifo-reader.js');

export interface CaptureCheck {
  frames: number;
  /** Frame index of the first frame where every channel equals the pattern, or -1. */
  firstFull: number;
  /** Samples compared with the pattern (every sample of every channel from `firstFull` on). */
  checked: number;
  /** Non-zero samples that differ from the pattern, anywhere in the capture. */
  mismatches: number;
  firstBad?: { frame: number; rx: number; got: number; want: number; mediaTime: number };
  /** Zero samples where the pattern is not zero, from `firstFull` on, per RX channel (index rx - 1). */
  dropouts: number[];
  /** Dropout runs per RX channel as [media time, length]. */
  runs: [number, number][][];
  /** Zero samples before `firstFull` (flow start-up). */
  startupZeros: number;
}

/** `txOf[rx - 1]` is the TX channel RX channel `rx` carries. */
export function checkCapture(s: Int32Array, txOf: readonly number[], bits: number, t0: number): CaptureCheck {
  const ch = txOf.length;
  const frames = Math.floor(s.length / ch);
  const out: CaptureCheck = { frames, firstFull: -1, checked: 0, mismatches: 0, dropouts: Array<number>(ch).fill(0), runs: txOf.map(() => []), startupZeros: 0 };
  const bad = (k: number, c: number, got: number, want: number) => {
    out.mismatches++;
    out.firstBad ??= { frame: k, rx: c + 1, got, want, mediaTime: t0 + k };
  };
  for (let k = 0; k < frames; k++) {
    let full = true;
    for (let c = 0; c < ch; c++) {
      const got = s[k * ch + c]!;
      const want = patternSample(txOf[c]!, t0 + k, bits);
      if (got === want) continue;
      full = false;
      if (got !== 0) bad(k, c, got, want);
      else if (out.firstFull < 0) out.startupZeros++;
    }
    if (full) {
      out.firstFull = k;
      break;
    }
  }
  if (out.firstFull < 0) return out;
  for (let k = out.firstFull; k < frames; k++) {
    const m = t0 + k;
    for (let c = 0; c < ch; c++) {
      const got = s[k * ch + c]!;
      const want = patternSample(txOf[c]!, m, bits);
      out.checked++;
      if (got === want) continue;
      if (got !== 0) bad(k, c, got, want);
      else {
        out.dropouts[c]!++;
        const runs = out.runs[c]!;
        const last = runs[runs.length - 1];
        if (last && last[0] + last[1] === m) last[1]++;
        else runs.push([m, 1]);
      }
    }
  }
  return out;
}

/**
 * Makes a FIFO at `path` and reads it in a child process at SCHED_FIFO (test/support/fifo-reader.ts),
 * so a loaded machine does not stall the reader; resolves once the reader is opening it. `closed`
 * resolves once the device closed it and the child has written everything; `stop()` ends a reader
 * whose device never opened the FIFO.
 */
export async function captureFifo(path: string, rate: number): Promise<FifoCapture & { stop(): void }> {
  if (spawnSync('mkfifo', [path]).status !== 0) throw new Error(`mkfifo ${path} failed`);
  const out = `${path}.raw`;
  const child = spawn('chrt', ['-f', '20', process.execPath, readerScript, path, out, String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    child.stdout!.once('data', () => res());
    child.once('exit', (code) => rej(new Error(`FIFO reader exited with ${code} before opening ${path}`)));
  });
  const chunks: { at: number; bytes: number }[] = [];
  let data: Buffer | undefined;
  const closed = new Promise<void>((res, rej) =>
    child.once('exit', (code) => {
      if (code !== 0) return rej(new Error(`FIFO reader exited with ${code}`));
      for (const [at, bytes] of JSON.parse(readFileSync(`${out}.chunks`, 'utf8')) as [number, number][]) chunks.push({ at, bytes });
      res();
    }),
  );
  closed.catch(() => undefined);
  return {
    chunks,
    closed,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    samples() {
      data ??= readFileSync(out);
      return new Int32Array(data.buffer, data.byteOffset, Math.floor(data.length / 4));
    },
  };
}

/**
 * Runs a receiving device at SCHED_FIFO 10 from its start (its transmit and receive workers raise
 * themselves to 81/80 with `--realtime`), as an audio deployment would run it: on a loaded 2-core
 * machine the thread-pool thread that writes the FIFO sink otherwise stalls long enough to fill the
 * sink's buffers, which is a property of the machine, not of the device under test.
 */
export const REALTIME_DEVICE = ['chrt', '-f', '10'];

/**
 * Runs `attempt` up to `tries` times and keeps the first passing attempt. A failed attempt is retried
 * only when it reports that the machine disturbed it (`disturbed(true)`: the transmitter counted a
 * stall it could not catch up on, which on a loaded 2-core machine happens even at SCHED_FIFO); any
 * other failure, and the last attempt, is final. So a pass always means a clean, exact run.
 */
export async function retryDisturbed(
  t: ExecutionContext,
  tries: number,
  attempt: (tt: ExecutionContext, disturbed: (why: string) => void) => Promise<void>,
): Promise<void> {
  for (let i = 1; ; i++) {
    let why = '';
    const r = await t.try(async (tt) => attempt(tt, (w) => (why = w)));
    if (r.passed || !why || i === tries) {
      if (!r.passed && why) t.log(`attempt ${i} of ${tries} also disturbed: ${why}`);
      r.commit();
      return;
    }
    t.log(`attempt ${i} disturbed (${why}), retrying: ${r.errors.map((e) => e.message).join('; ')}`);
    r.discard();
  }
}

/**
 * A device's /status, retried: one fetch may time out while a loaded machine catches up, and a
 * fetcher process that stopped answering is replaced.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function statusOf(dev: { name: string; status(): Promise<any>; proc?: { output(): string } }): Promise<any> {
  let failures = 0;
  return waitFor(async () => {
    const s = await dev.status();
    if (s === undefined && ++failures % 2 === 0) stopFetchers();
    return s;
  }, 30000, 200).catch((e: Error) => {
    throw new Error(`${dev.name} /status: ${e.message}\n${dev.proc?.output().slice(-2000) ?? ''}`);
  });
}

/**
 * Known sink problem, fixed separately: a FIFO sink whose write buffers are all in flight drops
 * the block, which shifts every later frame of the output. Such a run says nothing about the path
 * under test, so it counts as disturbed (and its failure stays visible in the log).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sinkDisturbance(st: any): string {
  const n = Number(st?.counters?.receive?.deliveryBlocksDropped ?? 0);
  return n > 0 ? `the FIFO sink dropped ${n} blocks (its buffers were full)` : '';
}
