import test from 'ava';
import {
  SERVICE_ARC, SERVICE_BUND, SERVICE_CHAN, SERVICE_CMC, allRecords, buildDanteRecordSet, conflictDeviceName,
  conflictHostLabel, decodeTxt, encodeTxt, formatTxt, hostLabelFor, parseBundleTxt, parseChannelTxt, parseTxtInt, planPublication,
  reservationName, splitAtDevice,
} from '../dist/core/mdns/index.js';
import type { ServiceInstance } from '../dist/core/mdns/index.js';
import { testDevice } from './support/mdns-device.js';

const txtOf = (s: ServiceInstance) => formatTxt(decodeTxt(s.txt.data));
const find = (set: ReturnType<typeof buildDanteRecordSet>, fqdn: string) => {
  const s = set.services.find((x) => x.fqdn === fqdn);
  if (!s) throw new Error(`no service ${fqdn}`);
  return s;
};

test('§12.7: ARC, CMC and CHAN records of Inferno defaults on 10.0.0.1', (t) => {
  const dev = testDevice({ deviceId: '00000a0000010000' });
  const set = buildDanteRecordSet(dev);
  t.is(dev.name, 'Inferno2pipe 0a000001');
  t.is(set.hostName, 'Inferno2pipe-0a000001.local');

  const arc = find(set, 'Inferno2pipe 0a000001._netaudio-arc._udp.local');
  t.deepEqual(arc.ptr, { name: SERVICE_ARC, type: 'PTR', ttl: 4500, unique: false, data: arc.fqdn });
  t.deepEqual(arc.srv.data, { priority: 0, weight: 0, port: 4440, target: set.hostName });
  t.is(arc.srv.ttl, 4500);
  t.is(arc.txt.ttl, 4500);
  t.is(txtOf(arc), 'arcp_vers=2.7.41 | arcp_min=0.2.4 | router_vers=4.0.2 | router_info=Inferno-AoIP | mf=Inferno-AoIP | model=_000000000000000b');

  const cmc = find(set, 'Inferno2pipe 0a000001._netaudio-cmc._udp.local');
  t.is(cmc.ptr.name, SERVICE_CMC);
  t.is(cmc.srv.data.port, 8800);
  t.is(cmc.srv.ttl, 120);
  t.is(txtOf(cmc), 'id=00000a0000010000 | process=0 | cmcp_vers=1.2.0 | cmcp_min=1.0.0 | server_vers=4.0.2 | channels=0x6000004d | mf=Inferno-AoIP | model=_000000000000000b | "" | ""');
  // The two empty strings are real zero-length TXT strings on the wire.
  t.deepEqual(cmc.txt.data.slice(-2).map((b) => b.length), [0, 0]);

  const chans = set.services.filter((s) => s.serviceType === SERVICE_CHAN).map((s) => s.label);
  t.deepEqual(chans, ['01@Inferno2pipe 0a000001', 'TX 1@Inferno2pipe 0a000001', '02@Inferno2pipe 0a000001', 'TX 2@Inferno2pipe 0a000001']);
  const ch1 = find(set, '01@Inferno2pipe 0a000001._netaudio-chan._udp.local');
  t.is(txtOf(ch1), 'txtvers=2 | dbcp1=0x1102 | dbcp=0x1004 | id=1 | rate=48000 | pcm=3 e | enc=24 | en=24 | latency_ns=10000000 | fpp=32,2 | nchan=2 | default');
  t.deepEqual(ch1.srv.data, { priority: 0, weight: 0, port: 4455, target: set.hostName });
  const alias2 = find(set, 'TX 2@Inferno2pipe 0a000001._netaudio-chan._udp.local');
  t.is(txtOf(alias2), 'txtvers=2 | dbcp1=0x1102 | dbcp=0x1004 | id=2 | rate=48000 | pcm=3 e | enc=24 | en=24 | latency_ns=10000000 | fpp=32,2 | nchan=2');

  t.deepEqual(set.hostA, { name: set.hostName, type: 'A', ttl: 120, unique: true, data: '10.0.0.1' });
  t.deepEqual(set.reservations, []);
  // No _netaudio-dbc: its content is unknown (§2.1).
  t.false(allRecords(set).some((r) => r.name.includes('_netaudio-dbc')));
});

