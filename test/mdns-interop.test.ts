// Our responder seen by third-party mDNS stacks (avahi, python-zeroconf) and by our own
// browser, across a private namespace LAN. Nothing runs in the machine's own namespace.
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { SERVICE_ARC, SERVICE_BUND, SERVICE_CHAN, SERVICE_CMC, buildDanteRecordSet, decodeTxt } from '../dist/core/mdns/index.js';
import type { DanteMdnsDevice } from '../dist/core/mdns/index.js';
import { startAvahi } from './support/avahi.js';
import { testDevice, txChannels } from './support/mdns-device.js';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import type { LanHost } from './support/netns.js';

const publishScript = fileURLToPath(new URL('./support/mdns-publish.js', import.meta.url));
const resolveScript = fileURLToPath(new URL('./support/mdns-resolve.js', import.meta.url));
const zeroconfScript = fileURLToPath(new URL('../test/support/zeroconf-browse.py', import.meta.url));

const TYPES = [SERVICE_ARC, SERVICE_CMC, SERVICE_CHAN, SERVICE_BUND];

/** 4 TX channels, TX 3 renamed to "Vox", a bundle of TX 1 and TX 2 (§12.8 layout). */
function device(ip: string, over: Partial<DanteMdnsDevice> = {}): DanteMdnsDevice {
  const tx = txChannels(4);
  tx[2] = { factoryName: '03', friendlyName: 'Vox' };
  return testDevice({
    ipv4: ip, name: 'Interop Dev', txChannels: tx,
    bundles: [{ id: 1, group: '239.255.12.34', port: 4321, channels: [1, 2] }],
    ...over,
  });
}

/** What every browser must see: `<type>|<instance>` → port, host and TXT strings. */
function expected(dev: DanteMdnsDevice): Map<string, { port: number; host: string; txt: string[] }> {
  const set = buildDanteRecordSet(dev);
  return new Map(set.services.map((s) => [
    `${s.serviceType}|${s.label}`,
    { port: s.srv.data.port, host: s.srv.data.target, txt: decodeTxt(s.txt.data).map(([k, v]) => (v === null ? k : `${k}=${v}`)) },
  ]));
}

/** Starts the publisher in `host` and waits for its `published` line. */
async function publish(t: ExecutionContext, host: LanHost, dev: DanteMdnsDevice): Promise<ChildProcess> {
  const c = host.spawn(process.execPath, [publishScript, host.ip, JSON.stringify(dev)]);
  let out = '';
  c.stderr?.on('data', (d) => t.log(`publisher: ${String(d).trim()}`));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`publisher did not publish: ${out}`)), 8000);
    c.stdout?.on('data', (d) => {
      out += String(d);
      if (out.includes('published')) {
        clearTimeout(timer);
        resolve();
      }
    });
    c.once('exit', (code) => reject(new Error(`publisher exited ${code}: ${out}`)));
  });
  return c;
}

function python(): string | undefined {
  for (const p of ['python3', '/usr/bin/python3']) {
    if (spawnSync(p, ['-c', 'import zeroconf'], { stdio: 'ignore' }).status === 0) return p;
  }
  return undefined;
}

interop({ root: true, commands: ['avahi-daemon', 'avahi-browse', 'dbus-daemon'] }).serial(
  'avahi-browse resolves every Dante service with the exact TXT, port and address', async (t) => {
    const lan = createLan(2, { tag: 'mavah' });
    try {
      const [h1, h2] = lan.hosts as [LanHost, LanHost];
      const dev = device(h1.ip);
      await publish(t, h1, dev);
      const avahi = await startAvahi(h2, 'avahi-peer');
      try {
        const want = expected(dev);
        const seen = new Map<string, { port: number; host: string; txt: string[] }>();
        for (const type of TYPES) {
          for (const s of await avahi.browse(type.replace(/\.local$/, ''))) {
            t.is(s.address, h1.ip, s.name);
            seen.set(`${s.type}.local|${s.name}`, { port: s.port, host: `${s.host}`, txt: s.txt });
          }
        }
        t.deepEqual([...seen.keys()].sort(), [...want.keys()].sort());
        for (const [k, w] of want) {
          const s = seen.get(k);
          if (!s) continue;
          t.is(s.port, w.port, k);
          t.is(s.host, w.host, k);
          // avahi-browse prints TXT strings in reverse wire order, and avahi's TXT parser skips
          // zero-length strings (the CMC's two empty strings; the zeroconf test checks them raw).
          t.deepEqual([...s.txt].reverse(), w.txt.filter((x) => x !== ''), k);
        }
      } finally {
        await avahi.stop();
      }
    } finally {
      await lan.destroy();
    }
  });

