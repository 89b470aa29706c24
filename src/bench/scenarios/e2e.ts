// `bench e2e`: two devices in namespaces, A sending `pattern` on N channels, B receiving all N;
// every received sample is checked. Targets are those of 64 × 64 at 48 kHz/24-bit, 5 ms, 60 s.
import { e2eProblem, realtimeFlags, runE2e, transmitNotes } from '../e2e-run.js';
import type { E2eResult } from '../e2e-run.js';
import { checkTarget, newSession } from '../results.js';
import type { Session } from '../results.js';
import { durationOf } from '../scenario.js';
import type { Scenario } from '../scenario.js';
import { mb, pct } from '../table.js';

export const E2E_TARGETS = { cpuPercent: 60, peakRssBytes: 150 * 2 ** 20 };

export function e2eTargets(session: Session, r: E2eResult): void {
  const dropouts = r.check.dropoutEvents + r.check.silentChannels.length;
  session.targets.push(
    checkTarget('dropouts', 'zero dropouts (silence after a channel started, or a channel that never started)', 'max', dropouts, 0, 'dropouts'),
    checkTarget('mismatches', 'zero mismatching samples', 'max', r.check.mismatchedSamples, 0, 'samples'),
    checkTarget('CPU A', 'transmitting device ≤ 60 % of one core', 'max', r.tx.cpuPercent, E2E_TARGETS.cpuPercent, '%'),
    checkTarget('CPU B', 'receiving device ≤ 60 % of one core', 'max', r.rx.cpuPercent, E2E_TARGETS.cpuPercent, '%'),
    checkTarget('peak RSS A', 'transmitting device peak RSS ≤ 150 MB', 'max', r.tx.peakRssBytes, E2E_TARGETS.peakRssBytes, 'bytes'),
    checkTarget('peak RSS B', 'receiving device peak RSS ≤ 150 MB', 'max', r.rx.peakRssBytes, E2E_TARGETS.peakRssBytes, 'bytes'),
  );
}

export function e2eRow(r: E2eResult): string[] {
  const lat = r.receive.achievedLatencyNs;
  return [
    `${r.params.channels} ch ${r.params.latencyNs / 1e6} ms`, String(r.check.dropoutEvents + r.check.silentChannels.length), String(r.check.mismatchedSamples),
    String(r.receive.latePackets), String(r.receive.lostPackets), lat === undefined ? '-' : `${(lat / 1e6).toFixed(2)} ms`,
    pct(r.tx.cpuPercent), pct(r.rx.cpuPercent), mb(r.tx.peakRssBytes), mb(r.rx.peakRssBytes),
  ];
}

export const E2E_HEADER = ['run', 'dropouts', 'mismatches', 'late pkts', 'lost pkts', 'latency', 'CPU A', 'CPU B', 'peak RSS A', 'peak RSS B'];

export const e2eScenario: Scenario = {
  name: 'e2e',
  description: 'A sends pattern on N channels (default 64) to B in another namespace at a latency (default 5 ms); dropouts, mismatches, CPU, RSS (root)',
  defaultDurationS: 60,
  unavailable: async () => e2eProblem(),
  async run(opts, progress) {
    const params = { channels: opts.channels ?? 64, latencyNs: Math.round((opts.latencyMs ?? 5) * 1e6), seconds: durationOf(e2eScenario, opts), sampleRate: 48000, ...realtimeFlags(opts.realtime) };
    const session = newSession('e2e', { ...params, bitDepth: 24, source: 'pattern', clock: 'local (both devices on this host\'s kernel clock)', fpp: 'chosen by the receiver from the latency (flow request)', checking: 'every sample of every RX channel against the pattern, from the channel\'s first sound' });
    const r = await runE2e(params, progress);
    session.figures = { ...r };
    e2eTargets(session, r);
    if (r.check.silentChannels.length) session.notes.push(`channels that never sounded: ${r.check.silentChannels.join(', ')}`);
    session.notes.push(...transmitNotes(r));
    session.notes.push('the harness reads and checks B\'s audio on this machine while measuring: it shares the CPUs with both devices');
    return { session, table: [E2E_HEADER, e2eRow(r)], plots: [] };
  },
};
