// `bench tune`: the latency tuner. Runs e2e at each latency from low to high and recommends the
// lowest one this machine holds with zero dropouts and zero mismatches, with the margin seen
// (how far the achieved latency and late packets were from trouble).
import { e2eProblem, realtimeFlags, runE2e } from '../e2e-run.js';
import type { E2eResult } from '../e2e-run.js';
import { newSession } from '../results.js';
import { durationOf } from '../scenario.js';
import type { Scenario } from '../scenario.js';
import { E2E_HEADER, e2eRow } from './e2e.js';

export const TUNE_LATENCIES_MS = [0.25, 0.5, 1, 2, 4, 5, 10];

export function clean(r: E2eResult): boolean {
  return r.check.dropoutEvents === 0 && r.check.silentChannels.length === 0 && r.check.mismatchedSamples === 0 && r.check.checkedSamples > 0;
}

/**
 * The lowest clean latency, required to hold at every higher latency tried too (a clean result
 * just below a failing one is luck, not a setting to recommend).
 */
export function recommend(results: { latencyMs: number; clean: boolean }[]): number | undefined {
  const sorted = [...results].sort((a, b) => a.latencyMs - b.latencyMs);
  let best: number | undefined;
  for (let i = sorted.length - 1; i >= 0; i--) {
    if (!sorted[i]!.clean) break;
    best = sorted[i]!.latencyMs;
  }
  return best;
}

export const tuneScenario: Scenario = {
  name: 'tune',
  description: 'latency tuner: e2e at 0.25, 0.5, 1, 2, 4, 5, 10 ms; recommends the lowest with zero dropouts and mismatches (root; duration is per latency)',
  defaultDurationS: 10,
  unavailable: async () => e2eProblem(),
  async run(opts, progress) {
    const seconds = durationOf(tuneScenario, opts);
    const channels = opts.channels ?? 64;
    // --realtime: every step runs both devices with --realtime true, as a user would deploy them.
    const flags = realtimeFlags(opts.realtime);
    const session = newSession('tune', { channels, latenciesMs: TUNE_LATENCIES_MS, secondsPerLatency: seconds, sampleRate: 48000, bitDepth: 24, clock: 'local (both devices on this host\'s kernel clock)', realtime: opts.realtime });
    const runs: E2eResult[] = [];
    const failures: { latencyMs: number; error: string }[] = [];
    for (const [i, ms] of TUNE_LATENCIES_MS.entries()) {
      const span = [i / TUNE_LATENCIES_MS.length, (i + 1) / TUNE_LATENCIES_MS.length] as const;
      try {
        runs.push(await runE2e({ channels, latencyNs: Math.round(ms * 1e6), seconds, sampleRate: 48000, ...flags }, progress, span[0], span[1]));
      } catch (err) {
        // A latency the device refuses or cannot start at is a failed setting, not a failed tuner.
        failures.push({ latencyMs: ms, error: (err as Error).message.slice(0, 400) });
      }
    }
    const verdicts = [
      ...runs.map((r) => ({ latencyMs: r.params.latencyNs / 1e6, clean: clean(r) })),
      ...failures.map((f) => ({ latencyMs: f.latencyMs, clean: false })),
    ];
    const best = recommend(verdicts);
    const at = runs.find((r) => r.params.latencyNs / 1e6 === best);
    const margin = at
      ? {
          latePackets: at.receive.latePackets,
          achievedLatencyNs: at.receive.achievedLatencyNs,
          /** Largest packet age at arrival vs the latency: how close the worst packet came to being late. */
          transmitLateness: at.transmitLateness,
          cpuPercent: { tx: at.tx.cpuPercent, rx: at.rx.cpuPercent },
        }
      : undefined;
    session.figures = { recommendedLatencyMs: best ?? null, margin, verdicts, runs, failures };
    session.notes.push(best === undefined ? 'no latency tried was clean: the machine cannot hold this channel count; try fewer channels or a quieter machine' : `recommended latency: ${best} ms (lowest clean latency with every higher one clean too)`);
    const table = [[...E2E_HEADER, 'clean'], ...runs.map((r) => [...e2eRow(r), clean(r) ? 'yes' : 'no']), ...failures.map((f) => [`${channels} ch ${f.latencyMs} ms`, 'did not run', '', '', '', '', '', '', '', '', 'no'])];
    return { session, table, plots: [] };
  },
};