interop({ root: true, commands: ['python3'] }).serial(
  'python-zeroconf resolves every service of two devices on one IP with the exact TXT', async (t) => {
    const py = python();
    if (!py) return t.fail('python3 with the zeroconf module is needed');
    const lan = createLan(2, { tag: 'mzc' });
    try {
      const [h1, h2] = lan.hosts as [LanHost, LanHost];
      const a = device(h1.ip, { name: 'Interop A', processId: 1, arcPort: 9000, cmcPort: 9001, flowsPort: 9002 });
      const b = device(h1.ip, { name: 'Interop B', processId: 2, arcPort: 9100, cmcPort: 9101, flowsPort: 9102, bundles: [] });
      await Promise.all([publish(t, h1, a), publish(t, h1, b)]);
      const r = await h2.run(py, [zeroconfScript, h2.ip, '2', ...TYPES.map((x) => `${x}.`)], { timeoutMs: 45000 });
      t.is(r.code, 0, r.stderr);
      const list = JSON.parse(r.stdout) as { type: string; name: string; resolved: boolean; server: string; port: number; addresses: string[]; txt: string[] }[];
      const want = new Map([...expected(a), ...expected(b)]);
      const seen = new Map(list.map((s) => [`${s.type.replace(/\.$/, '')}|${s.name.slice(0, -(s.type.length + 1))}`, s]));
      t.deepEqual([...seen.keys()].sort(), [...want.keys()].sort());
      for (const [k, w] of want) {
        const s = seen.get(k);
        if (!s) continue;
        t.true(s.resolved, k);
        t.is(s.port, w.port, k);
        t.is(s.server, `${w.host}.`, k);
        t.deepEqual(s.addresses, [h1.ip], k);
        t.deepEqual(s.txt, w.txt, k);
      }
    } finally {
      await lan.destroy();
    }
  });

interop({ root: true, commands: ['ip'] }).serial(
  'our browser in host 2 lists both devices of host 1 and resolves a renamed channel and its bundle', async (t) => {
    const lan = createLan(2, { tag: 'mbr' });
    try {
      const [h1, h2] = lan.hosts as [LanHost, LanHost];
      const a = device(h1.ip, { name: 'Interop A', processId: 1, arcPort: 9000, cmcPort: 9001, flowsPort: 9002 });
      const b = device(h1.ip, { name: 'Interop B', processId: 2, arcPort: 9100, cmcPort: 9101, flowsPort: 9102 });
      await Promise.all([publish(t, h1, a), publish(t, h1, b)]);
      const run = async (...args: string[]) => {
        const r = await h2.run(process.execPath, [resolveScript, h2.ip, ...args], { timeoutMs: 20000 });
        t.is(r.code, 0, r.stderr);
        return JSON.parse(r.stdout) as Record<string, unknown> & Record<number, Record<string, unknown>>;
      };
      const devices = (await run('devices')) as unknown as { name: string; ip: string; arcPort: number; cmcPort: number; processId: number }[];
      t.deepEqual(devices.map((d) => [d.name, d.ip, d.arcPort, d.cmcPort, d.processId]), [
        ['Interop A', h1.ip, 9000, 9001, 1],
        ['Interop B', h1.ip, 9100, 9101, 2],
      ]);
      const ch = await run('channel', 'Vox@Interop B');
      t.like(ch, { channel: 'Vox', device: 'Interop B', ip: h1.ip, port: 9102, txt: { id: 3, nchan: 4, enc: 24, latencyNs: 10_000_000 } });
      const inBundle = await run('channel', '02@Interop A');
      t.like(inBundle, { ip: h1.ip, port: 9002, txt: { id: 2, isDefault: true }, bundle: { id: 1, position: 2, txt: { group: '239.255.12.34', port: 4321 } } });
      const missing = await run('channel', 'TX 3@Interop A');
      t.regex(String(missing.error), /not-found/);
    } finally {
      await lan.destroy();
    }
  });

interop({ root: true, commands: ['ip'] }).serial(
  'two hosts publishing the same device name: one keeps it, the other is renamed "-2"', async (t) => {
    const lan = createLan(2, { tag: 'mcf' });
    try {
      const [h1, h2] = lan.hosts as [LanHost, LanHost];
      const lines: string[] = [];
      const [p1, p2] = await Promise.all([publish(t, h1, device(h1.ip, { name: 'Same' })), publish(t, h2, device(h2.ip, { name: 'Same' }))]);
      for (const p of [p1, p2]) p.stdout?.on('data', (d) => lines.push(String(d)));
      // Both have published something; let a late conflict (seen after announcing) settle.
      await new Promise((r) => setTimeout(r, 3000));
      const r = await h2.run(process.execPath, [resolveScript, h2.ip, 'devices'], { timeoutMs: 20000 });
      const names = (JSON.parse(r.stdout) as { name: string; ip: string }[]).map((d) => d.name).sort();
      t.deepEqual(names, ['Same', 'Same-2'], lines.join(''));
    } finally {
      await lan.destroy();
    }
  });
