import test from 'ava';
import { createFallback, loadNative, type OsResult } from '../dist/native/index.js';
import { runNative } from './support/native-child.js';
import { interop } from './support/needs.js';

const n = loadNative();
const fb = createFallback('test');

function failed(t: { true(v: boolean, m?: string): void }, r: OsResult, errno: string): string {
  t.true(!r.ok && r.errno === errno, JSON.stringify(r));
  return r.ok ? '' : r.message;
}

test('native: invalid priorities are EINVAL results, bad types are TypeErrors', (t) => {
  t.true(n.native);
  t.regex(failed(t, n.setRealtimePriority('fifo', 200), 'EINVAL'), /1\.\.99/);
  failed(t, n.setRealtimePriority('fifo', 0), 'EINVAL');
  failed(t, n.setRealtimePriority('other', 5), 'EINVAL');
  t.throws(() => n.setRealtimePriority('batch' as never, 1), { instanceOf: TypeError });
  t.throws(() => n.setRealtimePriority('fifo', 1.5), { instanceOf: TypeError });
  t.throws(() => n.setRealtimePriority('fifo', '10' as never), { instanceOf: TypeError });
  t.throws(() => (n.setRealtimePriority as (...a: unknown[]) => unknown)(), { instanceOf: TypeError });
  // A failed call leaves the thread as it was.
  t.deepEqual(n.threadScheduling(), { policy: 'other', priority: 0 });
});

test('native: CPU affinity validation', (t) => {
  const cpus = n.getCpuAffinity();
  t.true(Array.isArray(cpus) && cpus.length > 0);
  failed(t, n.setCpuAffinity([]), 'EINVAL');
  t.regex(failed(t, n.setCpuAffinity([5000]), 'EINVAL'), /CPU_SETSIZE/);
  failed(t, n.setCpuAffinity([1000]), 'EINVAL'); // not online here
  t.throws(() => n.setCpuAffinity('0' as never), { instanceOf: TypeError });
  t.throws(() => n.setCpuAffinity([-1]), { instanceOf: TypeError });
  t.throws(() => n.setCpuAffinity([0.5]), { instanceOf: TypeError });
  t.deepEqual(n.getCpuAffinity(), cpus);
});

test('native: timer slack argument checks', (t) => {
  t.true(Number.isInteger(n.timerSlackNs()));
  t.throws(() => n.setTimerSlackNs(0), { instanceOf: TypeError });
  t.throws(() => n.setTimerSlackNs(1.5), { instanceOf: TypeError });
  t.throws(() => n.setTimerSlackNs('1' as never), { instanceOf: TypeError });
});

test('fallback: scheduling calls return ENOSYS, bad types still throw', (t) => {
  t.regex(failed(t, fb.setRealtimePriority('fifo', 10), 'ENOSYS'), /native helper/);
  failed(t, fb.setCpuAffinity([0]), 'ENOSYS');
  failed(t, fb.mlockAll(), 'ENOSYS');
  failed(t, fb.setTimerSlackNs(1), 'ENOSYS');
  t.is(fb.timerSlackNs(), null);
  failed(t, fb.munlockAll(), 'ENOSYS');
  t.is(fb.getCpuAffinity(), null);
  t.is(fb.threadScheduling().policy, 'unknown');
  t.throws(() => fb.setRealtimePriority('x' as never, 1), { instanceOf: TypeError });
  t.throws(() => fb.setCpuAffinity([0.5]), { instanceOf: TypeError });
});

// The unprivileged paths, for real: a child with every capability dropped (no CAP_SYS_NICE, no
// CAP_IPC_LOCK) is what the kernel sees of an unprivileged user. It keeps uid 0 so it can still
// read the project wherever it was cloned (a fresh temporary directory is 0700).
interop({ root: true, commands: ['setpriv'] })('native: EPERM/ENOMEM for an unprivileged user name the limits', (t) => {
  const { result } = runNative<{ loaded: boolean; prio: OsResult; lock: OsResult; sched: unknown }>(
    `console.log(JSON.stringify({ loaded: status.loaded, prio: native.setRealtimePriority('fifo', 10),
       lock: native.mlockAll(), sched: native.threadScheduling() }));`,
    { wrap: ['setpriv', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'], env: { ...process.env, INFERNO_NATIVE: '1' } },
  );
  t.true(result.loaded);
  const prio = failed(t, result.prio, 'EPERM');
  t.regex(prio, /CAP_SYS_NICE/);
  t.regex(prio, /RLIMIT_RTPRIO/);
  t.false(result.lock.ok);
  if (!result.lock.ok) {
    t.true(['EPERM', 'ENOMEM'].includes(result.lock.errno));
    t.regex(result.lock.message, /RLIMIT_MEMLOCK/);
    t.regex(result.lock.message, /CAP_IPC_LOCK/);
  }
  t.deepEqual(result.sched, { policy: 'other', priority: 0 });
});
