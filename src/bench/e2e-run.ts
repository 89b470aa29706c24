// One end-to-end run: device A transmits `pattern` on N channels, device B (another namespace on
// the same bridge) subscribes all N at a given latency and writes them to a FIFO the harness reads
// and checks sample by sample. Both devices' CPU and peak RSS come from /proc; counters from /status.
import { spawnSync } from 'node:child_process';
import { constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SETTINGS } from '../config/schema.js';
import { startDevice } from './device-process.js';
import type { BenchDevice } from './device-process.js';
import { createBenchLan, namespaceProblem } from './netns.js';
import { PatternChecker } from './pattern-check.js';
import type { PatternCheckResult } from './pattern-check.js';
import { startSampler } from './proc.js';
import type { ProcFigures } from './proc.js';
import { waitWithProgress } from './progress.js';
import type { Progress } from './scenario.js';
import { round } from './stats.js';

export interface E2eParams {
  channels: number;
  latencyNs: number;
  seconds: number;
  sampleRate: number;
  /** Check B's audio sample by sample (default true); off, B has no sink and only counters count. */
  check?: boolean;
  /** Extra flags for A (pacing mode: --tx-spin-us, --realtime). */
  txFlags?: string[];
  /** Extra flags for B. */
  rxFlags?: string[];
}

export interface DeviceFigures {
  cpuPercent: number;
  cpuPeakPercent: number;
  peakRssBytes: number;
  rssBytes: number;
}

export interface E2eResult {
  params: E2eParams;
  check: PatternCheckResult;
  /** From B's receive status over the measured window. */
  receive: { deliverySkippedFrames: number; deliveryBlocksDropped: number; packets: number; latePackets: number; lostPackets: number; lostFrames: number; achievedLatencyNs?: number; achievedMaxLatencyNs?: number; flows: number; fpp?: number };
  /** A's transmit worker pacing (its own lateness histogram), when it reports one. */
  transmitLateness?: unknown;
  /** A's transmit thread: CPU and run-queue wait (last second and since it started), when reported. */
  transmitThread?: unknown;
  /** A's transmit worker garbage collections since it started (count, pause). */
  transmitGc?: unknown;
  tx: DeviceFigures;
  rx: DeviceFigures;
}

/** --realtime for a scenario: both devices run with --realtime true (SCHED_FIFO transmit and receive). */
export function realtimeFlags(realtime: boolean): Pick<E2eParams, 'txFlags' | 'rxFlags'> {
  const rt = ['--realtime', 'true'];
  return realtime ? { txFlags: rt, rxFlags: rt } : {};
}

/** Device flags the run depends on; missing ones mean this build has no audio transport yet. */
export const E2E_FLAGS = ['tx-source', 'subscribe', 'rx-sink'];
const START_TIMEOUT_S = 25;

export function e2eProblem(): string | undefined {
  const have = new Set(SETTINGS.map((s) => s.flag));
  const missing = E2E_FLAGS.filter((f) => !have.has(f));
  if (missing.length) return `the device has no ${missing.map((f) => `--${f}`).join(', ')} yet (needs the transmit and receive sides)`;
  return namespaceProblem();
}

function devFigures(p: ProcFigures): DeviceFigures {
  return { cpuPercent: round(p.cpuPercent, 1), cpuPeakPercent: round(p.cpuPeakPercent, 1), peakRssBytes: p.peakRssBytes, rssBytes: p.rssBytes };
}

type Json = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);

