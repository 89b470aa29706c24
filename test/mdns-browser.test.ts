import test from 'ava';
import dnsPacket from 'dns-packet';
import { responseOrigin } from '../dist/core/mdns/index.js';
import { MdnsBrowser, MdnsResolveError, MdnsResponder, MemoryMdnsSegment } from '../dist/net/mdns/index.js';
import { testDevice } from './support/mdns-device.js';
import { until } from './support/mdns-fake.js';

const FAST = { probeIntervalMs: 10, announceIntervalMs: 20, sharedDelayMinMs: 1, sharedDelayMaxMs: 3 };

async function device(seg: MemoryMdnsSegment, ip: string, over: Parameters<typeof testDevice>[0] = {}) {
  const r = new MdnsResponder({ interfaceIp: ip, transport: seg.attach(ip), timing: FAST });
  r.setDevice(testDevice({ ipv4: ip, ...over }));
  await r.start();
  await until(() => r.state === 'announced');
  return r;
}

test('resolveChannel: address, flows port and TXT; bundle resolution through b.N', async (t) => {
  const seg = new MemoryMdnsSegment();
  const tx = await device(seg, '10.0.0.1', {
    name: 'dev', flowsPort: 4455,
    bundles: [{ id: 1, group: '239.255.12.34', port: 4321, channels: [0, 2] }],
  });
  const browser = new MdnsBrowser({ interfaceIp: '10.0.0.2', transport: seg.attach('10.0.0.2') });
  const ch = await browser.resolveChannel('TX 1@dev');
  t.like(ch, { channel: 'TX 1', device: 'dev', ip: '10.0.0.1', port: 4455, host: 'dev.local' });
  t.like(ch.txt, { id: 1, nchan: 2, enc: 24, fppMax: 32, fppMin: 2, latencyNs: 10_000_000, dbcp1: 0x1102, isDefault: false });
  t.is(ch.bundle, undefined);
  const ch2 = await browser.resolveChannel('02@dev');
  t.true(ch2.txt.isDefault);
  t.like(ch2.bundle, { id: 1, position: 2, txt: { group: '239.255.12.34', port: 4321, nchan: 2, fpp: 32 } });
  t.is(ch2.bundle?.service.ip, '10.0.0.1');
  const err = await t.throwsAsync(browser.resolveChannel('nope@dev', 300));
  t.true(err instanceof MdnsResolveError);
  t.is((err as MdnsResolveError).reason, 'not-found');
  await t.throwsAsync(browser.resolveChannel('no-at-sign'), { message: /bad-name/ });
  await Promise.all([tx.stop(), browser.stop()]);
});

test('listDevices groups ARC and CMC by SRV target; browse resolves every instance', async (t) => {
  const seg = new MemoryMdnsSegment();
  const a = await device(seg, '10.0.0.1', { name: 'alpha', processId: 1 });
  const b = await device(seg, '10.0.0.2', { name: 'beta', arcPort: 9000, cmcPort: 9001 });
  const browser = new MdnsBrowser({ interfaceIp: '10.0.0.3', transport: seg.attach('10.0.0.3') });
  const list = await browser.listDevices(300);
  t.deepEqual(list.map((d) => [d.name, d.host, d.ip, d.arcPort, d.cmcPort, d.deviceId, d.processId]), [
    ['alpha', 'alpha.local', '10.0.0.1', 4440, 8800, '00000a0000010000', 1],
    ['beta', 'beta.local', '10.0.0.2', 9000, 9001, '00000a0000020000', 0],
  ]);
  const chans = await browser.browse('_netaudio-chan._udp.local', 300);
  t.is(chans.length, 8);
  t.true(chans.every((c) => c.ip && c.port === 4455 && c.txt[0]![0] === 'txtvers'));
  await Promise.all([a.stop(), b.stop(), browser.stop()]);
});

test('a goodbye removes the instance from later browses', async (t) => {
  const seg = new MemoryMdnsSegment();
  const a = await device(seg, '10.0.0.1', { name: 'alpha' });
  const browser = new MdnsBrowser({ interfaceIp: '10.0.0.3', transport: seg.attach('10.0.0.3') });
  t.is((await browser.browse('_netaudio-arc._udp.local', 200)).length, 1);
  await a.stop();
  await until(() => false, 20);
  t.is((await browser.browse('_netaudio-arc._udp.local', 200)).length, 0);
  await browser.stop();
});

test('follow-up A query when the additional section lacks the address (§2.3 step 7)', async (t) => {
  const seg = new MemoryMdnsSegment();
  const peer = seg.attach('10.0.0.5');
  const fqdn = 'ch@old._netaudio-chan._udp.local';
  peer.onMessage(async (buf, from) => {
    const p = dnsPacket.decode(buf);
    if (p.type !== 'query' || from.address === '10.0.0.5') return;
    const answers: dnsPacket.Answer[] = [];
    for (const qu of p.questions ?? []) {
      if (qu.name === fqdn && qu.type === 'SRV') answers.push({ name: fqdn, type: 'SRV', ttl: 120, data: { port: 4455, target: 'old-host.local' } });
      if (qu.name === fqdn && qu.type === 'TXT') answers.push({ name: fqdn, type: 'TXT', ttl: 120, data: ['txtvers=2', 'dbcp1=0x1102', 'id=0x1', 'en=16', 'latency_ns=1000000', 'fpp=16', 'nchan=4'] });
      if (qu.name === 'old-host.local' && qu.type === 'A') answers.push({ name: 'old-host.local', type: 'A', ttl: 120, data: '10.0.0.5' });
    }
    if (answers.length) await peer.send(dnsPacket.encode({ type: 'response', flags: 1024, answers }));
  });
  const browser = new MdnsBrowser({ interfaceIp: '10.0.0.3', transport: seg.attach('10.0.0.3') });
  const ch = await browser.resolveChannel('ch@old');
  t.like(ch, { ip: '10.0.0.5', port: 4455, txt: { id: 1, enc: 16, fppMax: 16, fppMin: 16, nchan: 4 } });
  await browser.stop();
});

test('multicast group reservation check ignores our own origin marker (§2.3 step 8)', async (t) => {
  const seg = new MemoryMdnsSegment();
  const dev = testDevice({ name: 'dev', reservedGroups: ['239.255.1.2'] });
  const r = await device(seg, '10.0.0.1', dev);
  const own = new MdnsBrowser({ interfaceIp: '10.0.0.1', transport: seg.attach('10.0.0.1'), ownOrigin: responseOrigin(dev.deviceId, dev.processId) });
  const other = new MdnsBrowser({ interfaceIp: '10.0.0.2', transport: seg.attach('10.0.0.2'), ownOrigin: 'ffffffffffffffff,0' });
  t.false(await own.isMulticastGroupInUse('239.255.1.2', 100, 2));
  t.true(await other.isMulticastGroupInUse('239.255.1.2', 100, 2));
  t.false(await other.isMulticastGroupInUse('239.255.9.9', 50, 1));
  await Promise.all([r.stop(), own.stop(), other.stop()]);
});

test('malformed datagrams are counted drops in the browser', async (t) => {
  const seg = new MemoryMdnsSegment();
  const browser = new MdnsBrowser({ interfaceIp: '10.0.0.3', transport: seg.attach('10.0.0.3') });
  await seg.attach('10.0.0.4').send(Buffer.from([0xff, 0, 1]));
  t.true(await until(() => browser.stats().drops.malformed === 1, 200));
  await browser.stop();
});
