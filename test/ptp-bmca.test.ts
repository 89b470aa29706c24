// Best-master election and failover, and robustness of a locked follower, in synthetic time.
import test from 'ava';
import {
  compareV1,
  compareV2,
  createPtpV1Port,
  createPtpV2Port,
  decodeV2,
  encodeV2,
  type PtpPort,
  type V1Dataset,
  type V2Dataset,
} from '../dist/core/ptp/index.js';
import { PtpSim } from './support/ptp-sim.js';

const mac = (n: number): Uint8Array => Uint8Array.from([0x02, 0, 0, 0, 0, n]);
const S = 1e9;
const id2 = (n: number): string => `020000fffe0000${n.toString(16).padStart(2, '0')}`;

test('v2 data set comparison order', (t) => {
  const port = { clockIdentity: new Uint8Array(8), portNumber: 1 };
  const base: V2Dataset = {
    priority1: 128, clockClass: 248, clockAccuracy: 0xfe, offsetScaledLogVariance: 0xffff, priority2: 128,
    grandmasterIdentity: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 2]), stepsRemoved: 1, sender: port, receiver: port,
  };
  const other = { ...base, grandmasterIdentity: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 3]) };
  t.true(compareV2(base, other) < 0, 'lower identity breaks the tie');
  t.true(compareV2({ ...other, priority2: 127 }, base) < 0, 'priority2 before identity');
  t.true(compareV2({ ...other, offsetScaledLogVariance: 0x4e5d }, { ...base, priority2: 1 }) < 0, 'variance before priority2');
  t.true(compareV2({ ...other, clockClass: 6 }, { ...base, clockAccuracy: 0x20 }) < 0, 'class before accuracy');
  t.true(compareV2({ ...other, priority1: 127, clockClass: 255 }, { ...base, clockClass: 6 }) < 0, 'priority1 first');
  t.true(compareV2({ ...base, stepsRemoved: 1 }, { ...base, stepsRemoved: 3 }) < 0, 'same grandmaster: fewer steps');
});

test('v1 comparison: preferred, then stratum, identifier, variance, uuid', (t) => {
  const base: V1Dataset = {
    preferred: false, stratum: 4, identifier: 'DFLT', variance: -4000, isBoundaryClock: false,
    grandmasterUuid: mac(2), grandmasterPortId: 1, stepsRemoved: 1, senderUuid: mac(2), senderPortId: 1,
  };
  const other = { ...base, grandmasterUuid: mac(3), senderUuid: mac(3) };
  t.true(compareV1(base, other) < 0);
  t.true(compareV1({ ...other, preferred: true }, { ...base, stratum: 1, identifier: 'GPS' }) < 0, 'preferred wins');
  t.true(compareV1({ ...other, stratum: 3 }, base) < 0);
  t.true(compareV1({ ...other, identifier: 'NTP' }, base) < 0);
  t.true(compareV1({ ...other, variance: -5000 }, base) < 0);
});

function threePorts(version: 1 | 2, sim: PtpSim): void {
  // A is best, then B, then C; all in auto mode.
  const make = (n: number, rank: number): PtpPort<unknown> =>
    (version === 2
      ? createPtpV2Port({ mac: mac(n), priority1: 100 + rank })
      : createPtpV1Port({ mac: mac(n), stratum: 3 + rank })) as PtpPort<unknown>;
  sim.addNode('A', make(1, 0), { offsetNs: 5_000_000, skewPpm: 30 });
  sim.addNode('B', make(2, 1), { offsetNs: -70_000_000, skewPpm: -10 });
  sim.addNode('C', make(3, 2), { offsetNs: 900_000_000, skewPpm: 5 });
}

for (const version of [1, 2] as const) {
  test(`v${version}: three ports elect the best, fail over within 10 s without stepping`, (t) => {
    const sim = new PtpSim({ seed: 21 + version });
    threePorts(version, sim);
    const [A, B, C] = ['A', 'B', 'C'].map((n) => sim.node(n));
    sim.run(40 * S);
    t.is(A!.port.status().state, 'leader');
    t.is(B!.port.status().state, 'follower');
    t.is(C!.port.status().state, 'follower');
    const aId = version === 2 ? id2(1) : '020000000001';
    t.is(B!.port.status().leaderId, aId);
    t.is(C!.port.status().leaderId, aId);
    const cVsB = (): number => Number(sim.ptpTime(C!)! - sim.ptpTime(B!)!);
    t.true(Math.abs(cVsB()) < 50_000);

    const killAt = sim.t;
    A!.alive = false;
    let takeover = -1;
    for (let tt = killAt; tt <= killAt + 30 * S; tt += 100_000_000) {
      sim.run(tt);
      const bId = version === 2 ? id2(2) : '020000000002';
      if (takeover < 0 && B!.port.status().state === 'leader' && C!.port.status().leaderId === bId) takeover = tt - killAt;
    }
    t.log(`v${version}: next best took over after ${(takeover / S).toFixed(1)} s`);
    t.true(takeover >= 0 && takeover <= 10 * S, `takeover ${takeover / S} s`);
    const holdovers = [B!, C!].filter((n) =>
      n.actions.some((a) => a.t > killAt && a.action.type === 'stateChange' && a.action.to === 'holdover'),
    );
    t.is(holdovers.length, 2, 'both followers entered holdover when the leader vanished');
    t.is(C!.port.status().state, 'follower');
    // No step after the leader vanished: every overlay change of B and C is a small slew.
    const bigJumps = [B!, C!].flatMap((n) => n.jumps.filter((j) => j.t > killAt && Math.abs(j.jumpNs) > 10_000));
    t.deepEqual(bigJumps, []);
    t.true(Math.abs(cVsB()) < 50_000, `C vs B ${cVsB()} ns`);
  });
}

