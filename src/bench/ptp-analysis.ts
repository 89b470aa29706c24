// Ground truth for PTP measurements: overlay traces published by nodes that share the machine's
// kernel clocks, evaluated at common CLOCK_TAI instants, plus ptp4l's own log figures.
import { Overlay } from '../core/ptp/overlay.js';
import type { TraceLine } from './ptp-node.js';

export interface Publication {
  at: bigint;
  overlay: Overlay;
  state: number;
  leaderId: string | null;
  stepped: boolean;
  jumpNs: number;
}

export interface NodeStatusLine {
  at: bigint;
  status: Record<string, unknown>;
  counters: Record<string, number>;
}

export interface Trace {
  pubs: Publication[];
  statuses: NodeStatusLine[];
}

export function parseTrace(text: string): Trace {
  const pubs: Publication[] = [];
  const statuses: NodeStatusLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const j = JSON.parse(line) as TraceLine | { type: 'status'; at: string; status: Record<string, unknown>; counters: Record<string, number> };
    if (j.type === 'pub') {
      pubs.push({
        at: BigInt(j.at),
        overlay: new Overlay({ lastSyncNs: BigInt(j.lastSyncNs), shiftNs: BigInt(j.shiftNs), freqScale: j.freqScale }),
        state: j.state,
        leaderId: j.leaderId,
        stepped: j.stepped,
        jumpNs: j.jumpNs,
      });
    } else {
      statuses.push({ at: BigInt(j.at), status: j.status, counters: j.counters });
    }
  }
  return { pubs, statuses };
}

/** The publication in force at CLOCK_TAI instant u (the last one published at or before it). */
export function publicationAt(pubs: readonly Publication[], u: bigint): Publication | null {
  let lo = 0;
  let hi = pubs.length - 1;
  let found: Publication | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pubs[mid]!.at <= u) {
      found = pubs[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Follower overlay minus reference at every `stepNs` from `from` to `to`, ns. */
export function errorSeries(follower: readonly Publication[], reference: (u: bigint) => bigint | null, from: bigint, to: bigint, stepNs = 100_000_000n): number[] {
  const out: number[] = [];
  for (let u = from; u <= to; u += stepNs) {
    const f = publicationAt(follower, u);
    const r = reference(u);
    if (!f || r === null) continue;
    out.push(Number(f.overlay.read(u) - r));
  }
  return out;
}

/** A node's published time as a reference function. */
export function traceReference(pubs: readonly Publication[]): (u: bigint) => bigint | null {
  return (u) => publicationAt(pubs, u)?.overlay.read(u) ?? null;
}

export interface ErrorStats {
  samples: number;
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
  meanNs: number;
}

/** Percentiles of |error|; mean of the signed error (a constant bias shows there). */
export function errorStats(xs: readonly number[]): ErrorStats {
  const abs = xs.map(Math.abs).sort((a, b) => a - b);
  const q = (p: number): number => (abs.length ? abs[Math.min(abs.length - 1, Math.floor(p * abs.length))]! : NaN);
  return {
    samples: xs.length,
    p50Ns: Math.round(q(0.5)),
    p99Ns: Math.round(q(0.99)),
    maxNs: Math.round(abs[abs.length - 1] ?? NaN),
    meanNs: Math.round(xs.reduce((a, b) => a + b, 0) / (xs.length || 1)),
  };
}

/** First publication in `state` (ClockState), or null. */
export function firstInState(pubs: readonly Publication[], state: number): Publication | null {
  return pubs.find((p) => p.state === state) ?? null;
}

export interface Ptp4lOffset {
  /** ptp4l's own timestamp (CLOCK_MONOTONIC s) from its log line. */
  t: number;
  offsetNs: number;
  servoState: string;
  pathDelayNs: number;
}

/** `ptp4l[123.456]: master offset -12 s2 freq +3 path delay 456` lines from `ptp4l -m`. */
export function parsePtp4lOffsets(log: string): Ptp4lOffset[] {
  const out: Ptp4lOffset[] = [];
  const re = /ptp4l\[(\d+\.\d+)\]: master offset\s+(-?\d+) (s\d) freq\s+[+-]?\d+ path delay\s+(-?\d+)/g;
  for (let m = re.exec(log); m; m = re.exec(log)) {
    out.push({ t: Number(m[1]), offsetNs: Number(m[2]), servoState: m[3]!, pathDelayNs: Number(m[4]) });
  }
  return out;
}
