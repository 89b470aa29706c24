import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { DanteMdnsDevice } from '../dist/core/mdns/index.js';
import { MdnsResponder, MemoryMdnsSegment } from '../dist/net/mdns/index.js';
import type { MdnsConflict } from '../dist/net/mdns/index.js';
import { testDevice, txChannels } from './support/mdns-device.js';
import {
  additionalsOf, answersOf, dataOf, decodeLog, encodeQuery, flushOf, probes, q, responses, sleep, ttl, until,
} from './support/mdns-fake.js';

const FAST = { probeIntervalMs: 15, probeDeferMs: 60, announceIntervalMs: 30, sharedDelayMinMs: 1, sharedDelayMaxMs: 3 };
const ARC = 'dev._netaudio-arc._udp.local';
const HOST = 'dev.local';

async function published(t: ExecutionContext, seg: MemoryMdnsSegment, dev: Partial<DanteMdnsDevice> = {}, ip = '10.0.0.1') {
  const r = new MdnsResponder({ interfaceIp: ip, transport: seg.attach(ip), timing: FAST });
  r.setDevice(testDevice({ name: 'dev', ipv4: ip, ...dev }));
  await r.start();
  t.true(await until(() => r.state === 'announced'), 'probing finished');
  await sleep(FAST.announceIntervalMs * 3); // let the announcements go out
  return r;
}

test('start: three probes 250 ms apart, then announcements 1 s apart with cache-flush on unique records', async (t) => {
  const seg = new MemoryMdnsSegment();
  const r = new MdnsResponder({ interfaceIp: '10.0.0.1', transport: seg.attach('10.0.0.1') });
  r.setDevice(testDevice({ name: 'dev' }));
  await r.start();
  t.is(r.state, 'probing');
  const rounds = <T extends { at: number }>(list: T[]) => list.filter((x, i) => i === 0 || x.at - list[i - 1]!.at > 100);
  t.true(await until(() => rounds(responses(seg)).length >= 2, 3500), 'two announcements');
  // A probe round may span several datagrams (MTU); rounds are the sends ≥ 100 ms apart.
  const p = probes(seg).filter((x, i, all) => i === 0 || x.at - all[i - 1]!.at > 100);
  t.is(p.length, 3);
  for (let i = 1; i < 3; i++) t.true(p[i]!.at - p[i - 1]!.at >= 240, `probe gap ${p[i]!.at - p[i - 1]!.at}`);
  const names = probes(seg).filter((x) => x.at - p[0]!.at < 100).flatMap((x) => x.packet.questions!.map((y) => y.name));
  t.true(names.includes(ARC) && names.includes(HOST) && names.includes('TX 1@dev._netaudio-chan._udp.local'));
  t.true(p[0]!.packet.questions!.every((x) => String(x.type) === 'ANY'));
  t.true((p[0]!.packet.authorities ?? []).some((a) => a.type === 'SRV' && a.name === ARC));

  const ann = rounds(responses(seg));
  t.true(ann[1]!.at - ann[0]!.at >= 990, 'announcements ≥ 1 s apart');
  t.true(ann[0]!.at >= p[2]!.at + 240);
  const first = answersOf(responses(seg).filter((x) => x.at - ann[0]!.at < 100));
  const srv = first.find((a) => a.type === 'SRV' && a.name === ARC)!;
  t.true(flushOf(srv));
  t.is(ttl(srv), 4500);
  t.false(flushOf(first.find((a) => a.type === 'PTR')!));
  t.is(String(dataOf(first.find((a) => a.type === 'A' && a.name === HOST)!)), '10.0.0.1');
  t.is(r.stats().conflicts, 0, 'own looped-back probes and announcements are not conflicts');
  await r.stop();
});

