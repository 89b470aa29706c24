// A real device under abuse, in a namespace LAN: SIGKILL during a stream of renames never loses
// an acknowledged name, and 10,000 random or truncated packets at the ARC, CMC and info ports
// (then a few thousand at the flows-control port and at mDNS) leave it answering, with /status
// counters accounting for every packet: answered, or dropped by reason.
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { interop } from './support/needs.js';
import { createLan, stopChild } from './support/netns.js';
import type { LanHost } from './support/netns.js';
import { readFixture, sessionNames, sessionSamples } from './support/fixture-files.js';
import { arcPacket, CLIENT, runClient, startDevice, statusUntil, tempStateDir, waitStatus } from './support/device-process.js';
import type { Reply } from './support/control-client.js';
import { boardInfo, ConmonSequence, handleConmonRequest } from '../dist/core/conmon/index.js';
import type { ConmonDeviceView } from '../dist/core/conmon/index.js';
import { encodeStop } from '../dist/core/flows/index.js';
import { arcServiceQuery, flowsFuzzPackets, mdnsFuzzPackets, mulberry32, ptrTargets } from './support/control-fuzz.js';

const test = interop({ root: true, commands: ['ip'] });
const DEVICE_ID = '00000a4e00010000';

test('SIGKILL during a stream of renames: the device restarts with the last acknowledged name (or the one in flight)', async (t) => {
  const lan = createLan(2, { tag: 'ckill', subnet: '10.78.0' });
  const stateDir = tempStateDir();
  const [h1, h2] = lan.hosts as [LanHost, LanHost];
  const args = ['--device-id', DEVICE_ID];
  const rnd = mulberry32(7);
  try {
    for (let round = 0; round < 2; round++) {
      const dev = startDevice(h1, stateDir, args);
      await waitStatus(h2, dev);
      const killAfter = 15 + Math.floor(rnd() * 40);
      const client = h2.spawn(process.execPath, [CLIENT, JSON.stringify({ mode: 'renames', target: h1.ip, port: 4440, prefix: `r${round}-`, count: 100_000, timeoutMs: 1500 })]);
      let lastAck: string | undefined;
      let lastSent: string | undefined;
      let acks = 0;
      const finished = new Promise<void>((resolve) => client.once('exit', () => resolve()));
      for await (const line of createInterface({ input: client.stdout! })) {
        if (line.startsWith('SEND ')) lastSent = line.slice(5);
        if (line.startsWith('ACK ')) {
          lastAck = line.slice(4);
          if (++acks === killAfter) dev.child.kill('SIGKILL');
        }
      }
      await finished;
      await new Promise<void>((resolve) => (dev.child.exitCode !== null || dev.child.signalCode !== null ? resolve() : dev.child.once('exit', () => resolve())));
      t.is(dev.child.signalCode, 'SIGKILL');
      t.true(acks >= killAfter, `${acks} acknowledged`);
      const again = startDevice(h1, stateDir, args);
      const s = await waitStatus(h2, again);
      t.true(s.device.name === lastAck || s.device.name === lastSent, `after restart ${s.device.name}, last ack ${lastAck}, in flight ${lastSent}`);
      await stopChild(again.child);
    }
  } finally {
    await lan.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  }
});

/** The device's conmon view as far as drop decisions go: interface known, clock not. */
function conmonLikeDevice(): ConmonDeviceView {
  return {
    processId: 0,
    deviceId: Buffer.from(DEVICE_ID, 'hex'),
    sequence: new ConmonSequence(),
    boardInfo: boardInfo.defaultBoardInfo('Inferno', [0, 1, 0, 0]),
    productInfo: {
      manufacturer: 'x', modelId: new Uint8Array(8), softwareVersion: [0, 0, 0, 0], firmwareVersion: [0, 0, 0, 0],
      patchA: 0, patchB: 0, manufacturerName: 'x', modelName: 'x', productVersion: [0, 0, 0, 0],
    },
    sampleRate: 48000,
    supportedSampleRates: [48000],
    encoding: 24,
    supportedEncodings: [24],
    interfaceInfo: { linkSpeedMbps: 1000, mac: new Uint8Array(6), ip: '10.0.0.1', netmask: '255.0.0.0', gateway: '0.0.0.0', dns: '0.0.0.0' },
  };
}

