// `bench ptp`: the PTP accuracy benchmark (ptp.ts, runPtpBench) through the harness: our v1 and
// v2 followers against our leaders, our follower against ptp4l and ptp4l following us.
import { spawnSync } from 'node:child_process';
import { namespaceProblem } from '../netns.js';
import { runPtpBench } from '../ptp.js';
import { newSession } from '../results.js';
import { durationOf } from '../scenario.js';
import type { Scenario } from '../scenario.js';
import { us } from '../table.js';

export const ptpScenario: Scenario = {
  name: 'ptp',
  description: 'PTP follower error (p50/p99/max after lock) against our leaders and ptp4l, in namespaces (root, ptp4l)',
  defaultDurationS: 20,
  async unavailable() {
    const ns = namespaceProblem();
    if (ns) return ns;
    if (spawnSync('sh', ['-c', 'command -v ptp4l'], { stdio: 'ignore' }).status !== 0) return "needs the command 'ptp4l' (linuxptp)";
    return undefined;
  },
  async run(opts, progress) {
    const seconds = durationOf(ptpScenario, opts);
    progress.update(0, `four PTP pairs, ${seconds} s after lock`);
    const r = await runPtpBench({ seconds, write: false });
    const session = newSession('ptp', r.settings);
    session.figures = { followers: r.followers, ptp4lFollower: r.ptp4lFollower };
    const n = (v: number | undefined) => us(v ?? NaN);
    const table = [
      ['follower', 'lock s', 'p50 µs', 'p99 µs', 'max µs', 'steps'],
      ...r.followers.map((f) => [f.scenario, f.lockSeconds?.toFixed(1) ?? 'no lock', n(f.error?.p50Ns), n(f.error?.p99Ns), n(f.error?.maxNs), String(f.stepsAfterLock)]),
      ['ptp4l follows us', r.ptp4lFollower.selectedUs ? 'selected' : 'NOT selected', n(r.ptp4lFollower.offsets?.p50Ns), n(r.ptp4lFollower.offsets?.p99Ns), n(r.ptp4lFollower.offsets?.maxNs), ''],
    ];
    return { session, table, plots: [] };
  },
};
