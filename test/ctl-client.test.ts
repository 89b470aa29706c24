// ArcClient and the conmon sender on the in-memory network: matching, retries, timeouts, paging.
import test from 'ava';
import { ArcClient, ArcTimeoutError, ConmonClient, MemoryMulticastListener, MemoryUdpNetwork } from '../dist/net/control-client/index.js';
import type { ArcTarget } from '../dist/net/control-client/index.js';
import { FakeDevice, attachFakeDevice, fakeConfig } from './support/fake-device.js';

const ME = '10.9.0.100';
const DEV = '10.9.0.1';

function setup(channels = 4, handler?: (dev: FakeDevice, buf: Buffer, reply: (b: Buffer) => void) => void) {
  const net = new MemoryUdpNetwork();
  const dev = new FakeDevice(fakeConfig('dev-a', DEV, undefined, { channels }));
  if (handler) net.bind({ address: DEV, port: 4440 }, (buf, _f, reply) => handler(dev, buf, reply));
  else attachFakeDevice(net, dev);
  const transport = net.transport(ME);
  const arc = new ArcClient(transport, { timeoutMs: 30, retries: 2, firstTransactionId: 100 });
  const target: ArcTarget = { ip: DEV, port: 4440, label: 'dev-a' };
  return { net, dev, arc, target, transport };
}

const requestsTo = (net: MemoryUdpNetwork, port: number) => net.log.filter((d) => d.to.address === DEV && d.to.port === port);

test('transaction ids increment and replies are parsed', async (t) => {
  const { net, arc, target } = setup();
  t.is(await arc.deviceName(target), 'dev-a');
  const counts = await arc.channelCounts(target);
  t.is(counts.txCount, 4);
  t.deepEqual(requestsTo(net, 4440).map((d) => d.buf.readUInt16BE(4)), [100, 101]);
});

test('a lost request is re-sent with the same transaction id', async (t) => {
  const { net, arc, target } = setup();
  net.dropNext({ address: DEV, port: 4440 }, 2);
  t.is(await arc.deviceName(target), 'dev-a');
  const sent = requestsTo(net, 4440);
  t.is(sent.length, 3);
  t.deepEqual(new Set(sent.map((d) => d.buf.readUInt16BE(4))), new Set([100]));
});

test('silence ends in a timeout naming the device and the request', async (t) => {
  const { net, arc, target } = setup();
  net.dropNext({ address: DEV, port: 4440 }, 3);
  const err = await t.throwsAsync(arc.channelCounts(target), { instanceOf: ArcTimeoutError });
  t.is(err?.message, 'timeout: dev-a (10.9.0.1:4440) did not answer channel counts (0x1000) (3 tries, 30 ms each)');
});

test('replies with another transaction id, opcode or source are ignored', async (t) => {
  const { net, arc, target } = setup(4, (dev, buf, reply) => {
    const good = dev.arc(buf)!;
    const stale = Buffer.from(good);
    stale.writeUInt16BE((good.readUInt16BE(4) + 1) & 0xffff, 4);
    const other = Buffer.from(good);
    other.writeUInt16BE(0x1003, 6);
    reply(stale);
    reply(other);
    // The same reply from another port of the device must not count either.
    net.deliver({ address: DEV, port: 9999 }, { address: ME, port: 40000 }, good);
    setTimeout(() => reply(good), 5);
  });
  t.is(await arc.deviceName(target), 'dev-a');
  t.is(requestsTo(net, 4440).length, 1);
});

test('paging reads every channel over several pages and stops at the 0x1000 count', async (t) => {
  const { net, arc, target } = setup(40);
  const tx = await arc.readAllTxChannels(target, 40);
  t.deepEqual(tx.map((c) => c.number), Array.from({ length: 40 }, (_, i) => i + 1));
  const rx = await arc.readAllRxChannels(target, 40);
  t.is(rx.length, 40);
  t.deepEqual(requestsTo(net, 4440).map((d) => `${d.buf.readUInt16BE(6).toString(16)}:${d.buf.readUInt16BE(12)}`), ['2000:1', '2000:33', '3000:1', '3000:33']);
});

test('a device answering "more pages" on its last page: stop at the count, or on a short page', async (t) => {
  // LX-DANTE style (§3.5): status 0x8112 on every page.
  const { net, arc, target } = setup(40, (dev, buf, reply) => {
    const r = dev.arc(buf)!;
    if (r.length > 10) r.writeUInt16BE(0x8112, 8);
    reply(r);
  });
  t.is((await arc.readAllTxChannels(target, 40)).length, 40);
  t.is((await arc.readAllTxChannels(target)).length, 40);
  t.is(requestsTo(net, 4440).length, 4);
});

test('friendly TX names come back for every channel of our fake device', async (t) => {
  const { arc, target } = setup(3);
  t.deepEqual((await arc.readTxChannelNames(target)).map((n) => n.name), ['TX 1', 'TX 2', 'TX 3']);
});

test('CMC register tells the info port and device id; conmon set is confirmed by the multicast status', async (t) => {
  const { net, arc, dev, transport } = setup();
  const reg = await arc.cmcRegister(DEV, 8800, new Uint8Array(8));
  t.is(reg.infoPort, 8700);
  t.is(Buffer.from(reg.deviceId).toString('hex'), dev.deviceIdHex);
  const conmon = new ConmonClient(transport, () => new MemoryMulticastListener(net, { address: '224.0.0.231', port: 8702 }), { deviceId: new Uint8Array(8), processId: 0 });
  const target = { ip: DEV, infoPort: 8700, label: 'dev-a', deviceId: reg.deviceId };
  const ok = await conmon.setSetting(target, 'sample-rate', 96000, 300);
  t.true(ok.applied);
  t.is(dev.conmon.sampleRate, 96000);
  const refused = await conmon.setSetting(target, 'encoding', 20, 300);
  t.false(refused.applied);
  t.is(refused.status.current, 24);
  net.dropNext({ address: DEV, port: 8700 }, 3);
  await t.throwsAsync(conmon.setSetting(target, 'encoding', 16, 90), { message: /^timeout: dev-a \(10\.9\.0\.1:8700\) sent no status for encoding \(conmon 0x0083\)/ });
});
