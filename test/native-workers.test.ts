import test from 'ava';
import { Worker } from 'node:worker_threads';
import { loadNative } from '../dist/native/index.js';
import type { WorkerReport } from './support/native-worker.js';

const WORKER = new URL('./support/native-worker.js', import.meta.url);

function run(cpu: number, tag: string): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: { cpu, tag } });
    w.once('message', (m: WorkerReport & { error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m)));
    w.once('error', reject);
  });
}

test('the addon works in two worker threads at once, with per-thread scheduling', async (t) => {
  const n = loadNative();
  t.true(n.native);
  const before = n.threadScheduling();
  const affinityBefore = n.getCpuAffinity();
  const slackBefore = n.timerSlackNs();
  const cpus = affinityBefore!;
  const [a, b] = await Promise.all([run(cpus[0]!, 'a'), run(cpus[cpus.length - 1]!, 'b')]);
  for (const [r, cpu, tag] of [[a, cpus[0]!, 'a'], [b, cpus[cpus.length - 1]!, 'b']] as const) {
    t.true(r.loaded, tag);
    t.true(r.monotonicOk, tag);
    t.is(r.earlyWakeups, 0, tag);
    t.deepEqual(r.fifo, { ok: true }, tag);
    t.deepEqual(r.schedWhileFifo, { policy: 'fifo', priority: 1 }, tag);
    t.deepEqual(r.backToOther, { ok: true }, tag);
    t.deepEqual(r.affinity, { ok: true }, tag);
    t.deepEqual(r.affinityAfter, [cpu], tag);
    t.deepEqual(r.slack, { ok: true }, tag);
    t.is(r.slackAfter, 1, tag);
    t.is(r.ptp.received, r.ptp.sent, tag);
    t.is(r.ptp.kind, 'software', tag);
  }
  // Scheduling and affinity are per thread: this one is untouched.
  t.deepEqual(n.threadScheduling(), before);
  t.deepEqual(n.getCpuAffinity(), affinityBefore);
  t.is(n.timerSlackNs(), slackBefore);
});
