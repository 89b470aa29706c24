// `--ptp-version both` as a bridge: a device following a PTPv1 leader (Dante's default) leads PTPv2
// with that time, so a PTPv2-only device (AES67 gear) ends up on the v1 leader's clock. The v1
// leader runs on a clock offset by +123.456789 ms and skewed +50 ppm; the v2 device's error is
// measured against it, two hops away.
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import { ClockState } from '../dist/core/clock-overlay.js';
import { startPtpNode } from '../dist/bench/ptp-lab.js';
import { errorSeries, errorStats, firstInState, parseTrace, traceReference } from '../dist/bench/ptp-analysis.js';
import { sleep, TEST_LEADER_OFFSET_NS, TEST_LEADER_SKEW_PPB } from '../dist/bench/ptp-scenarios.js';

const test = interop({ root: true, commands: ['ip'] });

test('a both-version device bridges a PTPv1 leader to a PTPv2 follower', async (t) => {
  const lan = createLan(3, { tag: 'bridge' });
  try {
    const [a, b, c] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0], typeof lan.hosts[0]];
    // priority1 ≤ 127 sets v1's preferred flag, so A wins v1 whatever the MACs.
    const v1Leader = startPtpNode(a, { version: '1', mode: 'leader', priority1: 100, testOffsetNs: String(TEST_LEADER_OFFSET_NS), testSkewPpb: TEST_LEADER_SKEW_PPB });
    const bridge = startPtpNode(b, { version: 'both', mode: 'auto' });
    const v2Follower = startPtpNode(c, { version: '2', mode: 'follower' });
    const deadline = Date.now() + 40_000;
    let lockedAt: bigint | null = null;
    while (Date.now() < deadline && lockedAt === null) {
      await sleep(500);
      const ft = parseTrace(v2Follower.output());
      // Locked after the bridge itself locked onto the v1 leader (its first locks may be on its own time).
      const bl = firstInState(parseTrace(bridge.output()).pubs, ClockState.Locked);
      const fl = ft.pubs.filter((p) => p.state === ClockState.Locked && bl && p.at > bl.at + 3_000_000_000n)[0];
      if (fl) lockedAt = fl.at;
    }
    t.not(lockedAt, null, `no lock:\n${bridge.errors().slice(-2000)}\n${v2Follower.errors().slice(-2000)}`);
    await sleep(15_000);
    const bs = parseTrace(bridge.output()).statuses.at(-1)!.status as { ports: { version: number; state: string }[] };
    t.deepEqual(bs.ports.map((p) => `${p.version}:${p.state}`), ['1:follower', '2:leader']);
    await v2Follower.stop();
    await bridge.stop();
    await v1Leader.stop();
    const ft = parseTrace(v2Follower.output());
    const end = ft.statuses.at(-1)!.at;
    const err = errorStats(errorSeries(ft.pubs, traceReference(parseTrace(v1Leader.output()).pubs), end - 10_000_000_000n, end));
    t.log(`v2 follower vs v1 leader through the bridge, last 10 s: ${JSON.stringify(err)}`);
    t.true(err.maxNs < 50_000, `max error ${err.maxNs} ns`);
  } finally {
    await lan.destroy();
  }
});
