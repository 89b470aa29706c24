// Names a transmitter's channels and routes them to a receiver with the third-party npm package
// `dante-control`, as a script inside a test namespace host of its own (it binds UDP 4440 and mDNS
// itself): `node dante-routes.js '<job JSON>'`.
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

interface DanteControl {
  setChannelName(ip: string, name: string, type: 'rx' | 'tx', channel: number): void;
  makeCrosspoint(ip: string, txChannelName: string, txDeviceName: string, rxChannel: number): void;
}

export interface DanteRoutesJob {
  /** TX channel renames on the transmitter. */
  txNames: { ip: string; channel: number; name: string }[];
  /** Subscriptions on the receiver at `ip`. */
  crosspoints: { ip: string; rxChannel: number; txChannelName: string; txDeviceName: string }[];
}

const require = createRequire(import.meta.url);
const Dante = require('dante-control') as new () => DanteControl;
const job = JSON.parse(process.argv[2] ?? '{}') as DanteRoutesJob;
const dante = new Dante();
// Give its socket time to bind before the first send.
await sleep(300);
for (const n of job.txNames) dante.setChannelName(n.ip, n.name, 'tx', n.channel);
// The receiver resolves the names over mDNS: let the renames be announced first.
await sleep(job.txNames.length ? 1000 : 0);
for (const c of job.crosspoints) dante.makeCrosspoint(c.ip, c.txChannelName, c.txDeviceName, c.rxChannel);
await sleep(700);
process.stdout.write('SENT\n');
// Its mDNS socket keeps the process alive.
process.exit(0);