/** Conmon types that would restart the engine (and reset the counters under test). */
const RESTARTING_TYPES = new Set([0x0081, 0x0083, 0x0090]);

function fuzzPackets(count: number, seed: number): { port: number; data: Buffer }[] {
  const rnd = mulberry32(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const fixtures: { port: number; data: Buffer }[] = [];
  for (const session of sessionNames()) {
    for (const s of sessionSamples(session)) {
      if (s.direction === 'request' && (s.dst_port === 4440 || s.dst_port === 8800 || s.dst_port === 8700)) {
        fixtures.push({ port: s.dst_port, data: readFixture(`sessions/${session}/${s.file}`) });
      }
    }
  }
  const ports = [4440, 8800, 8700];
  const out: { port: number; data: Buffer }[] = [];
  while (out.length < count) {
    const kind = int(4);
    if (kind === 0) {
      out.push({ port: ports[int(3)]!, data: bytes(int(200)) });
    } else if (kind === 1) {
      const f = fixtures[int(fixtures.length)]!;
      out.push({ port: f.port, data: f.data.subarray(0, int(f.data.length)) });
    } else if (kind === 2) {
      // A header that passes the length check, random opcode and content.
      const p = Buffer.concat([Buffer.alloc(10), bytes(int(120))]);
      p.writeUInt16BE([0x27ff, 0x2729, 0x2809, 0x1200, int(65536)][int(5)]!, 0);
      p.writeUInt16BE(p.length, 2);
      p.writeUInt16BE(int(65536), 4);
      p.writeUInt16BE([0x1000, 0x1002, 0x1003, 0x1100, 0x2000, 0x2010, 0x3000, 0x3010, 0x2201, 0x1001, 0x3001, int(65536)][int(12)]!, 6);
      if (int(4) > 0) p.writeUInt16BE(0, 8);
      out.push({ port: int(2) ? 4440 : 8800, data: p });
    } else {
      const p = Buffer.concat([Buffer.alloc(32), bytes(int(80))]);
      p.writeUInt16BE(0xffff, 0);
      p.writeUInt16BE(int(3) ? p.length : int(65536), 2);
      p.write('Audinate', 16, 'latin1');
      p.writeUInt16BE(0x0700 | int(256), 24);
      let type = [0x0061, 0x00c1, 0x0013, 0x0021, 0x0077, 0x0063, 0x1006, 0x1008, int(65536)][int(9)]!;
      if (RESTARTING_TYPES.has(type)) type = 0x0061;
      p.writeUInt16BE(type, 26);
      out.push({ port: 8700, data: p });
    }
  }
  return out;
}

test('10,000 random and truncated packets: the device keeps answering and counts exactly the unanswerable ones', async (t) => {
  const lan = createLan(2, { tag: 'cfuzz', subnet: '10.79.0' });
  const stateDir = tempStateDir();
  const [h1, h2] = lan.hosts as [LanHost, LanHost];
  try {
    const dev = startDevice(h1, stateDir, ['--device-id', DEVICE_ID]);
    await waitStatus(h2, dev);
    const packets = fuzzPackets(10_000, 1234);
    const view = conmonLikeDevice();
    const sentTo = (port: number) => packets.filter((p) => p.port === port).length;
    const infoDrops = packets.filter((p) => p.port === 8700 && handleConmonRequest(p.data, view).drop !== undefined).length;
    // Batches of 64 end in an ARC request whose reply paces the sender (see Barrier): a loaded
    // device never has more queued than its socket buffers hold.
    const { result } = await runClient<BlastResult>(h2, {
      mode: 'blast', target: h1.ip, local: h2.ip, pauseEvery: 40, pauseMs: 4, settleMs: 1500,
      packets: packets.map((p) => ({ port: p.port, hex: p.data.toString('hex') })),
      barrier: { every: 64, hex: arcPacket(0x1002).toString('hex'), idOffset: 4, timeoutMs: 10_000, port: 4440 },
    }, 120_000);
    t.is(result.sent, 10_000);
    const s = await statusUntil(h2, dev, (x) => {
      const v = x.control.servers;
      return v.arc?.packets === sentTo(4440) + result.barriers && v.cmc?.packets === sentTo(8800) && v.conmon?.packets === sentTo(8700);
    }, 20_000);
    const servers = s.control.servers;
    const arcReplies = result.repliesByPort['4440'] ?? 0;
    const cmcReplies = result.repliesByPort['8800'] ?? 0;
    t.is(servers.arc.replies, arcReplies);
    t.is(servers.arc.dropped, sentTo(4440) + result.barriers - arcReplies, JSON.stringify(servers.arc.drops));
    t.is(servers.cmc.dropped, sentTo(8800) - cmcReplies, JSON.stringify(servers.cmc.drops));
    t.is(servers.conmon.dropped, infoDrops, JSON.stringify(servers.conmon.drops));
    t.true(servers.arc.dropped > 1000 && servers.conmon.dropped > 1000);
    t.is(s.device.engineRestarts, 0);
    t.is(s.workers.control.restarts, 0, 'the control worker never crashed');
    // Still answering.
    const r = await runClient<{ replies: Reply[] }[]>(h2, {
      mode: 'requests', target: h1.ip, local: h2.ip, timeoutMs: 1000,
      packets: [{ port: 4440, hex: arcPacket(0x1002, Buffer.alloc(0), 4242).toString('hex'), kind: 'arc' }],
    });
    const reply = Buffer.from(r.result[0]!.replies[0]!.hex, 'hex');
    t.is(reply.readUInt16BE(4), 4242);
    t.is(reply.readUInt16BE(8), 1);
  } finally {
    await lan.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  }
});

interface BlastResult {
  sent: number;
  barriers: number;
  repliesByPort: Record<string, number>;
}

/** An ARC 0x1002 (channel counts) request still gets its reply. */
async function arcStillAnswers(t: { is(a: unknown, b: unknown, m?: string): void }, h2: LanHost, target: string, tid: number): Promise<void> {
  const r = await runClient<{ replies: Reply[] }[]>(h2, {
    mode: 'requests', target, local: h2.ip, timeoutMs: 2000,
    packets: [{ port: 4440, hex: arcPacket(0x1002, Buffer.alloc(0), tid).toString('hex'), kind: 'arc' }],
  });
  const reply = Buffer.from(r.result[0]!.replies[0]!.hex, 'hex');
  t.is(reply.readUInt16BE(4), tid);
  t.is(reply.readUInt16BE(8), 1);
}

test('2,000 broken flows-control requests and 2,000 broken mDNS datagrams: every one counted, the device still answers mDNS and ARC', async (t) => {
  const lan = createLan(2, { tag: 'cfz1', subnet: '10.79.1' });
  const stateDir = tempStateDir();
  const [h1, h2] = lan.hosts as [LanHost, LanHost];
  try {
    const dev = startDevice(h1, stateDir, ['--device-id', DEVICE_ID]);
    const before = await statusUntil(h2, dev, (x) => x.control.mdns?.state === 'announced' && x.control.servers.flows !== undefined, 20_000);

    // Flows-control port: every datagram is received, then answered or counted malformed/ignored.
    const flows = flowsFuzzPackets(2000, 99, h2.ip);
    // Batches of 64 end in a stop request whose reply (transaction id echoed) paces the sender.
    const stopBarrier = encodeStop({ transactionId: 0, handle: { flowNumber: 1, cookie: 1 } });
    const f = await runClient<BlastResult>(h2, {
      mode: 'blast', target: h1.ip, local: h2.ip, pauseEvery: 16, pauseMs: 2, settleMs: 500,
      packets: flows.map((p) => ({ port: 4455, hex: p.toString('hex') })),
      barrier: { every: 64, hex: stopBarrier.toString('hex'), idOffset: 4, timeoutMs: 10_000 },
    }, 90_000);
    t.is(f.result.sent, flows.length);
    const fBase = before.control.servers.flows;
    const fSent = flows.length + f.result.barriers;
    const afterFlows = await statusUntil(h2, dev, (x) => x.control.servers.flows?.packets === fBase.packets + fSent, 20_000);
    const fs = afterFlows.control.servers.flows;
    const flowReplies = f.result.repliesByPort['4455'] ?? 0;
    t.is(fs.replies - fBase.replies, flowReplies, 'every reply the device counted arrived');
    t.is(fs.packets - fBase.packets, flowReplies + (fs.dropped - fBase.dropped), JSON.stringify(fs));
    t.true(flowReplies > 300 && fs.drops.malformed > 300 && fs.drops.ignored > 100, JSON.stringify(fs));
    t.is(afterFlows.transmit.counters.packets, fs.packets, '/status transmit.counters agrees');

    // mDNS: each datagram is a decoded query or response, or a drop counted by reason.
    const md = mdnsFuzzPackets(2000, 4321);
    const mBase = afterFlows.control.mdns.counters;
    // Paced by a legacy query for our service after every 64 datagrams (its answer echoes the
    // DNS id): a batch fits in the socket's receive buffer however slow a loaded device is.
    const m = await runClient<BlastResult>(h2, {
      mode: 'blast', target: '224.0.0.251', local: h2.ip, pauseEvery: 16, pauseMs: 2, settleMs: 500,
      packets: md.packets.map((p) => ({ port: 5353, hex: p.toString('hex') })),
      barrier: { every: 64, hex: arcServiceQuery(0).toString('hex'), idOffset: 0, timeoutMs: 10_000 },
    }, 90_000);
    t.is(m.result.sent, md.packets.length);
    const drop = (c: { drops: Record<string, number> }, reason: string) => c.drops[reason] ?? 0;
    const afterMdns = await statusUntil(h2, dev, (x) => {
      const c = x.control.mdns.counters;
      return drop(c, 'malformed') - drop(mBase, 'malformed') === md.malformed && drop(c, 'response-bad-port') - drop(mBase, 'response-bad-port') === md.responses;
    }, 20_000).catch(async (err: Error) => {
      // Kernel receive-buffer drops (last column) tell lost-on-arrival from miscounted.
      const udp = await h1.run('cat', ['/proc/net/udp']);
      throw new Error(`${err.message}\nexpected ${JSON.stringify({ ...md, packets: undefined })}\n${udp.stdout}`);
    });
    const mc = afterMdns.control.mdns.counters;
    t.true(md.malformed > 300 && md.responses > 50 && md.queries > 300, JSON.stringify(md));
    // The device's own looped-back announcements and browser queries add to these, never subtract.
    t.true(mc.queries - mBase.queries >= md.queries, `${mc.queries - mBase.queries} queries counted, ${md.queries} sent`);
    t.true(mc.responses - mBase.responses >= md.responses);
    t.deepEqual(Object.keys(mc.drops).filter((k) => k !== 'malformed' && k !== 'response-bad-port' && mc.drops[k] !== mBase.drops[k]), [], JSON.stringify(mc.drops));
    t.is(afterMdns.control.mdns.state, 'announced');
    t.is(afterMdns.control.mdns.deviceName, before.control.mdns.deviceName, 'no rename from the noise');
    t.is(afterMdns.device.engineRestarts, 0);
    t.is(afterMdns.workers.control.restarts, 0, 'the control worker never crashed');

    // Still answering: a legacy unicast mDNS query, and ARC.
    const q = await runClient<{ replies: Reply[] }[]>(h2, {
      mode: 'requests', target: h1.ip, local: h2.ip, timeoutMs: 3000,
      packets: [{ port: 5353, to: '224.0.0.251', hex: arcServiceQuery(4711).toString('hex'), kind: 'arc' }],
    });
    const answer = q.result[0]!.replies[0];
    t.truthy(answer, 'an mDNS answer arrived');
    const reply = Buffer.from(answer!.hex, 'hex');
    t.is(reply.readUInt16BE(0), 4711);
    t.deepEqual(ptrTargets(reply), [`${before.control.mdns.deviceName}._netaudio-arc._udp.local`]);
    await arcStillAnswers(t, h2, h1.ip, 4243);
  } finally {
    await lan.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
