// `bench ring`: the media-ring throughput matrix (ring.ts) through the harness.
import { RING_MATRIX, ringTable, runRingBench } from '../ring.js';
import type { RingBenchResult } from '../ring.js';
import { checkTarget, newSession } from '../results.js';
import { durationOf } from '../scenario.js';
import type { Scenario } from '../scenario.js';

export const ringScenario: Scenario = {
  name: 'ring',
  description: 'media-ring throughput, writer and reader threads, 8 and 64 channels (duration is per configuration)',
  defaultDurationS: 2,
  unavailable: async () => undefined,
  async run(opts, progress) {
    const seconds = durationOf(ringScenario, opts);
    const session = newSession('ring', { secondsPerConfiguration: seconds, matrix: RING_MATRIX });
    const results: RingBenchResult[] = [];
    for (const [i, m] of RING_MATRIX.entries()) {
      progress.update(i / RING_MATRIX.length, `${m.channels} channels, ${m.framesPerWrite} frames/write`);
      results.push(await runRingBench({ seconds, ...m }));
    }
    session.figures = { results };
    const mismatches = results.reduce((a, r) => a + r.mismatches, 0);
    session.targets.push(checkTarget('mismatches', 'no frame read back differs from what was written', 'max', mismatches, 0, 'packets'));
    return { session, table: ringTable(results), plots: [] };
  },
};
