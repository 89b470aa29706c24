// The contract every benchmark scenario module fulfils; the registry lists them and the
// `inferno bench` command runs them.
import type { Session } from './results.js';
import type { RxSocketSetting } from '../config/schema.js';

export interface BenchOptions {
  /** Seconds of measurement when the user gave --duration; each scenario has its own default. */
  durationS?: number;
  /** Sleep to just before each deadline, then spin (tx-pacing). */
  spin: boolean;
  /** Ask for low real-time priority (SCHED_RR) where the scenario supports it. */
  realtime: boolean;
  plot: boolean;
  /** e2e: channels A sends and B receives (default 64). */
  channels?: number;
  /** e2e: receive/transmit latency in ms (default 5). */
  latencyMs?: number;
  /** rx-capacity: measure only this RX socket path (default: auto, then dgram, for the ratio). */
  rxSocket?: RxSocketSetting;
  /** Where result files and plots go. */
  outDir: string;
}

export interface Progress {
  /** fraction in [0, 1]; text says what is running. */
  update(fraction: number, text: string): void;
}

export interface Plot {
  /** File name suffix, e.g. "lateness" -> <date>-tx-pacing-lateness.svg. */
  name: string;
  svg: string;
}

export interface ScenarioOutcome {
  session: Session;
  /** Rows for the printed table; the first row is the header. */
  table: string[][];
  plots: Plot[];
}

export interface Scenario {
  name: string;
  description: string;
  /** Measurement seconds used when --duration is not given. */
  defaultDurationS: number;
  /** Why it cannot run on this build/machine, or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  run(opts: BenchOptions, progress: Progress): Promise<ScenarioOutcome>;
}

/** A scenario failure the user can act on (missing privilege or feature): printed without a stack. */
export class BenchUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUnavailableError';
  }
}

export function durationOf(s: Scenario, opts: BenchOptions): number {
  return opts.durationS ?? s.defaultDurationS;
}