function lockedPair(tamper?: (from: string, data: Buffer, t: number) => Buffer | null): PtpSim {
  const sim = new PtpSim({ seed: 5, tamper });
  sim.addNode('L', createPtpV2Port({ mac: mac(1) }, { mode: 'leader-only' }) as PtpPort<unknown>, { offsetNs: 0, skewPpm: 10 });
  sim.addNode('F', createPtpV2Port({ mac: mac(2) }, { mode: 'follower-only' }) as PtpPort<unknown>, { offsetNs: 3e9, skewPpm: -10 });
  return sim;
}

/** Rewrites the time in a Follow_Up from L by `shiftS` seconds. */
function shiftFollowUp(data: Buffer, shiftS: bigint): Buffer {
  const m = decodeV2(data);
  if (m.kind !== 'followUp') return data;
  return encodeV2({ ...m, preciseOriginTimestamp: { ...m.preciseOriginTimestamp, seconds: m.preciseOriginTimestamp.seconds + shiftS } });
}

test('rogue leader time jump on one sample: no step', (t) => {
  let fired = 0;
  const sim = lockedPair((from, data, now) => {
    if (from === 'L' && now > 60 * S && fired < 1 && decodeV2(data).kind === 'followUp') {
      fired++;
      return shiftFollowUp(data, 5n);
    }
    return data;
  });
  sim.run(90 * S);
  const F = sim.node('F');
  t.is(fired, 1);
  t.is(F.port.status().state, 'follower');
  t.deepEqual(F.jumps.filter((j) => j.t > 30 * S && Math.abs(j.jumpNs) > 1000), []);
  t.true(Math.abs(Number(sim.ptpTime(F)! - sim.ptpTime(sim.node('L'))!)) < 50_000);
  t.is(F.port.status().drops['offset-outlier'], 1);
});

test('leader whose clock really jumps: the follower steps only after consistent samples', (t) => {
  let jumpedAt = -1;
  const sim = lockedPair((from, data, now) => {
    if (from === 'L' && now > 60 * S) {
      if (jumpedAt < 0) jumpedAt = now;
      return shiftFollowUp(data, 3n);
    }
    return data;
  });
  sim.run(90 * S);
  const F = sim.node('F');
  const steps = F.jumps.filter((j) => j.t > 30 * S && Math.abs(j.jumpNs) > 1_000_000);
  t.is(steps.length, 1);
  t.true(Math.abs(steps[0]!.jumpNs - 3e9) < 1e6);
  // At 8 Syncs/s, four consistent samples take at least 3 intervals.
  t.true(steps[0]!.t - jumpedAt >= 3 * 125e6, `stepped ${(steps[0]!.t - jumpedAt) / 1e6} ms after the jump`);
});

test('garbage, truncated, wrong-version and absurd packets do not disturb a locked follower', (t) => {
  const sim = lockedPair();
  sim.run(40 * S);
  const F = sim.node('F');
  const L = sim.node('L');
  const port = F.port;
  let seed = 99;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
  // A Follow_Up from the real leader with the largest possible time: absurd but well-formed.
  const sent = L.actions.map((a) => a.action).filter((a) => a.type === 'send' && a.port === 'general');
  const followUp = sent.map((a) => decodeV2((a as { data: Buffer }).data)).find((m) => m.kind === 'followUp')!;
  const sync = encodeV2({
    kind: 'followUp',
    header: followUp.header,
    preciseOriginTimestamp: { seconds: (1n << 48n) - 1n, nanoseconds: 999_999_999 },
  });
  for (let i = 0; i < 500; i++) {
    sim.at(sim.t + i * 20e6, () => {
      const len = Math.floor(rnd() * 80);
      const junk = Buffer.alloc(len);
      for (let j = 0; j < len; j++) junk[j] = Math.floor(rnd() * 256);
      if (len > 2 && i % 3 === 0) junk[1] = 2;
      const variants = [junk, sync, sync.subarray(0, 20), Buffer.from([0, 1, 0, 1]), Buffer.from([0x00, 0x05])];
      for (const v of variants) port.handle({ type: 'rx', data: v, rxTimestamp: sim.u(F, sim.t) });
    });
  }
  sim.run(60 * S);
  t.is(port.status().state, 'follower');
  t.deepEqual(F.jumps.filter((j) => j.t > 40 * S && Math.abs(j.jumpNs) > 1000), []);
  t.true(Math.abs(Number(sim.ptpTime(F)! - sim.ptpTime(L)!)) < 50_000);
  const drops = port.status().drops;
  t.true((drops['truncated'] ?? 0) > 0 && (drops['wrong-version'] ?? 0) > 0, JSON.stringify(drops));
});
