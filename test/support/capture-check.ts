// The one capture reader and checker of the end-to-end tests. A device's RX output (a FIFO read by
// `captureFifo`, or a file) is interleaved s32le with frame k at media time `t0 + k`; every sample
// is compared with the pattern (`--tx-source pattern`) of the TX channel its RX channel carries:
//  - a non-zero sample that differs from the pattern is a mismatch, anywhere in the capture;
//  - a zero is start-up silence before the channel's first matching frame (and before `from`),
//    and a dropout after it. Which dropouts a test accepts is `assertCapture`'s `zeros` rule.
import type { ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { patternSample } from '../../dist/core/pattern.js';
import { projectRoot } from './inferno-process.js';
import { unexplained } from './tx-stalls.js';
import type { StallWindow } from './tx-stalls.js';

const readerScript = resolve(projectRoot, 'dist-test', 'support', 'fifo-reader.js');

export function readS32(path: string): Int32Array {
  const b = readFileSync(path);
  return new Int32Array(b.buffer, b.byteOffset, Math.floor(b.length / 4));
}

export interface FifoCapture {
  /** Media time (at `rate`) when each chunk arrived at the reader, and its size in bytes. */
  chunks: { at: number; bytes: number }[];
  /** Resolves once the device closed the FIFO and the reader has handed over everything. */
  closed: Promise<void>;
  samples(): Int32Array;
  /** Stops the reader for `ms` (SIGSTOP/SIGCONT): the FIFO fills up and the sink's writes block. */
  pauseFor(ms: number): Promise<void>;
  /** Ends a reader that is paused or whose device never opened the FIFO. */
  stop(): void;
}

/**
 * Makes a FIFO at `path` and reads it in a child process at SCHED_FIFO (fifo-reader.ts), so a loaded
 * machine does not stall the reader (which would fill the pipe and the sink's buffers: not what
 * these tests measure); resolves once the reader is opening it.
 */
export async function captureFifo(path: string, rate: number): Promise<FifoCapture> {
  if (spawnSync('mkfifo', [path]).status !== 0) throw new Error(`mkfifo ${path} failed`);
  const out = `${path}.raw`;
  const child = spawn('chrt', ['-f', '20', process.execPath, readerScript, path, out, String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    child.stdout!.once('data', () => res());
    child.once('exit', (code) => rej(new Error(`FIFO reader exited with ${code} before opening ${path}`)));
  });
  const chunks: { at: number; bytes: number }[] = [];
  let data: Buffer | undefined;
  let paused = false;
  const running = () => child.exitCode === null && child.signalCode === null;
  const signal = (s: NodeJS.Signals) => { if (running()) child.kill(s); };
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
    samples() {
      data ??= readFileSync(out);
      return new Int32Array(data.buffer, data.byteOffset, Math.floor(data.length / 4));
    },
    async pauseFor(ms: number) {
      signal('SIGSTOP');
      paused = true;
      await new Promise((r) => setTimeout(r, ms));
      signal('SIGCONT');
      paused = false;
    },
    stop() {
      if (paused) signal('SIGCONT');
      signal('SIGKILL');
    },
  };
}

/** Delivery latency at the reader (samples): each chunk's arrival − the media time just after its last frame. */
export interface ReaderLatency { min: number; median: number; max: number; chunks: number }

/** Over the chunks ending at or after media time `from` (and before `until`). */
export function readerLatency(cap: FifoCapture, channels: number, t0: number, from: number, until = Infinity): ReaderLatency {
  let frames = 0;
  const lat: number[] = [];
  for (const c of cap.chunks) {
    frames += c.bytes / 4 / channels;
    if (t0 + frames >= from && t0 + frames < until) lat.push(c.at - (t0 + frames));
  }
  lat.sort((a, b) => a - b);
  if (!lat.length) return { min: NaN, median: NaN, max: NaN, chunks: 0 };
  return { min: lat[0]!, median: lat[Math.floor(lat.length / 2)]!, max: lat[lat.length - 1]!, chunks: lat.length };
}

export interface BadSample {
  frame: number;
  rx: number;
  got: number;
  want: number;
  mediaTime: number;
  /** Where the wrong value belongs: this channel's pattern that many frames away, or another TX channel's. */
  offset?: number;
  channel?: number;
}

export interface ChannelCheck {
  rx: number;
  tx: number;
  /** Frame of the first non-zero sample equal to the pattern, or -1. */
  first: number;
  /** Samples compared from this channel's settled point (max of `first` and `from`) on. */
  checked: number;
  /** Non-zero samples that differ from the pattern, anywhere in the capture. */
  mismatches: number;
  /** Zero samples where the pattern is not zero, from the settled point on. */
  zeros: number;
  /** Those zeros in runs [media time, length]. */
  zeroRuns: [number, number][];
  /** Zero samples before the settled point (flow start-up). */
  startupZeros: number;
  firstBad?: BadSample;
}

export interface CaptureCheck {
  frames: number;
  /** Frame of the first frame where every channel equals the pattern, or -1. */
  firstFull: number;
  channels: ChannelCheck[];
  /** Sums over the channels. */
  checked: number;
  mismatches: number;
  dropouts: number;
  startupZeros: number;
  firstBad?: BadSample;
}

