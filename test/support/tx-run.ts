// Runs the compiled tx-receiver script inside a namespace host and parses its result.
import { resolve } from 'node:path';
import type { LanHost } from './netns.js';
import { projectRoot } from './inferno-process.js';
import type { FlowOutcome, Scenario } from './tx-receiver.js';

export async function runTxReceiver(host: LanHost, sc: Scenario, timeoutMs = 25000): Promise<FlowOutcome[]> {
  const script = resolve(projectRoot, 'dist-test', 'support', 'tx-receiver.js');
  const r = await host.run(process.execPath, [script, JSON.stringify(sc)], { timeoutMs, env: { ...process.env, TX_TEST_IP: host.ip } });
  if (r.code !== 0) throw new Error(`tx-receiver failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as FlowOutcome[];
}
