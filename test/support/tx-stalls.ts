// The one rule by which the end-to-end tests tell machine load from a fault of the path under test.
// When the machine stalls a transmitter, its packets go out late (counted in its lateness summary)
// or, past its TX latency, not at all (it skips ahead and counts a `rebootstrap`). A stall is a
// rebootstrap, or a send at least half the receiver's RX latency late, counted while a test watches
// the transmitter (`watchTxStalls`). Then, and only then:
//  - a dropout may be accepted, if it lies in a stall window and the receiver counted it
//    (capture-check.ts `assertCapture` with `stalls`);
//  - a failed attempt may be retried (`retryDisturbed`).
// Anything else (a sink drop, a lost packet with no stall behind it) is the path's fault and fails.
import type { ExecutionContext } from 'ava';
import type { E2eDevice } from './e2e-devices.js';
import { mediaNow } from './e2e-devices.js';

/** Media time range [start, end] in which a transmitter may have stalled. */
export type StallWindow = [number, number];

export interface StallWatch {
  device: string;
  /** Windows so far. */
  readonly windows: readonly StallWindow[];
  /** Ends the watch (also once the device exited); idempotent. */
  stop(): Promise<StallWindow[]>;
}

export interface StallOptions {
  rate: number;
  /** The transmitter's TX latency: how far it may fall behind before skipping ahead. */
  txLatencyNs: number;
  /** The receivers' RX latency: a send half of it late is a stall. */
  rxLatencyNs: number;
  everyMs?: number;
}

/** Workers report once a second, so a counter seen at a poll may be up to this old. */
const REPORT_AGE_S = 1.1;
const LATE_KEYS = [['late20ms', 20e6], ['late10ms', 10e6], ['late5ms', 5e6]] as const;

/** The lateness counter of sends at least half the RX latency late (the nearest bucket below). */
export function lateKey(rxLatencyNs: number): 'late5ms' | 'late10ms' | 'late20ms' {
  return (LATE_KEYS.find(([, ns]) => ns <= rxLatencyNs / 2) ?? LATE_KEYS[2])[0];
}

/**
 * Polls the transmitter's counters; resolves after the first reading, which is the baseline (stalls
 * before it are not the watched run's). A rise between two polls makes a window reaching back over
 * the report age and the TX latency, since the audio it affected was due that much earlier.
 */
export async function watchTxStalls(dev: E2eDevice, o: StallOptions): Promise<StallWatch> {
  const key = lateKey(o.rxLatencyNs);
  const back = Math.round((REPORT_AGE_S + o.txLatencyNs / 1e9) * o.rate);
  const windows: StallWindow[] = [];
  let last: { at: number; n: number } | undefined;
  let running = true;
  let exited = false;
  void dev.proc.exited.then(() => (exited = true));
  const poll = async () => {
    const s = await dev.status();
    const at = mediaNow(o.rate);
    const reboots = s?.counters?.transmit?.rebootstraps as number | undefined;
    const late = s?.transmit?.lateness?.[key] as number | undefined;
    if (reboots === undefined || late === undefined) return;
    const n = reboots + late;
    if (last && n > last.n) windows.push([last.at - back, at]);
    last = { at, n };
  };
  await poll();
  const loop = (async () => {
    while (running && !exited) {
      await new Promise((r) => setTimeout(r, o.everyMs ?? 250));
      if (running && !exited) await poll();
    }
  })();
  return {
    device: dev.name,
    windows,
    async stop() {
      running = false;
      await loop;
      return windows;
    },
  };
}

/** Zero runs ([media time, length]) that overlap no stall window. */
export function unexplained(runs: readonly (readonly [number, number])[], stalls: readonly (readonly [number, number])[]): [number, number][] {
  return runs.filter(([m, n]) => !stalls.some(([a, b]) => m <= b && m + n >= a)).map(([m, n]) => [m, n]);
}

export type WatchTx = (dev: E2eDevice, o: StallOptions) => Promise<StallWatch>;

/**
 * Runs `attempt` up to `tries` times and keeps the first passing attempt. The attempt watches its
 * transmitters through `watch`; a failed attempt is retried only if one of them counted a stall
 * (which on a loaded 2-core machine happens even at SCHED_FIFO). Any other failure, and the last
 * attempt, is final: a pass always means a clean, exact run.
 */
export async function retryDisturbed(t: ExecutionContext, tries: number, attempt: (tt: ExecutionContext, watch: WatchTx) => Promise<void>): Promise<void> {
  for (let i = 1; ; i++) {
    const watches: StallWatch[] = [];
    const r = await t.try(async (tt) => attempt(tt, async (dev, o) => {
      const w = await watchTxStalls(dev, o);
      watches.push(w);
      return w;
    }));
    for (const w of watches) await w.stop();
    const stalled = watches.filter((w) => w.windows.length).map((w) => `${w.device}: ${w.windows.length} stall windows`);
    const why = stalled.join(', ');
    if (r.passed || !why || i === tries) {
      if (!r.passed && why) t.log(`attempt ${i} of ${tries} also disturbed: ${why}`);
      r.commit();
      return;
    }
    t.log(`attempt ${i} disturbed (${why}), retrying: ${r.errors.map((e) => e.message).join('; ')}`);
    r.discard();
  }
}
