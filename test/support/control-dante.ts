// Drives the third-party npm package `dante-control` against a device, as a script inside a test
// namespace (it binds UDP 4440 and mDNS itself): `node control-dante.js '<job JSON>'`.
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

interface DanteControl {
  setDeviceName(ip: string, name: string): void;
  setChannelName(ip: string, name: string, type: 'rx' | 'tx', channel: number): void;
  makeCrosspoint(ip: string, txChannelName: string, txDeviceName: string, rxChannel: number): void;
}

export interface DanteJob {
  target: string;
  deviceName: string;
  rx: { channel: number; name: string };
  tx: { channel: number; name: string };
  subscription: { rxChannel: number; txChannelName: string; txDeviceName: string };
}

const require = createRequire(import.meta.url);
const Dante = require('dante-control') as new () => DanteControl;
const job = JSON.parse(process.argv[2] ?? '{}') as DanteJob;
const dante = new Dante();
// Give its socket time to bind before the first send.
await sleep(300);
dante.setDeviceName(job.target, job.deviceName);
dante.setChannelName(job.target, job.rx.name, 'rx', job.rx.channel);
dante.setChannelName(job.target, job.tx.name, 'tx', job.tx.channel);
dante.makeCrosspoint(job.target, job.subscription.txChannelName, job.subscription.txDeviceName, job.subscription.rxChannel);
await sleep(700);
process.stdout.write('SENT\n');
// Its mDNS socket keeps the process alive.
process.exit(0);