export async function runE2e(p: E2eParams, progress: Progress, from = 0, to = 1): Promise<E2eResult> {
  const problem = e2eProblem();
  if (problem) throw new Error(problem);
  const say = (f: number, text: string) => progress.update(from + (to - from) * f, text);
  const lan = createBenchLan(2, '10.79.0');
  const dir = mkdtempSync(join(tmpdir(), 'inferno-bench-e2e-'));
  const fifo = join(dir, 'rx.fifo');
  let a: BenchDevice | undefined;
  let b: BenchDevice | undefined;
  let reader: Socket | undefined;
  // Both devices share this host's kernel clock: the run measures the audio transport, not PTP
  // convergence (the ptp scenario measures that).
  const common = ['--sample-rate', String(p.sampleRate), '--clock', 'local'];
  try {
    const check = p.check ?? true;
    if (check && spawnSync('mkfifo', [fifo]).status !== 0) throw new Error('mkfifo failed');
    const [ha, hb] = lan.hosts as [(typeof lan.hosts)[0], (typeof lan.hosts)[0]];
    say(0, `${p.channels} ch at ${p.latencyNs / 1e6} ms: starting devices`);
    a = startDevice(ha, 'bench-tx', [...common, '--tx-channels', String(p.channels), '--rx-channels', '2', '--tx-source', 'pattern', '--tx-latency-ns', String(p.latencyNs), ...(p.txFlags ?? [])]);
    const subs = Array.from({ length: p.channels }, (_, i) => ['--subscribe', `${i + 1}=${String(i + 1).padStart(2, '0')}@bench-tx`]).flat();
    const checker = new PatternChecker(p.channels, Array.from({ length: p.channels }, (_, i) => i + 1), 24);
    checker.counting = false;
    // Read and write end in one non-blocking fd: B's open never waits, and closing never hangs.
    if (check) {
      reader = new Socket({ fd: openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK), readable: true, writable: false });
      reader.on('data', (d) => checker.push(d));
      reader.on('error', () => undefined);
    }
    b = startDevice(hb, 'bench-rx', [...common, '--rx-channels', String(p.channels), '--tx-channels', '2', '--rx-latency-ns', String(p.latencyNs), ...(check ? ['--rx-sink', `fifo:${fifo}`] : []), ...(p.rxFlags ?? []), ...subs]);
    // Wait until every subscribed channel has audio flowing, then start the measured window.
    const end = Date.now() + START_TIMEOUT_S * 1000;
    let st: Json | undefined;
    for (;;) {
      st = await b.status();
      const rx = st?.receive as Json | undefined;
      const chans = (rx?.channels as Json[] | undefined) ?? [];
      if (num(rx?.packets) > 0 && typeof rx?.firstFrameMediaTime === 'number' && chans.length === p.channels && chans.every((c) => c.routed === true)) break;
      if (Date.now() > end) {
        throw new Error(`B did not receive all ${p.channels} channels within ${START_TIMEOUT_S} s; B's receive status: ${JSON.stringify(rx ?? null).slice(0, 600)}; B said: ${b.output().slice(-600)}; A said: ${a.output().slice(-600)}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    checker.setStart(num((st!.receive as Json).firstFrameMediaTime));
    await waitWithProgress({ update: (f, t) => say(f * 0.1, t) }, 1, 'settling');
    const sa = startSampler(a.pid, 500);
    const sb = startSampler(b.pid, 500);
    const s0 = await b.status();
    const b0 = s0?.receive as Json;
    const c0 = ((s0?.counters as Json | undefined)?.receive ?? {}) as Json;
    checker.counting = true;
    await waitWithProgress({ update: (f, t) => say(0.1 + f * 0.9, t) }, p.seconds, `${p.channels} ch at ${p.latencyNs / 1e6} ms: measuring`);
    checker.counting = false;
    const s1 = await b.status();
    const b1 = s1?.receive as Json;
    const c1 = ((s1?.counters as Json | undefined)?.receive ?? {}) as Json;
    const a1 = (await a.status())?.transmit as Json | undefined;
    const fa = sa.stop();
    const fb = sb.stop();
    const d = (k: string) => num(b1[k]) - num(b0[k]);
    const lat = b1.latency as Json | undefined;
    const flows = (b1.flows as Json[] | undefined) ?? [];
    return {
      params: p,
      check: checker.result(),
      receive: {
        deliverySkippedFrames: num(c1.deliverySkippedFrames) - num(c0.deliverySkippedFrames),
        deliveryBlocksDropped: num(c1.deliveryBlocksDropped) - num(c0.deliveryBlocksDropped),
        packets: d('packets'), latePackets: d('latePackets'), lostPackets: d('lostPackets'), lostFrames: d('lostFrames'),
        achievedLatencyNs: typeof lat?.achievedNs === 'number' ? lat.achievedNs : undefined,
        achievedMaxLatencyNs: typeof lat?.achievedMaxNs === 'number' ? lat.achievedMaxNs : undefined,
        flows: flows.length,
      },
      transmitLateness: a1?.lateness,
      transmitThread: a1?.thread,
      transmitGc: a1?.gc,
      tx: devFigures(fa),
      rx: devFigures(fb),
    };
  } finally {
    reader?.destroy();
    await b?.stop();
    await a?.stop();
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Notes on what limited A's transmit worker, from its own figures: time spent waiting for a CPU
 * (run-queue wait) means the lateness came from other threads on the machine, not from the sends.
 */
export function transmitNotes(r: Pick<E2eResult, 'transmitThread' | 'transmitGc'>): string[] {
  const notes: string[] = [];
  const t = (r.transmitThread as { total?: { cpuPercent?: number; runqueueWaitPercent?: number } } | undefined)?.total;
  if (t && typeof t.runqueueWaitPercent === 'number') {
    notes.push(t.runqueueWaitPercent >= 5
      ? `A's transmit thread waited for a CPU ${t.runqueueWaitPercent} % of the time (run-queue wait; on a CPU ${t.cpuPercent} %): its late sends are CPU contention on this machine, not send cost; --realtime (SCHED_FIFO) removes the wait`
      : `A's transmit thread: on a CPU ${t.cpuPercent} %, run-queue wait ${t.runqueueWaitPercent} %`);
  }
  const gc = r.transmitGc as { minor?: number; major?: number; maxPauseMs?: number } | undefined;
  if (gc && typeof gc.minor === 'number') notes.push(`A's transmit worker collected garbage ${gc.minor} times (minor) and ${gc.major} (major) since it started, longest pause ${gc.maxPauseMs} ms`);
  return notes;
}
