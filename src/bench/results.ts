// Result files: bench/results/<YYYY-MM-DD>-<scenario>.json holds every session of that day, so a
// day's runs can be compared; each session carries the machine, settings, figures and targets.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineDescription } from './machine.js';
import type { MachineDescription } from './machine.js';

/** dist/bench/results.js -> <package>/bench/results/ */
export const DEFAULT_RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));

export interface TargetCheck {
  name: string;
  /** Human statement of the target, e.g. "p99 ≤ 2 × C reference p99". */
  target: string;
  measured: number;
  limit: number;
  unit: string;
  /** 'max': measured must be ≤ limit; 'min': measured must be ≥ limit. */
  kind: 'max' | 'min';
  met: boolean;
  /** How far from the limit, in `unit`: headroom when met, the shortfall when missed (both ≥ 0). */
  marginAbs: number;
  /** The same relative to the limit (0.25 = 25 %); absent when the limit is 0. */
  marginRel?: number;
  /** Present only when missed: e.g. "missed by 12.5 µs (31 %)". */
  missedBy?: string;
}

export function checkTarget(name: string, target: string, kind: 'max' | 'min', measured: number, limit: number, unit: string): TargetCheck {
  const met = Number.isFinite(measured) && (kind === 'max' ? measured <= limit : measured >= limit);
  const marginAbs = Number.isFinite(measured) ? Math.abs(limit - measured) : NaN;
  const c: TargetCheck = { name, target, measured, limit, unit, kind, met, marginAbs: roundish(marginAbs) };
  if (limit !== 0 && Number.isFinite(marginAbs)) c.marginRel = roundish(marginAbs / Math.abs(limit));
  if (!met) {
    const rel = c.marginRel !== undefined ? ` (${(c.marginRel * 100).toFixed(1)} %)` : '';
    c.missedBy = Number.isFinite(measured) ? `missed by ${roundish(marginAbs)} ${unit}${rel}` : 'not measured';
  }
  return c;
}

function roundish(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(4)) : v;
}

export interface Session {
  scenario: string;
  time: string;
  machine: MachineDescription;
  settings: Record<string, unknown>;
  figures: Record<string, unknown>;
  targets: TargetCheck[];
  notes: string[];
  /** Wall-clock seconds the scenario took, set by the harness (start-up and settling included). */
  elapsedSeconds?: number;
}

export interface ResultFile {
  benchmark: string;
  sessions: unknown[];
}

export function newSession(scenario: string, settings: Record<string, unknown>): Session {
  return { scenario, time: new Date().toISOString(), machine: machineDescription(), settings, figures: {}, targets: [], notes: [] };
}

/** Path of the day's file for `scenario` (local date of `time`, as a user reads it). */
export function resultPath(dir: string, scenario: string, time = new Date()): string {
  const day = `${time.getFullYear()}-${String(time.getMonth() + 1).padStart(2, '0')}-${String(time.getDate()).padStart(2, '0')}`;
  return join(dir, `${day}-${scenario}.json`);
}

/** Appends `session` to the day's file; returns the file's path. */
export function appendSession(dir: string, scenario: string, session: unknown, time = new Date()): string {
  mkdirSync(dir, { recursive: true });
  const file = resultPath(dir, scenario, time);
  let doc: ResultFile = { benchmark: scenario, sessions: [] };
  if (existsSync(file)) {
    const old = JSON.parse(readFileSync(file, 'utf8')) as Partial<ResultFile>;
    // A file we cannot read as sessions is kept, not silently overwritten.
    if (!Array.isArray(old.sessions)) throw new Error(`${file} is not a results file (no sessions array); move it aside`);
    doc = { benchmark: old.benchmark ?? scenario, sessions: old.sessions };
  }
  doc.sessions.push(session);
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  return file;
}
