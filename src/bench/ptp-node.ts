// One PTP node for measurements, run inside a network namespace by the PTP tests and benchmark:
//   node dist/bench/ptp-node.js '<json PtpNodeOptions>'
// Runs the clock worker's PtpClock in this process (no audio, no control plane) and prints one
// JSON line per published overlay and one status line per second, bigints as strings. The
// published overlays are over the real CLOCK_TAI, which every namespace of the machine shares: two
// nodes' traces compared at the same instants give the follower's true error. As a test aid the node
// may run on a deliberately offset and skewed underlying clock (`testOffsetNs`, `testSkewPpb`), so
// a leader is as far from the follower as a real second machine would be.
import os from 'node:os';
import { ClockState } from '../core/clock-overlay.js';
import { createClockRunner, OverlayPublisher, Timebase } from '../clock/index.js';
import type { PublishedOverlay } from '../clock/publisher.js';
import { getLogger, configureLogging } from '../log.js';
import { loadNative } from '../native/index.js';

export interface PtpNodeOptions {
  ip: string;
  version: '1' | '2' | 'both';
  mode?: 'auto' | 'leader' | 'follower';
  priority1?: number;
  priority2?: number;
  domain?: number;
  testOffsetNs?: string;
  testSkewPpb?: number;
}

export interface TraceLine {
  type: 'pub';
  at: string;
  lastSyncNs: string;
  shiftNs: string;
  freqScale: number;
  state: ClockState;
  leaderId: string | null;
  stepped: boolean;
  jumpNs: number;
}

function macOf(ip: string): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.address === ip) return a.mac;
  }
  throw new Error(`no interface with address ${ip}`);
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as PtpNodeOptions;
  configureLogging({ format: 'json' });
  const native = loadNative();
  const timebase = new Timebase(native, o.testOffsetNs ? { offsetNs: BigInt(o.testOffsetNs), skewPpb: o.testSkewPpb ?? 0 } : undefined);
  const out = (obj: unknown): boolean => process.stdout.write(JSON.stringify(obj) + '\n');
  const publisher = new OverlayPublisher(null, 48000, (p: PublishedOverlay) =>
    out({ type: 'pub', at: timebase.realNow().toString(), lastSyncNs: p.lastSyncNs.toString(), shiftNs: p.shiftNs.toString(), freqScale: p.freqScale, state: p.state, leaderId: p.leaderId, stepped: p.stepped, jumpNs: p.jumpNs } satisfies TraceLine),
  );
  const runner = createClockRunner(
    {
      clock: { source: 'ptp' },
      ptpVersion: o.version,
      ptpMode: o.mode ?? 'auto',
      ptpPriority1: o.priority1 ?? 251,
      ptpPriority2: o.priority2 ?? 128,
      ptpDomain: o.domain ?? 0,
      ip: o.ip,
      mac: macOf(o.ip),
    },
    { native, timebase, publisher, log: getLogger('ptp-node') },
  );
  const timer = setInterval(() => out({ type: 'status', at: timebase.realNow().toString(), status: runner.status(), counters: runner.counters() }), 1000);
  const stop = (): void => runner.stop();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await runner.run();
  clearInterval(timer);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
