// PTP measurement scenarios shared by the interop tests and the benchmark. Each runs peers in
// namespace hosts it is given and measures against ground truth: every namespace reads the same
// kernel clocks, so a node's published overlay can be compared with its leader's at one instant.
import { ClockState } from '../core/clock-overlay.js';
import { loadNative } from '../native/index.js';
import {
  errorSeries,
  errorStats,
  firstInState,
  parsePtp4lOffsets,
  parseTrace,
  traceReference,
  type ErrorStats,
  type Trace,
} from './ptp-analysis.js';
import { startPtp4l, startPtpNode, type Peer, type PtpHost } from './ptp-lab.js';

/** The deliberate disagreement of a test leader's underlying clock with CLOCK_TAI. */
export const TEST_LEADER_OFFSET_NS = 123_456_789n;
export const TEST_LEADER_SKEW_PPB = 50_000;
/** How long a follower may take to lock (the target). */
export const LOCK_TIMEOUT_S = 15;
/** ptp4l log lines before this many seconds after it selects a leader are start-up, not accuracy. */
export const PTP4L_SETTLE_S = 10;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface FollowerResult {
  scenario: string;
  /** Seconds from the follower's start to its first Locked publication (null: never locked). */
  lockSeconds: number | null;
  /** |follower − truth| over the measurement window after lock. */
  error: ErrorStats | null;
  /** Steps the follower made after lock. */
  stepsAfterLock: number;
  follower: Trace;
  leaderLog: string;
  followerLog: string;
}

async function waitLocked(node: Peer, timeoutS: number): Promise<boolean> {
  const end = Date.now() + timeoutS * 1000;
  while (Date.now() < end) {
    if (firstInState(parseTrace(node.output()).pubs, ClockState.Locked)) return true;
    if (node.proc.exitCode !== null) return false;
    await sleep(250);
  }
  return false;
}

/**
 * Our follower against a leader: our own v1 or v2 leader on an offset and skewed clock, or ptp4l.
 * ptp4l on CLOCK_REALTIME announces the arbitrary timescale (PTP_TIMESCALE clear) and sends
 * CLOCK_REALTIME as is; a follower takes the leader's time as sent, so the truth is CLOCK_REALTIME.
 */
export async function measureFollower(hosts: readonly PtpHost[], scenario: 'v1' | 'v2' | 'ptp4l-leader', seconds: number): Promise<FollowerResult> {
  const [a, b] = hosts as [PtpHost, PtpHost];
  const leader =
    scenario === 'ptp4l-leader'
      ? startPtp4l(a, { priority1: 100 })
      : startPtpNode(a, { version: scenario === 'v1' ? '1' : '2', mode: 'leader', testOffsetNs: String(TEST_LEADER_OFFSET_NS), testSkewPpb: TEST_LEADER_SKEW_PPB });
  const follower = startPtpNode(b, { version: scenario === 'v1' ? '1' : '2', mode: 'follower' });
  try {
    // ptp4l first listens for 4 announce intervals before it leads.
    const locked = await waitLocked(follower, LOCK_TIMEOUT_S + (scenario === 'ptp4l-leader' ? 10 : 2));
    if (locked) await sleep(seconds * 1000);
  } finally {
    await follower.stop();
    await leader.stop();
  }
  const ft = parseTrace(follower.output());
  const lock = firstInState(ft.pubs, ClockState.Locked);
  const taiOffsetNs = BigInt(loadNative().taiOffsetSeconds()) * 1_000_000_000n;
  const reference = scenario === 'ptp4l-leader' ? (u: bigint) => u - taiOffsetNs : traceReference(parseTrace(leader.output()).pubs);
  const end = ft.pubs.length ? ft.statuses.at(-1)?.at ?? ft.pubs.at(-1)!.at : 0n;
  return {
    scenario,
    lockSeconds: lock && ft.pubs[0] ? Number(lock.at - ft.pubs[0].at) / 1e9 : null,
    error: lock ? errorStats(errorSeries(ft.pubs, reference, lock.at, end)) : null,
    stepsAfterLock: lock ? ft.pubs.filter((p) => p.at > lock.at && p.stepped).length : 0,
    follower: ft,
    leaderLog: leader.output() + leader.errors(),
    followerLog: follower.errors(),
  };
}

export interface Ptp4lFollowerResult {
  /** ptp4l chose our clock as best master. */
  selectedUs: boolean;
  states: string[];
  /** Offsets ptp4l logged after its first PTP4L_SETTLE_S seconds as a follower. */
  offsets: number[];
  stats: ErrorStats | null;
  log: string;
  leaderId: string | null;
}

/** ptp4l (free-running) following our v2 leader, which serves true TAI from CLOCK_TAI. */
export async function measurePtp4lFollower(hosts: readonly PtpHost[], seconds: number): Promise<Ptp4lFollowerResult> {
  const [a, b] = hosts as [PtpHost, PtpHost];
  const leader = startPtpNode(a, { version: '2', mode: 'auto', priority1: 100 });
  // summary_interval = the sync interval: ptp4l logs every offset instead of 16-s summaries.
  const p4l = startPtp4l(b, { followerOnly: true, extra: { summary_interval: -3 } });
  try {
    await sleep((seconds + PTP4L_SETTLE_S + 8) * 1000);
  } finally {
    await p4l.stop();
    await leader.stop();
  }
  const log = p4l.output();
  const ours = parseTrace(leader.output()).statuses.at(-1)?.status.leaderId as string | undefined;
  const sel = /selected best master clock ([0-9a-f]{6})\.([0-9a-f]{4})\.([0-9a-f]{6})/.exec(log);
  const selectedId = sel ? sel[1]! + sel[2]! + sel[3]! : null;
  const states = [...log.matchAll(/port 1: \w+ to (\w+)/g)].map((m) => m[1]!);
  const all = parsePtp4lOffsets(log);
  const start = /ptp4l\[(\d+\.\d+)\]: port 1: \w+ to UNCALIBRATED/.exec(log);
  const t0 = start ? Number(start[1]) : (all[0]?.t ?? 0);
  const offsets = all.filter((o) => o.t - t0 >= PTP4L_SETTLE_S).map((o) => o.offsetNs);
  return {
    selectedUs: selectedId !== null && selectedId === ours,
    states,
    offsets,
    stats: offsets.length ? errorStats(offsets) : null,
    log,
    leaderId: ours ?? null,
  };
}
