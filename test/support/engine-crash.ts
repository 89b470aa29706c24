import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Runs a device engine whose `worker` throws after start, `times` times (argv: worker times),
// inside the namespace host it is started in; prints one JSON line with what happened.
import { loadSettings, resolveDeviceConfig, DeviceEngine, configureLogging } from '../../dist/index.js';
import type { WorkerName } from '../../dist/engine/protocol.js';

const [worker, timesArg, bind] = process.argv.slice(2);
const times = timesArg === 'always' ? Infinity : Number(timesArg);
configureLogging({ level: (process.env.DBG as 'debug') ?? 'silent' });
const stateDir = mkdtempSync(join(tmpdir(), 'inferno-crash-state-'));
const config = resolveDeviceConfig(loadSettings(['--bind-ip', bind!, '--state-dir', stateDir, '--clock', 'local'], {}).settings);
const device = await DeviceEngine.start(config, { crash: { worker: worker as WorkerName, afterMs: 200, times } });
const started = Date.now();
let poll: NodeJS.Timeout | undefined;
// A hang here must show what the supervisor saw, not just run into the test's timeout.
const guard = setTimeout(() => {
  console.log(JSON.stringify({ hung: true, health: device.supervisor.health() }));
  process.exit(3);
}, 15_000);
const result = await new Promise<Record<string, unknown>>((resolve) => {
  device.on('fatal', (err: Error) => resolve({ fatal: err.message, afterMs: Date.now() - started }));
  poll = setInterval(() => {
    const h = device.supervisor.health()[worker!]!;
    if (h.restarts >= 1 && h.state === 'running' && times !== Infinity) {
      resolve({ health: h, all: device.supervisor.health() });
    }
  }, 50);
});
clearInterval(poll);
await device.stop();
clearTimeout(guard);
rmSync(stateDir, { recursive: true, force: true });
console.log(JSON.stringify(result));