test('answers browse, instance, host, ANY and several questions per packet', async (t) => {
  const seg = new MemoryMdnsSegment();
  const r = await published(t, seg);
  const peer = seg.attach('10.0.0.9');
  const before = seg.log.length;
  const ask = async (questions: ReturnType<typeof q>[]) => {
    const n = seg.log.length;
    await peer.send(encodeQuery({ questions }));
    const mine = () => decodeLog(seg).slice(n).filter((s) => s.from.address === '10.0.0.1');
    await until(() => mine().length > 0, 500);
    await sleep(20);
    return mine();
  };
  // 1) PTR browse: PTR answer with SRV, TXT and A additionals.
  let got = await ask([q('_netaudio-arc._udp.local', 'PTR')]);
  t.deepEqual(answersOf(got).map((a) => `${a.type} ${String(dataOf(a))}`), [`PTR ${ARC}`]);
  t.deepEqual(additionalsOf(got).map((a) => a.type).sort(), ['A', 'SRV', 'TXT']);
  t.is(got[0]!.to.address, '224.0.0.251');
  // 2) SRV + TXT of one channel instance in one packet (§2.3), A in additionals.
  const ch = 'TX 2@dev._netaudio-chan._udp.local';
  got = await ask([q(ch, 'SRV'), q(ch, 'TXT')]);
  t.deepEqual(answersOf(got).map((a) => a.type), ['SRV', 'TXT']);
  t.deepEqual(additionalsOf(got).map((a) => `${a.type} ${a.name} ${String(dataOf(a))}`), [`A ${HOST} 10.0.0.1`]);
  // 3) host A, and ANY for an instance; case-insensitive names.
  got = await ask([q('DEV.local', 'A'), q('01@DEV._netaudio-chan._udp.local', 'ANY')]);
  t.deepEqual(answersOf(got).map((a) => a.type), ['A', 'SRV', 'TXT']);
  // 4) service type enumeration (RFC 6763 §9).
  got = await ask([q('_services._dns-sd._udp.local', 'PTR')]);
  t.deepEqual(answersOf(got).map((a) => String(dataOf(a))).sort(), ['_netaudio-arc._udp.local', '_netaudio-chan._udp.local', '_netaudio-cmc._udp.local']);
  // 5) nothing for other names.
  const n = seg.log.length;
  await peer.send(encodeQuery({ questions: [q('other.local', 'A')] }));
  await sleep(30);
  t.is(decodeLog(seg).slice(n).filter((s) => s.from.address === '10.0.0.1').length, 0);
  t.true(seg.log.length > before);
  t.true(r.stats().answers >= 7);
  await r.stop();
});

test('known-answer suppression: a PTR the querier lists with TTL ≥ half ours is not answered', async (t) => {
  const seg = new MemoryMdnsSegment();
  const r = await published(t, seg);
  const peer = seg.attach('10.0.0.9');
  const ptr = { name: '_netaudio-arc._udp.local', type: 'PTR' as const, ttl: 2400, data: ARC };
  const n = seg.log.length;
  await peer.send(encodeQuery({ questions: [q('_netaudio-arc._udp.local', 'PTR')], answers: [ptr] }));
  await sleep(40);
  t.is(seg.log.length, n + 1, 'only our query on the wire');
  t.is(r.stats().knownAnswerSuppressed, 1);
  await peer.send(encodeQuery({ questions: [q('_netaudio-arc._udp.local', 'PTR')], answers: [{ ...ptr, ttl: 2000 }] }));
  t.true(await until(() => seg.log.length >= n + 3, 500), 'TTL below half: answered');
  await r.stop();
});

test('legacy unicast: reply to the source port with id and question echoed, TTL ≤ 10, no cache-flush', async (t) => {
  const seg = new MemoryMdnsSegment();
  const r = await published(t, seg);
  const legacy = seg.attach('10.0.0.9', 40000);
  const got: Buffer[] = [];
  legacy.onMessage((b) => got.push(b));
  await legacy.send(encodeQuery({ id: 4242, questions: [q('01@dev._netaudio-chan._udp.local', 'SRV')] }));
  t.true(await until(() => got.length > 0, 500));
  const { default: dnsPacket } = await import('dns-packet');
  const p = dnsPacket.decode(got[0]!);
  t.is(p.id, 4242);
  t.deepEqual(p.questions!.map((x) => x.name), ['01@dev._netaudio-chan._udp.local']);
  for (const a of [...p.answers!, ...p.additionals!]) {
    t.true(ttl(a) <= 10);
    t.false(flushOf(a));
  }
  t.is(seg.log.at(-1)!.to.port, 40000);
  t.is(r.stats().legacyUnicast, 1);
  await r.stop();
});

