// Every scenario of `inferno bench`, in the order a full run executes them.
import type { Scenario } from './scenario.js';
import { ringScenario } from './scenarios/ring.js';
import { txPacingScenario } from './scenarios/tx-pacing.js';
import { footprintScenario } from './scenarios/footprint.js';
import { rxCapacityScenario } from './scenarios/rx-capacity.js';
import { e2eScenario } from './scenarios/e2e.js';
import { tuneScenario } from './scenarios/tune.js';
import { ptpScenario } from './scenarios/ptp.js';
import { resamplerScenario } from './scenarios/resampler.js';
import { alsaScenario } from './scenarios/alsa.js';

export const SCENARIOS: readonly Scenario[] = [ringScenario, txPacingScenario, rxCapacityScenario, footprintScenario, e2eScenario, tuneScenario, ptpScenario, resamplerScenario, alsaScenario];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export function scenarioNames(): string[] {
  return SCENARIOS.map((s) => s.name);
}
