// When the machine stalls a transmitter, its packets go out late (counted in its lateness summary:
// `late20ms`, ...) or, past its TX latency, not at all (it skips ahead and counts a `rebootstrap`).
// End-to-end tests watch those counters so a dropout can be told apart: one while the transmitter
// counted a rebootstrap or sends at least half the RX latency late is the sender's (machine load);
// any other is the receive path's and fails the test.
import type { E2eDevice } from './e2e-devices.js';
import { mediaNow } from './e2e-devices.js';

/** Media time ranges in which the transmitter counted a rebootstrap or a send that late. */
export interface StallWatch {
  stop(): Promise<[number, number][]>;
}

/** Workers report once a second, so a counter seen at a poll may be up to this old. */
const REPORT_AGE_S = 1.1;

export function watchTxStalls(dev: E2eDevice, rate: number, txLatencyNs: number, lateKey: 'late5ms' | 'late10ms' | 'late20ms', everyMs = 250): StallWatch {
  const windows: [number, number][] = [];
  let last: { at: number; n: number } | undefined;
  let running = true;
  const loop = (async () => {
    while (running) {
      const s = await dev.status();
      const at = mediaNow(rate);
      const reboots = s?.counters?.transmit?.rebootstraps as number | undefined;
      const late = s?.transmit?.lateness?.[lateKey] as number | undefined;
      const n = reboots === undefined || late === undefined ? undefined : reboots + late;
      if (n !== undefined) {
        if (last && n > last.n) windows.push([last.at - Math.round((REPORT_AGE_S + txLatencyNs / 1e9) * rate), at]);
        last = { at, n };
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return windows;
    },
  };
}

/** Zero runs ([media time, length]) that overlap no stall window. */
export function unexplained(runs: readonly [number, number][], stalls: readonly [number, number][]): [number, number][] {
  return runs.filter(([m, n]) => !stalls.some(([a, b]) => m <= b && m + n >= a));
}