test('QU bit: the answer goes unicast to the querier', async (t) => {
  const seg = new MemoryMdnsSegment();
  const r = await published(t, seg);
  const peer = seg.attach('10.0.0.9');
  const n = seg.log.length;
  await peer.send(encodeQuery({ questions: [q(HOST, 'A')] }, true));
  t.true(await until(() => seg.log.length > n + 1, 500));
  const reply = seg.log.at(-1)!;
  t.deepEqual(reply.to, { address: '10.0.0.9', port: 5353 });
  t.is(r.stats().unicastReplies, 1);
  await r.stop();
});

test('64 TX channels: announcements and a browse answer are split under the MTU and complete', async (t) => {
  for (const mtu of [1472, 512]) {
    const seg = new MemoryMdnsSegment();
    const r = new MdnsResponder({ interfaceIp: '10.0.0.1', transport: seg.attach('10.0.0.1'), timing: FAST, maxPayload: mtu });
    r.setDevice(testDevice({ name: 'dev', txChannels: txChannels(64) }));
    await r.start();
    t.true(await until(() => r.state === 'announced'));
    await sleep(20);
    for (const d of seg.log) t.true(d.buf.length <= mtu, `datagram of ${d.buf.length} bytes`);
    const announced = new Set(answersOf(responses(seg)).map((a) => `${a.type} ${a.name}`));
    t.is([...announced].filter((k) => k.startsWith('SRV') && k.includes('_netaudio-chan')).length, 128);
    t.true(probes(seg).length >= 3 * 2, 'probes split too');
    const peer = seg.attach('10.0.0.9');
    const n = seg.log.length;
    await peer.send(encodeQuery({ questions: [q('_netaudio-chan._udp.local', 'PTR')] }));
    await sleep(60);
    const browse = seg.log.slice(n + 1);
    t.true(browse.length > 1);
    for (const d of browse) t.true(d.buf.length <= mtu);
    const { default: dnsPacket } = await import('dns-packet');
    const ptrs = browse.flatMap((d) => dnsPacket.decode(d.buf).answers!).filter((a) => a.type === 'PTR');
    t.is(new Set(ptrs.map((a) => String(dataOf(a)))).size, 128);
    await r.stop();
  }
});

test('goodbyes: stop() sends every record with TTL 0', async (t) => {
  const seg = new MemoryMdnsSegment();
  const r = await published(t, seg);
  const n = seg.log.length;
  await r.stop();
  const { default: dnsPacket } = await import('dns-packet');
  const bye = seg.log.slice(n).flatMap((d) => dnsPacket.decode(d.buf).answers!);
  t.is(bye.length, r.recordSet ? 3 * 6 + 1 : 0); // ARC, CMC, 4 CHAN × PTR/SRV/TXT + host A
  t.true(bye.every((a) => ttl(a) === 0));
  t.is(r.state, 'stopped');
});

