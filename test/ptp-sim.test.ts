// Leader/follower convergence in synthetic time, PTPv1 and PTPv2.
import test from 'ava';
import { createPtpV1Port, createPtpV2Port, type PtpPort } from '../dist/core/ptp/index.js';
import { PtpSim, percentile } from './support/ptp-sim.js';

const mac = (n: number): Uint8Array => Uint8Array.from([0x02, 0, 0, 0, 0, n]);
const S = 1e9;

interface RunResult {
  lockAtS: number;
  p50: number;
  p99: number;
  max: number;
  followerJumpsAfterLock: number[];
}

function runPair(leader: PtpPort<unknown>, follower: PtpPort<unknown>, seed: number): RunResult {
  const sim = new PtpSim({ seed });
  const L = sim.addNode('leader', leader, { offsetNs: 123_456_789, skewPpm: 50 });
  const F = sim.addNode('follower', follower, { offsetNs: -2_500_000_000, skewPpm: -20 });
  const errs: number[] = [];
  let lockAt = -1;
  for (let t = 0; t <= 120 * S; t += 50_000_000) {
    sim.run(t);
    if (lockAt < 0 && follower.status().state === 'follower') lockAt = t;
    if (lockAt >= 0) {
      const e = Number(sim.ptpTime(F)! - sim.ptpTime(L)!);
      errs.push(Math.abs(e));
    }
  }
  const abs = errs;
  return {
    lockAtS: lockAt / S,
    p50: percentile(abs, 50),
    p99: percentile(abs, 99),
    max: Math.max(...abs),
    followerJumpsAfterLock: F.jumps.filter((j) => j.t > lockAt && Math.abs(j.jumpNs) > 1000).map((j) => j.jumpNs),
  };
}

function check(t: import('ava').ExecutionContext, name: string, r: RunResult): void {
  t.log(`${name}: locked after ${r.lockAtS.toFixed(2)} s; |error| p50 ${(r.p50 / 1000).toFixed(1)} µs, p99 ${(r.p99 / 1000).toFixed(1)} µs, max ${(r.max / 1000).toFixed(1)} µs`);
  t.true(r.lockAtS >= 0 && r.lockAtS <= 15, `lock within 15 s (got ${r.lockAtS})`);
  t.true(r.max < 50_000, `max error ${r.max} ns under 50 µs`);
  t.deepEqual(r.followerJumpsAfterLock, [], 'no steps after lock');
}

test('PTPv2: follower locks onto a skewed leader and stays within 50 µs', (t) => {
  const leader = createPtpV2Port({ mac: mac(1), priority1: 100 }, { mode: 'leader-only' });
  const follower = createPtpV2Port({ mac: mac(2) }, { mode: 'follower-only' });
  const r = runPair(leader as PtpPort<unknown>, follower as PtpPort<unknown>, 7);
  check(t, 'v2', r);
  const st = follower.status();
  t.is(st.leaderId, '020000fffe000001');
  t.is(st.utcOffsetS, 37);
  t.true(st.meanPathDelayNs! > 80_000 && st.meanPathDelayNs! < 120_000, `mean path delay ${st.meanPathDelayNs}`);
  // The follower's rate correction cancels the 70 ppm between the two clocks.
  const mean = st.meanFreqPpb;
  t.true(Math.abs(mean - 70_000) < 1000, `mean freq ${mean} ppb`);
});

test('PTPv1: follower locks onto a skewed leader and stays within 50 µs', (t) => {
  const leader = createPtpV1Port({ mac: mac(1), preferred: true }, { mode: 'leader-only' });
  const follower = createPtpV1Port({ mac: mac(2) }, { mode: 'follower-only' });
  const r = runPair(leader as PtpPort<unknown>, follower as PtpPort<unknown>, 11);
  check(t, 'v1', r);
  t.is(follower.status().leaderId, '020000000001');
});

test('leader serves TAI: underlying + 37 s', (t) => {
  const sim = new PtpSim({ seed: 3 });
  const leader = createPtpV2Port({ mac: mac(1) }, { mode: 'leader-only' });
  const L = sim.addNode('leader', leader as PtpPort<unknown>, { offsetNs: 0, skewPpm: 0 });
  sim.run(5 * S);
  t.is(sim.ptpTime(L)! - sim.u(L, sim.t), 37_000_000_000n);
});