function whereFrom(got: number, tx: number, m: number, bits: number): { offset?: number; channel?: number } {
  let offset: number | undefined;
  for (let d = 1; d <= 200_000 && offset === undefined; d++) for (const o of [d, -d]) if (patternSample(tx, m + o, bits) === got) offset = o;
  let channel: number | undefined;
  for (let ch = 1; ch <= 128 && channel === undefined; ch++) if (patternSample(ch, m, bits) === got) channel = ch;
  return { offset, channel };
}

/**
 * `txOf[rx - 1]` is the TX channel whose pattern RX channel `rx` carries. Dropouts are counted per
 * channel from its first matching frame, or from media time `from` if later: from there on the
 * channel's flow runs, so a zero can only be lost audio.
 */
export function checkCapture(s: Int32Array, txOf: readonly number[], o: { bits: number; t0: number; from?: number }): CaptureCheck {
  const n = txOf.length;
  const frames = Math.floor(s.length / n);
  const from = o.from ?? -Infinity;
  const out: CaptureCheck = { frames, firstFull: -1, channels: [], checked: 0, mismatches: 0, dropouts: 0, startupZeros: 0 };
  const full = new Uint8Array(frames).fill(1);
  for (let c = 0; c < n; c++) {
    const tx = txOf[c]!;
    const r: ChannelCheck = { rx: c + 1, tx, first: -1, checked: 0, mismatches: 0, zeros: 0, zeroRuns: [], startupZeros: 0 };
    for (let k = 0, i = c; k < frames; k++, i += n) {
      const m = o.t0 + k;
      const got = s[i]!;
      const want = patternSample(tx, m, o.bits);
      if (r.first < 0 && got === want && got !== 0) r.first = k;
      const settled = r.first >= 0 && m >= from;
      if (settled) r.checked++;
      if (got === want) continue;
      full[k] = 0;
      if (got !== 0) {
        r.mismatches++;
        r.firstBad ??= { frame: k, rx: c + 1, got, want, mediaTime: m, ...whereFrom(got, tx, m, o.bits) };
      } else if (!settled) {
        r.startupZeros++;
      } else {
        r.zeros++;
        const last = r.zeroRuns[r.zeroRuns.length - 1];
        if (last && last[0] + last[1] === m) last[1]++;
        else r.zeroRuns.push([m, 1]);
      }
    }
    out.channels.push(r);
    out.checked += r.checked;
    out.mismatches += r.mismatches;
    out.dropouts += r.zeros;
    out.startupZeros += r.startupZeros;
    if (r.firstBad && (!out.firstBad || r.firstBad.frame < out.firstBad.frame)) out.firstBad = r.firstBad;
  }
  out.firstFull = n ? full.indexOf(1) : -1;
  return out;
}

/** Zero samples in runs [start, length] at media times before `until`. */
export function zerosBefore(runs: readonly (readonly [number, number])[], until: number): number {
  return runs.reduce((a, [start, len]) => a + Math.max(0, Math.min(len, until - start)), 0);
}

/**
 * Which dropouts a test accepts; without a rule, none. `counted`: no more zeros (before media time
 * `until`, when the device's counters were read) than the device counted per RX channel (missing +
 * zero-filled frames). `stalls`: also only inside stall windows of the transmitter each RX channel
 * comes from (`stalls[rx - 1]`, see tx-stalls.ts).
 */
export interface ZeroRule {
  counted: { perChannel: readonly number[]; until?: number };
  stalls?: readonly (readonly StallWindow[])[];
}

/** Per channel: something received, no wrong sample, and only the dropouts `zeros` accepts. */
export function assertCapture(t: ExecutionContext, label: string, c: CaptureCheck, zeros?: ZeroRule, ref = 0): void {
  for (const r of c.channels) {
    const runs = JSON.stringify(r.zeroRuns.slice(0, 5).map(([m, n]) => [m - ref, n]));
    t.true(r.first >= 0, `${label} RX ${r.rx} received TX ${r.tx}'s pattern`);
    t.is(r.mismatches, 0, `${label} RX ${r.rx}: no wrong sample (${r.mismatches} of ${r.checked}) ${JSON.stringify(r.firstBad)}`);
    if (zeros?.stalls) {
      const other = unexplained(r.zeroRuns, zeros.stalls[r.rx - 1] ?? []);
      t.deepEqual(other.map(([m, n]) => [m - ref, n]), [], `${label} RX ${r.rx}: dropouts outside the transmitter's counted stalls (runs [start − ${ref}, length])`);
    }
    if (zeros) {
      const z = zerosBefore(r.zeroRuns, zeros.counted.until ?? Infinity);
      const counted = zeros.counted.perChannel[r.rx - 1]!;
      t.true(z <= counted, `${label} RX ${r.rx}: every zero counted by the receiver (${z} zeros, ${counted} counted; runs [start − ${ref}, length]: ${runs})`);
    } else {
      t.is(r.zeros, 0, `${label} RX ${r.rx}: no dropout after settling (runs [start − ${ref}, length]: ${runs})`);
    }
  }
}