test('rename and bundle diff: goodbye for the old alias, probe for new names, flush-update for changed TXT', async (t) => {
  const seg = new MemoryMdnsSegment();
  const dev = testDevice({ name: 'dev' });
  const r = await published(t, seg, dev);
  let n = seg.log.length;
  r.setDevice({ ...dev, txChannels: [{ factoryName: '01', friendlyName: 'Vox' }, dev.txChannels[1]!] });
  t.true(await until(() => r.state === 'announced'));
  await sleep(FAST.announceIntervalMs * 3);
  const { default: dnsPacket } = await import('dns-packet');
  const after = () => seg.log.slice(n).map((d) => dnsPacket.decode(d.buf));
  const bye = after().filter((p) => p.type === 'response').flatMap((p) => p.answers!).filter((a) => ttl(a) === 0);
  t.deepEqual(bye.map((a) => `${a.type} ${a.name}`).sort(), [
    'PTR _netaudio-chan._udp.local', 'SRV TX 1@dev._netaudio-chan._udp.local', 'TXT TX 1@dev._netaudio-chan._udp.local',
  ]);
  const probed = after().filter((p) => p.type === 'query').flatMap((p) => p.questions!.map((x) => x.name));
  t.deepEqual([...new Set(probed)], ['Vox@dev._netaudio-chan._udp.local']);
  const announcedNow = after().filter((p) => p.type === 'response').flatMap((p) => p.answers!).filter((a) => ttl(a) > 0);
  t.true(announcedNow.every((a) => a.name.startsWith('Vox@') || String(dataOf(a)).startsWith('Vox@')), 'unchanged records are not re-sent');

  // Bundle: TX 1's TXT gains b.1 (a flush update, no goodbye), the bundle instance is probed.
  await sleep(100);
  n = seg.log.length;
  r.setDevice({ ...dev, bundles: [{ id: 1, group: '239.255.12.34', port: 4321, channels: [1] }] });
  t.true(await until(() => r.state === 'announced'));
  await sleep(100);
  const rs = after().filter((p) => p.type === 'response').flatMap((p) => p.answers!);
  const tx1 = rs.filter((a) => a.name === '01@dev._netaudio-chan._udp.local' && a.type === 'TXT');
  t.true(tx1.length > 0 && tx1.every((a) => ttl(a) > 0 && flushOf(a)));
  t.true((dataOf(tx1[0]!) as Buffer[]).map(String).includes('b.1=1'));
  t.true(rs.some((a) => a.type === 'A' && a.name === '34.12.255.239.in-addr.local' && !flushOf(a)));
  t.true(rs.some((a) => a.type === 'SRV' && a.name === '1@dev._netaudio-bund._udp.local'));
  // The Vox alias was renamed back to TX 1 by this call: its records said goodbye.
  t.true(rs.some((a) => a.name === 'Vox@dev._netaudio-chan._udp.local' && ttl(a) === 0));
  await r.stop();
});

test('conflict while probing: the device becomes "dev-2", host conflicts get "dev-2"', async (t) => {
  const seg = new MemoryMdnsSegment();
  const other = seg.attach('10.0.0.7');
  // A peer owning dev's ARC instance and host name answers every probe.
  other.onMessage(async (buf, from) => {
    const { default: dnsPacket } = await import('dns-packet');
    const p = dnsPacket.decode(buf);
    if (p.type !== 'query' || from.address === '10.0.0.7') return;
    const names = p.questions!.map((x) => x.name.toLowerCase());
    const answers: import('dns-packet').Answer[] = [];
    if (names.includes(ARC)) answers.push({ name: ARC, type: 'SRV', ttl: 4500, flush: true, data: { port: 4440, target: 'other.local', priority: 0, weight: 0 } });
    if (names.includes(HOST)) answers.push({ name: HOST, type: 'A', ttl: 120, flush: true, data: '10.0.0.7' });
    if (answers.length) await other.send(dnsPacket.encode({ type: 'response', flags: 1024, answers }));
  });
  const r = new MdnsResponder({ interfaceIp: '10.0.0.1', transport: seg.attach('10.0.0.1'), timing: FAST });
  const seen: MdnsConflict[] = [];
  r.on('conflict', (c) => seen.push(c));
  r.setDevice(testDevice({ name: 'dev' }));
  await r.start();
  t.true(await until(() => r.state === 'announced', 3000));
  t.is(r.deviceName, 'dev-2');
  t.is(r.hostName, 'dev-2.local');
  t.deepEqual(seen.map((c) => `${c.kind} ${c.from} → ${c.to}`).sort(), ['device dev → dev-2', 'host dev.local → dev-2.local']);
  t.is(seen[0]!.peer, '10.0.0.7');
  t.deepEqual(r.conflicts, seen);
  const ann = answersOf(responses(seg, '10.0.0.1'));
  t.true(ann.some((a) => a.type === 'SRV' && a.name === 'dev-2._netaudio-arc._udp.local'));
  t.false(ann.some((a) => a.name === ARC), 'the taken name was never announced');
  await r.stop();
});

