// Best-master election among three of our devices (PTPv2, priority1 110/120/130, each on its own
// offset and skewed clock): all follow the best; when it dies the next best takes over within 10 s
// and no follower's overlay jumps by more than holdover drift.
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import { startPtpNode, type Peer } from '../dist/bench/ptp-lab.js';
import { parseTrace } from '../dist/bench/ptp-analysis.js';
import { sleep } from '../dist/bench/ptp-scenarios.js';

const test = interop({ root: true, commands: ['ip'] });
/** Bound on any overlay jump at the takeover: ≤ 10 s of holdover at a 5 ppm residual rate error. */
const HOLDOVER_DRIFT_BOUND_NS = 50_000;
const TAKEOVER_S = 10;

const last = (p: Peer): Record<string, unknown> | undefined => parseTrace(p.output()).statuses.at(-1)?.status;

async function until(cond: () => boolean, timeoutMs: number): Promise<number | null> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (cond()) return (Date.now() - start) / 1000;
    await sleep(200);
  }
  return null;
}

test('PTPv2: three devices elect the best; the next best takes over when it dies, without a jump', async (t) => {
  const lan = createLan(3, { tag: 'elect' });
  try {
    const clocks = [
      { priority1: 110, testOffsetNs: '1000000', testSkewPpb: 20_000 },
      { priority1: 120, testOffsetNs: '-2000000', testSkewPpb: -30_000 },
      { priority1: 130, testOffsetNs: '500000', testSkewPpb: 10_000 },
    ];
    const nodes = lan.hosts.map((h, i) => startPtpNode(h, { version: '2', mode: 'auto', ...clocks[i]! }));
    const [best, next, worst] = nodes as [Peer, Peer, Peer];
    const idOf = (p: Peer): unknown => last(p)?.ports && (last(p)!.ports as { leaderId: string }[])[0]?.leaderId;
    const elected = await until(() => {
      const s = nodes.map(last);
      return s.every(Boolean) && s[0]!.portState === 'leader' && s[1]!.state === 'locked' && s[2]!.state === 'locked' &&
        s[1]!.leaderId === s[0]!.leaderId && s[2]!.leaderId === s[0]!.leaderId;
    }, 30_000);
    t.not(elected, null, `no election: ${JSON.stringify(nodes.map(last))}`);
    const bestId = last(best)!.leaderId;
    t.log(`elected ${String(bestId)} after ${elected} s`);
    await sleep(3000);

    const killedAt = BigInt(parseTrace(next.output()).statuses.at(-1)!.at);
    await best.stop();
    const takeover = await until(() => {
      const n = last(next);
      const w = last(worst);
      return n?.portState === 'leader' && w !== undefined && w.leaderId === n.leaderId && w.leaderId !== bestId && w.portState !== 'leader';
    }, (TAKEOVER_S + 2) * 1000);
    t.not(takeover, null, `no takeover: ${JSON.stringify([last(next), last(worst)])}`);
    t.true(takeover! <= TAKEOVER_S, `takeover after ${takeover} s`);
    t.log(`takeover after ${takeover} s; new leader ${String(idOf(next))}`);
    await sleep(4000);
    await next.stop();
    await worst.stop();
    for (const [name, p] of [['next', next], ['worst', worst]] as const) {
      const jumps = parseTrace(p.output()).pubs.filter((x) => x.at > killedAt && x.stepped).map((x) => x.jumpNs);
      t.log(`${name} jumps after the kill: ${JSON.stringify(jumps)}`);
      t.true(jumps.every((j) => Math.abs(j) <= HOLDOVER_DRIFT_BOUND_NS), `${name} jumped ${JSON.stringify(jumps)}`);
    }
  } finally {
    await lan.destroy();
  }
});

test('PTPv1: the preferred device leads; when it dies the other two agree on a new leader without a jump', async (t) => {
  const lan = createLan(3, { tag: 'elect1' });
  try {
    // priority1 ≤ 127 sets the preferred flag; the other two tie and the lower UUID wins.
    const clocks = [
      { priority1: 251, testOffsetNs: '1000000', testSkewPpb: 20_000 },
      { priority1: 100, testOffsetNs: '-2000000', testSkewPpb: -30_000 },
      { priority1: 251, testOffsetNs: '500000', testSkewPpb: 10_000 },
    ];
    const nodes = lan.hosts.map((h, i) => startPtpNode(h, { version: '1', mode: 'auto', ...clocks[i]! }));
    const [x, preferred, z] = nodes as [Peer, Peer, Peer];
    const elected = await until(() => {
      const [sx, sp, sz] = nodes.map(last);
      return !!sx && !!sp && !!sz && sp.portState === 'leader' && sx.state === 'locked' && sz.state === 'locked' &&
        sx.leaderId === sp.leaderId && sz.leaderId === sp.leaderId;
    }, 30_000);
    t.not(elected, null, `no election: ${JSON.stringify(nodes.map(last))}`);
    const bestId = last(preferred)!.leaderId;
    await sleep(3000);
    const killedAt = BigInt(parseTrace(x.output()).statuses.at(-1)!.at);
    await preferred.stop();
    const takeover = await until(() => {
      const [sx, sz] = [last(x), last(z)];
      if (!sx || !sz || sx.leaderId === bestId || sx.leaderId !== sz.leaderId) return false;
      return (sx.portState === 'leader') !== (sz.portState === 'leader');
    }, (TAKEOVER_S + 2) * 1000);
    t.not(takeover, null, `no takeover: ${JSON.stringify([last(x), last(z)])}`);
    t.true(takeover! <= TAKEOVER_S, `takeover after ${takeover} s`);
    await sleep(4000);
    await x.stop();
    await z.stop();
    for (const p of [x, z]) {
      const jumps = parseTrace(p.output()).pubs.filter((q) => q.at > killedAt && q.stepped).map((q) => q.jumpNs);
      t.true(jumps.every((j) => Math.abs(j) <= HOLDOVER_DRIFT_BOUND_NS), `jumped ${JSON.stringify(jumps)}`);
    }
  } finally {
    await lan.destroy();
  }
});
