// The clock worker inside a running device: two devices in a namespace LAN, one PTPv2 leader and
// one follower; /status shows the clock section and /metrics the clock gauges. A missing PHC stops
// the device at start with a clear error.
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import { httpGet, startInferno, waitFor } from './support/inferno-process.js';

const test = interop({ root: true, commands: ['ip'] });

interface ClockSection {
  source: string;
  state: string;
  portState?: string;
  leaderId: string | null;
  timestampKind: string | null;
  freqPpb: number;
  stepGeneration: number;
}

const clockOf = async (host: Parameters<typeof httpGet>[0], port: number): Promise<ClockSection | undefined> => {
  const r = await httpGet(host, `http://127.0.0.1:${port}/status`);
  return r ? (JSON.parse(r.body) as { clock: ClockSection }).clock : undefined;
};

test('a PTPv2 leader device and a follower device: clock status and metrics', async (t) => {
  const lan = createLan(2, { tag: 'clkdev' });
  try {
    const [a, b] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0]];
    const leader = startInferno(a, ['--bind-ip', 'eth0', '--http', '127.0.0.1:18090', '--clock', 'ptp', '--ptp-version', '2', '--ptp-mode', 'leader']);
    const follower = startInferno(b, ['--bind-ip', 'eth0', '--http', '127.0.0.1:18090', '--clock', 'ptp', '--ptp-version', '2', '--ptp-mode', 'follower']);
    const lead = await waitFor(async () => {
      const c = await clockOf(a, 18090);
      return c?.portState === 'leader' ? c : undefined;
    }, 15_000).catch((e: Error) => t.fail(`${e.message}\n${leader.output()}`));
    if (!lead) return;
    t.is(lead.source, 'ptp');
    t.is(lead.state, 'locked');
    t.regex(lead.leaderId ?? '', /^[0-9a-f]{6}fffe[0-9a-f]{6}$/);
    const fol = await waitFor(async () => {
      const c = await clockOf(b, 18090);
      return c?.state === 'locked' ? c : undefined;
    }, 25_000).catch((e: Error) => t.fail(`${e.message}\n${follower.output()}`));
    if (!fol) return;
    t.is(fol.portState, 'follower');
    t.is(fol.leaderId, lead.leaderId);
    t.is(fol.timestampKind, 'software');
    t.true(fol.stepGeneration >= 1, 'the first step onto the leader bumps the step generation');
    const m = await httpGet(b, 'http://127.0.0.1:18090/metrics');
    t.regex(m!.body, /^inferno_clock_state\{state="locked"\} 1$/m);
    t.regex(m!.body, /^inferno_clock_frequency_ppb -?\d/m);
    t.regex(m!.body, /^inferno_clock_mean_path_delay_ns \d/m);
    t.regex(follower.output(), /PTP state.*to=follower|servo locked/);
    await follower.stop();
    await leader.stop();
  } finally {
    await lan.destroy();
  }
});

test('local clock is free-running; a missing PHC stops the device at start with the reason', async (t) => {
  const lan = createLan(1, { tag: 'clkloc' });
  try {
    const [a] = lan.hosts as [typeof lan.hosts[0]];
    const dev = startInferno(a, ['--bind-ip', 'eth0', '--http', '127.0.0.1:18091', '--clock', 'local']);
    const c = await waitFor(async () => {
      const x = await clockOf(a, 18091);
      return x?.state ? x : undefined;
    }, 10_000);
    t.is(c.source, 'local');
    t.is(c.state, 'free-running');
    await dev.stop();
    const phc = startInferno(a, ['--bind-ip', 'eth0', '--clock', 'phc:/dev/ptp-inferno-missing']);
    const exit = await phc.exited;
    t.not(exit.code, 0);
    t.regex(phc.output(), /cannot open PTP hardware clock \/dev\/ptp-inferno-missing: open failed: ENOENT/);
  } finally {
    await lan.destroy();
  }
});