test('simultaneous probes for one name: one device keeps it, the other renames', async (t) => {
  const seg = new MemoryMdnsSegment();
  const a = new MdnsResponder({ interfaceIp: '10.0.0.1', transport: seg.attach('10.0.0.1'), timing: FAST });
  const b = new MdnsResponder({ interfaceIp: '10.0.0.2', transport: seg.attach('10.0.0.2'), timing: FAST });
  a.setDevice(testDevice({ name: 'dev', ipv4: '10.0.0.1' }));
  b.setDevice(testDevice({ name: 'dev', ipv4: '10.0.0.2' }));
  await Promise.all([a.start(), b.start()]);
  t.true(await until(() => a.state === 'announced' && b.state === 'announced', 4000));
  t.deepEqual([a.deviceName, b.deviceName].sort(), ['dev', 'dev-2']);
  await Promise.all([a.stop(), b.stop()]);
});

test('malformed datagrams and responses from a port other than 5353 are counted drops', async (t) => {
  const seg = new MemoryMdnsSegment();
  const r = await published(t, seg);
  const peer = seg.attach('10.0.0.9');
  await peer.send(Buffer.from([1, 2, 3]));
  await peer.send(Buffer.from('000084000000000100000000', 'hex')); // claims an answer it lacks
  const odd = seg.attach('10.0.0.9', 40001);
  const { default: dnsPacket } = await import('dns-packet');
  await odd.send(dnsPacket.encode({ type: 'response', answers: [{ name: ARC, type: 'SRV', ttl: 100, data: { port: 1, target: 'x.local' } }] }));
  await sleep(20);
  const s = r.stats();
  t.is(s.drops.malformed, 2);
  t.is(s.drops['response-bad-port'], 1);
  t.is(r.deviceName, 'dev');
  const n = seg.log.length;
  await peer.send(encodeQuery({ questions: [q(HOST, 'A')] }));
  t.true(await until(() => seg.log.length > n + 1, 300), 'still answering');
  await r.stop();
});

test('two responders on one IP both answer a browse', async (t) => {
  const seg = new MemoryMdnsSegment();
  const a = await published(t, seg, { name: 'devA', processId: 1, arcPort: 9000 });
  const b = await published(t, seg, { name: 'devB', processId: 2, arcPort: 9100 });
  const peer = seg.attach('10.0.0.9');
  const n = seg.log.length;
  await peer.send(encodeQuery({ questions: [q('_netaudio-arc._udp.local', 'PTR')] }));
  await sleep(40);
  const { default: dnsPacket } = await import('dns-packet');
  const ptrs = seg.log.slice(n + 1).flatMap((d) => dnsPacket.decode(d.buf).answers!).map((x) => String(dataOf(x)));
  t.deepEqual(ptrs.sort(), ['devA._netaudio-arc._udp.local', 'devB._netaudio-arc._udp.local']);
  t.is(a.stats().conflicts + b.stats().conflicts, 0);
  await Promise.all([a.stop(), b.stop()]);
});

test('a conflicting record after publication triggers probing again (RFC 6762 §9), then a rename', async (t) => {
  const seg = new MemoryMdnsSegment();
  const r = await published(t, seg);
  const { default: dnsPacket } = await import('dns-packet');
  const peer = seg.attach('10.0.0.7');
  const theirs = { name: ARC, type: 'SRV' as const, ttl: 4500, flush: true, data: { port: 1234, target: 'other.local', priority: 0, weight: 0 } };
  // The peer claims dev's ARC instance now and defends it against our probes.
  peer.onMessage(async (buf, from) => {
    const p = dnsPacket.decode(buf);
    if (p.type === 'query' && from.address !== '10.0.0.7' && p.questions!.some((x) => x.name === ARC)) {
      await peer.send(dnsPacket.encode({ type: 'response', flags: 1024, answers: [theirs] }));
    }
  });
  await peer.send(dnsPacket.encode({ type: 'response', flags: 1024, answers: [theirs] }));
  t.true(await until(() => r.deviceName === 'dev-2' && r.state === 'announced', 2000));
  t.is(r.conflicts.length, 1);
  await r.stop();
});

test('reservations set before start() are announced at start', async (t) => {
  const seg = new MemoryMdnsSegment();
  const r = await published(t, seg, { reservedGroups: ['239.255.3.4'] });
  t.true(answersOf(responses(seg)).some((a) => a.name === '4.3.255.239.in-addr.local' && ttl(a) > 0));
  await r.stop();
});