test('channel with equal factory and friendly name has one instance; nchan is capped at 8', (t) => {
  const tx = Array.from({ length: 12 }, (_, i) => ({ factoryName: `${i + 1}`, friendlyName: i === 0 ? 'Vox' : `${i + 1}` }));
  const set = buildDanteRecordSet(testDevice({ name: 'dev', txChannels: tx }));
  const chans = set.services.filter((s) => s.serviceType === SERVICE_CHAN);
  t.is(chans.length, 13);
  t.true(txtOf(chans[0]!).includes('nchan=8'));
  t.deepEqual(decodeTxt(find(set, 'Vox@dev._netaudio-chan._udp.local').txt.data).find(([k]) => k === 'id'), ['id', '1']);
});

test('§12.8: bundle TXT, b.N keys last, reservation A and origin marker', (t) => {
  const dev = testDevice({
    name: 'dev', deviceId: '00000a0000010000',
    bundles: [{ id: 1, group: '239.255.12.34', port: 4321, channels: [1, 2] }],
  });
  const set = buildDanteRecordSet(dev);
  const bund = find(set, '1@dev._netaudio-bund._udp.local');
  t.is(bund.ptr.name, SERVICE_BUND);
  t.is(bund.srv.data.port, 4455);
  t.is(txtOf(bund), 'txtvers=1 | id=1 | nchan=2 | latency_ns=10000000 | fpp=32 | rate=48000 | enc=24 | a.0=239.255.12.34 | p.0=4321');
  const tx1 = decodeTxt(find(set, 'TX 1@dev._netaudio-chan._udp.local').txt.data);
  const tx2 = decodeTxt(find(set, 'TX 2@dev._netaudio-chan._udp.local').txt.data);
  t.deepEqual(tx1.at(-1), ['b.1', '1']);
  t.deepEqual(tx2.at(-1), ['b.1', '2']);
  const f1 = decodeTxt(find(set, '01@dev._netaudio-chan._udp.local').txt.data);
  t.deepEqual(f1.slice(-2), [['default', null], ['b.1', '1']]);
  t.deepEqual(set.reservations, [{ name: '34.12.255.239.in-addr.local', type: 'A', ttl: 120, unique: false, data: '10.0.0.1' }]);
  t.is(set.origin.name, '_inferno-response-origin.local');
  t.deepEqual(set.origin.data, [Buffer.from('00000a0000010000,0')]);
  t.is(reservationName('239.255.1.2'), '2.1.255.239.in-addr.local');
});

test('TXT codec keeps order and empty strings; integers decimal or 0x hex', (t) => {
  const entries = [['a', '1'], ['default', null], ['', null], ['k', 'x=y']] as const;
  const wire = encodeTxt(entries);
  t.deepEqual(wire.map(String), ['a=1', 'default', '', 'k=x=y']);
  t.deepEqual(decodeTxt(wire), entries.map((e) => [...e]));
  t.is(parseTxtInt('0x1102'), 0x1102);
  t.is(parseTxtInt('0X6000004d'), 0x6000004d);
  t.is(parseTxtInt('48000'), 48000);
  t.throws(() => parseTxtInt('12a'), { message: /txt-int/ });
  t.throws(() => parseTxtInt(null), { message: /txt-int/ });
});

