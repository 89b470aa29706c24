// `node dist/main.js ctl` against fake devices over real UDP and mDNS, inside private namespaces.
// Two fake devices share one IP with different port blocks (§9.3); ctl runs on another host.
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { ExecutionContext } from 'ava';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import type { LanHost, RunResult } from './support/netns.js';
import { fakeConfig } from './support/fake-device.js';

const fakeScript = fileURLToPath(new URL('./support/fake-device-run.js', import.meta.url));
const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const test = interop({ root: true, commands: ['ip'] });

async function startFake(t: ExecutionContext, host: LanHost, name: string, altPort?: number): Promise<ChildProcess> {
  const c = host.spawn(process.execPath, [fakeScript, JSON.stringify(fakeConfig(name, host.ip, altPort))]);
  let out = '';
  c.stderr?.on('data', (d) => t.log(`fake ${name}: ${String(d).trim()}`));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fake device ${name} not ready: ${out}`)), 8000);
    c.stdout?.on('data', (d) => {
      out += String(d);
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    c.once('exit', (code) => reject(new Error(`fake device ${name} exited ${code}: ${out}`)));
  });
  return c;
}

function ctl(t: ExecutionContext, host: LanHost, ...args: string[]): Promise<RunResult> {
  return host.run(process.execPath, [mainJs, 'ctl', ...args, '--interface', host.ifname], { timeoutMs: 20000 }).then((r) => {
    t.log(`$ inferno ctl ${args.join(' ')}  → ${r.code}\n${r.stdout}${r.stderr}`);
    return r;
  });
}

test.serial('ctl list, channels, renames, subscriptions and latency against two fake devices on one IP', async (t) => {
  const lan = createLan(2, { tag: 'ctl' });
  try {
    const [dev, me] = lan.hosts as [LanHost, LanHost];
    await startFake(t, dev, 'fake-a');
    await startFake(t, dev, 'fake-b', 9100);

    const list = await ctl(t, me, 'list', '--json');
    t.is(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as { name: string; ip: string; arcPort: number; txChannels: number; sampleRate: number }[];
    t.deepEqual(rows.map((r) => [r.name, r.ip, r.arcPort, r.txChannels, r.sampleRate]), [
      ['fake-a', dev.ip, 4440, 4, 48000],
      ['fake-b', dev.ip, 9100, 4, 48000],
    ]);
    t.is((await ctl(t, me, 'list')).code, 0);

    t.is((await ctl(t, me, 'rename-channel', 'fake-b', 'tx', '1', 'Vox')).code, 0);
    t.is((await ctl(t, me, 'rename-channel', 'FAKE-A', 'rx', '2', 'Lead')).code, 0);
    const sub = await ctl(t, me, 'subscribe', 'fake-a', 'Lead', 'Vox@fake-b');
    t.is(sub.stdout, 'subscribed fake-a RX 2 (Lead) to Vox@fake-b: unresolved\n', sub.stderr);
    const ch = await ctl(t, me, 'channels', 'fake-a', '--json');
    const listing = JSON.parse(ch.stdout) as { rx: { name: string; subscription: { txChannel: string; txDevice: string } | null }[] };
    t.deepEqual(listing.rx[1], { ...listing.rx[1]!, name: 'Lead', subscription: { txChannel: 'Vox', txDevice: 'fake-b' } });
    t.regex((await ctl(t, me, 'channels', `${dev.ip}:9100`)).stdout, /\n {2}1 {2}01 {2}Vox\n/);
    t.is((await ctl(t, me, 'unsubscribe', 'fake-a', '2')).code, 0);
    t.is(JSON.parse((await ctl(t, me, 'channels', 'fake-a', '--json')).stdout).rx[1].subscription, null);

    const lat = await ctl(t, me, 'set', 'fake-b', 'latency', '5ms');
    t.is(lat.stdout, 'latency of fake-b: 5 ms (was 10 ms)\n', lat.stderr);
    const rate = await ctl(t, me, 'set', 'fake-a', 'sample-rate', '96000');
    t.is(rate.stdout, 'sample-rate of fake-a: 96000 Hz\n', rate.stderr);
    t.is((await ctl(t, me, 'identify', 'fake-b')).stdout, `identify sent to fake-b (${dev.ip}:9103)\n`);

    const ren = await ctl(t, me, 'rename', 'fake-b', 'fake-c');
    t.is(ren.stdout, `renamed fake-b to fake-c (${dev.ip}:9100)\n`, ren.stderr);
    const missing = await ctl(t, me, 'channels', 'nosuch', '--timeout', '1000');
    t.is(missing.code, 1);
    t.is(missing.stderr, 'inferno ctl: device not found: "nosuch" (found: fake-a, fake-c)\n');
  } finally {
    await lan.destroy();
  }
});

test.serial('ctl list on a network without devices prints an empty list and exits 0', async (t) => {
  const lan = createLan(1, { tag: 'ctl0' });
  try {
    const [me] = lan.hosts as [LanHost];
    const r = await ctl(t, me, 'list', '--json', '--timeout', '800');
    t.is(r.code, 0, r.stderr);
    t.deepEqual(JSON.parse(r.stdout), []);
    const text = await ctl(t, me, 'list', '--timeout', '500');
    t.is(text.stdout, `no Dante devices found on ${me.ifname} (${me.ip})\n`);
    const bad = await ctl(t, me, 'set', '10.77.0.9', 'encoding', '20');
    t.is(bad.code, 2);
    t.is(bad.stderr, 'inferno ctl: invalid encoding: "20" (accepted: 16, 24, 32 (bits))\n');
  } finally {
    await lan.destroy();
  }
});
