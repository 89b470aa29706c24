// Worker-thread body for test/native-workers.test.ts: uses the addon from this thread (reads,
// absolute sleeps, per-thread scheduling and affinity, a loopback PTP socket) and posts the results.
import { parentPort, workerData } from 'node:worker_threads';
import { loadNative, nativeStatus } from '../../dist/native/index.js';

export interface WorkerReport {
  loaded: boolean;
  monotonicOk: boolean;
  earlyWakeups: number;
  sleeps: number;
  fifo: unknown;
  schedWhileFifo: unknown;
  backToOther: unknown;
  affinity: unknown;
  affinityAfter: number[] | null;
  slack: unknown;
  slackAfter: number | null;
  ptp: { sent: string; received: string | null; kind: string | null };
}

async function main(): Promise<WorkerReport> {
  const { cpu, tag } = workerData as { cpu: number; tag: string };
  const n = loadNative();
  const M = n.CLOCK_MONOTONIC;
  let monotonicOk = true;
  let prev = n.clockNs(M);
  for (let i = 0; i < 10_000; i++) {
    const now = n.clockNs(M);
    if (now < prev) monotonicOk = false;
    prev = now;
  }
  let early = 0;
  const sleeps = 50;
  for (let i = 0; i < sleeps; i++) {
    const target = n.clockNs(M) + 1_000_000n;
    n.sleepUntil(M, target);
    if (n.clockNs(M) < target) early++;
  }
  // A low SCHED_FIFO priority on this thread only, then back; the thread sleeps meanwhile.
  const fifo = n.setRealtimePriority('fifo', 1);
  const schedWhileFifo = n.threadScheduling();
  const backToOther = n.setRealtimePriority('other', 0);
  const affinity = n.setCpuAffinity([cpu]);
  const affinityAfter = n.getCpuAffinity();
  const slack = n.setTimerSlackNs(1);
  const slackAfter = n.timerSlackNs();

  const a = await n.ptpSocketOpen({ bindAddress: '127.0.0.1', port: 0 });
  const sent = `hello from ${tag}`;
  let received: string | null = null;
  let kind: string | null = null;
  try {
    // The kernel turns RX timestamping on asynchronously when the first timestamping socket opens,
    // so a datagram sent right away may arrive unstamped ('user'); a later one must be stamped.
    for (let i = 0; i < 5 && kind !== 'software'; i++) {
      await a.send(Buffer.from(sent), '127.0.0.1', a.info().localPort);
      const m = await a.recv(2000);
      received = m?.data.toString() ?? null;
      kind = m?.timestampKind ?? null;
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    a.close();
  }
  return {
    loaded: nativeStatus().loaded,
    monotonicOk,
    earlyWakeups: early,
    sleeps,
    fifo,
    schedWhileFifo,
    backToOther,
    affinity,
    affinityAfter,
    slack,
    slackAfter,
    ptp: { sent, received, kind },
  };
}

main().then(
  (r) => parentPort!.postMessage(r),
  (err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.stack : String(err) }),
);
