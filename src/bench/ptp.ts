// PTP accuracy benchmark: `node dist/bench/ptp.js [--seconds N] [--json]` (needs root, ip and
// ptp4l). Runs, at once and each in its own namespace LAN, our v1 and v2 followers against our
// leaders on a clock offset by +123.456789 ms and skewed +50 ppm, our v2 follower against ptp4l,
// and ptp4l following our v2 leader; reports the followers' true error (p50/p99/max over the
// window, from overlays compared on the shared kernel clock) next to ptp4l's own logged offsets,
// and appends the session to bench/results/<date>-ptp.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ErrorStats } from './ptp-analysis.js';
import { createBenchLan } from './netns.js';
import { measureFollower, measurePtp4lFollower, TEST_LEADER_OFFSET_NS, TEST_LEADER_SKEW_PPB } from './ptp-scenarios.js';

export interface PtpBenchOptions {
  /** Measurement window after lock, s (default 60). */
  seconds?: number;
  /** Append the session to bench/results (default true). */
  write?: boolean;
}

export interface PtpBenchSession {
  time: string;
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  followers: { scenario: string; lockSeconds: number | null; error: ErrorStats | null; stepsAfterLock: number }[];
  ptp4lFollower: { selectedUs: boolean; states: string[]; offsets: ErrorStats | null; note: string };
}

function machine(): Record<string, unknown> {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    kernel: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    node: process.version,
    loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
    network: 'veth pairs on a Linux bridge between network namespaces of one machine',
    timestamps: 'software (kernel SO_TIMESTAMPING)',
  };
}

export async function runPtpBench(opts: PtpBenchOptions = {}): Promise<PtpBenchSession> {
  const seconds = opts.seconds ?? 60;
  const lans = [1, 2, 3, 4].map(() => createBenchLan(2));
  try {
    const [v1, v2, p4lLeader, p4lFollower] = await Promise.all([
      measureFollower(lans[0]!.hosts, 'v1', seconds),
      measureFollower(lans[1]!.hosts, 'v2', seconds),
      measureFollower(lans[2]!.hosts, 'ptp4l-leader', seconds),
      measurePtp4lFollower(lans[3]!.hosts, seconds),
    ]);
    const session: PtpBenchSession = {
      time: new Date().toISOString(),
      machine: machine(),
      settings: { seconds, leaderTestOffsetNs: Number(TEST_LEADER_OFFSET_NS), leaderTestSkewPpb: TEST_LEADER_SKEW_PPB, sampleEveryMs: 100 },
      followers: [v1, v2, p4lLeader].map((r) => ({ scenario: r.scenario, lockSeconds: r.lockSeconds, error: r.error, stepsAfterLock: r.stepsAfterLock })),
      ptp4lFollower: {
        selectedUs: p4lFollower.selectedUs,
        states: p4lFollower.states,
        offsets: p4lFollower.stats,
        note: 'offsets ptp4l (free-running, software timestamps) logged while following our v2 leader, after its first 10 s',
      },
    };
    if (opts.write ?? true) appendSession(session);
    return session;
  } finally {
    await Promise.all(lans.map((l) => l.destroy()));
  }
}

function appendSession(session: PtpBenchSession): string {
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${session.time.slice(0, 10)}-ptp.json`;
  const doc: { benchmark: string; sessions: unknown[] } = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { benchmark: string; sessions: unknown[] })
    : { benchmark: 'ptp', sessions: [] };
  doc.sessions.push(session);
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  return file;
}

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf('--seconds');
  const seconds = at >= 0 ? Number(argv[at + 1]) : 60;
  if (!(seconds > 0)) throw new RangeError('--seconds needs a positive number');
  const s = await runPtpBench({ seconds });
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify(s, null, 2) + '\n');
    return;
  }
  const us = (ns: number | undefined): string => (ns === undefined ? '-' : (ns / 1000).toFixed(1)).padStart(8);
  process.stdout.write(`PTP follower error over ${seconds} s after lock (µs), ${String(s.machine.cpu)} × ${String(s.machine.cores)}\n`);
  process.stdout.write('scenario        lock s       p50       p99       max\n');
  for (const f of s.followers) {
    process.stdout.write(`${f.scenario.padEnd(14)} ${String(f.lockSeconds?.toFixed(1) ?? '-').padStart(7)}  ${us(f.error?.p50Ns)}  ${us(f.error?.p99Ns)}  ${us(f.error?.maxNs)}\n`);
  }
  const o = s.ptp4lFollower.offsets;
  process.stdout.write(`ptp4l follower  ${s.ptp4lFollower.selectedUs ? 'selected us' : 'NOT selected'}  ${us(o?.p50Ns)}  ${us(o?.p99Ns)}  ${us(o?.maxNs)}  (ptp4l's own offsets)\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