test('channel and bundle TXT parsers accept real-device variants', (t) => {
  const ch = parseChannelTxt(['txtvers=2', 'dbcp1=0x1102', 'id=0x3', 'rate=48000', 'pcm=4 4', 'en=32', 'latency_ns=1000000', 'fpp=16,4', 'nchan=4', 'b.2=5']);
  t.like(ch, { id: 3, enc: 32, fppMax: 16, fppMin: 4, latencyNs: 1_000_000, dbcp1: 0x1102, nchan: 4, isDefault: false, pcm: { bytesPerSample: 4, type: 4 } });
  t.deepEqual(ch.bundles, [{ id: 2, position: 5 }]);
  t.throws(() => parseChannelTxt(['id=1', 'nchan=2']), { message: /txt-missing|txt-int/ });
  const b = parseBundleTxt(['txtvers=1', 'id=1', 'nchan=2', 'latency_ns=10000000', 'fpp=32', 'rate=48000', 'en=24', 'a.0=239.255.12.34', 'p.0=0x10e1']);
  t.like(b, { id: 1, nchan: 2, group: '239.255.12.34', port: 4321, enc: 24, fpp: 32 });
});

test('names: labels, host names, conflict renames, subscription split', (t) => {
  t.is(hostLabelFor('Inferno2pipe 0a000001'), 'Inferno2pipe-0a000001');
  t.is(hostLabelFor('Café  Bar!'), 'Cafe-Bar');
  t.is(hostLabelFor('@@@'), 'inferno');
  t.is(conflictDeviceName('Dev', 2), 'Dev-2');
  const long = 'x'.repeat(31);
  t.is(Buffer.byteLength(conflictDeviceName(long, 12)), 31);
  t.true(conflictDeviceName(long, 12).endsWith('-12'));
  t.is(conflictHostLabel('dev', 3), 'dev-3');
  t.deepEqual(splitAtDevice('TX 1@dev'), { name: 'TX 1', device: 'dev' });
  t.deepEqual(splitAtDevice('a@b@dev'), { name: 'a@b', device: 'dev' });
  t.is(splitAtDevice('nodevice'), undefined);
  // A '.' would split the label on the wire: rejected instead of published wrongly.
  t.throws(() => buildDanteRecordSet(testDevice({ txChannels: [{ factoryName: '01', friendlyName: 'a.b' }] })), { message: /without '\.'/ });
  t.throws(() => buildDanteRecordSet(testDevice({ deviceId: 'xyz' })), { message: /device id/ });
});

test('planPublication: rename withdraws the old alias, probes the new one, keeps the rest', (t) => {
  const dev = testDevice({ name: 'dev' });
  const before = allRecords(buildDanteRecordSet(dev));
  const renamed = { ...dev, txChannels: [{ factoryName: '01', friendlyName: 'Vox' }, dev.txChannels[1]!] };
  const plan = planPublication(before, allRecords(buildDanteRecordSet(renamed)));
  const show = (l: typeof before) => l.map((r) => `${r.type} ${r.type === 'PTR' ? r.data : r.name}`).sort();
  t.deepEqual(show(plan.goodbye), ['PTR TX 1@dev._netaudio-chan._udp.local', 'SRV TX 1@dev._netaudio-chan._udp.local', 'TXT TX 1@dev._netaudio-chan._udp.local']);
  t.deepEqual(show(plan.probe), ['PTR Vox@dev._netaudio-chan._udp.local', 'SRV Vox@dev._netaudio-chan._udp.local', 'TXT Vox@dev._netaudio-chan._udp.local']);
  t.deepEqual(plan.announce, []);
  t.is(plan.keep.length, before.length - 3);
  // A bundle: changed TXT of owned instances is announced (no goodbye), the bundle is probed.
  const withBundle = { ...dev, bundles: [{ id: 1, group: '239.255.12.34', port: 4321, channels: [2] }] };
  const p2 = planPublication(before, allRecords(buildDanteRecordSet(withBundle)));
  t.deepEqual(p2.goodbye, []);
  t.deepEqual(show(p2.announce), ['A 34.12.255.239.in-addr.local', 'TXT 02@dev._netaudio-chan._udp.local', 'TXT TX 2@dev._netaudio-chan._udp.local']);
  t.deepEqual(show(p2.probe), ['PTR 1@dev._netaudio-bund._udp.local', 'SRV 1@dev._netaudio-bund._udp.local', 'TXT 1@dev._netaudio-bund._udp.local']);
});
