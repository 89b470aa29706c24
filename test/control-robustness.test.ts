// A real device under abuse, in a namespace LAN: SIGKILL during a stream of renames never loses
// an acknowledged name, and 10,000 random or truncated packets at every control port leave it
// answering, with /status drop counters equal to what could not be answered.
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

const test = interop({ root: true, commands: ['ip'] });
const DEVICE_ID = '00000a4e00010000';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
    const { result } = await runClient<{ sent: number; repliesByPort: Record<string, number> }>(h2, {
      mode: 'blast', target: h1.ip, local: h2.ip, pauseEvery: 40, pauseMs: 4, settleMs: 1500,
      packets: packets.map((p) => ({ port: p.port, hex: p.data.toString('hex') })),
    }, 50_000);
    t.is(result.sent, 10_000);
    const s = await statusUntil(h2, dev, (x) => {
      const v = x.control.servers;
      return v.arc?.packets === sentTo(4440) && v.cmc?.packets === sentTo(8800) && v.conmon?.packets === sentTo(8700);
    });
    const servers = s.control.servers;
    const arcReplies = result.repliesByPort['4440'] ?? 0;
    const cmcReplies = result.repliesByPort['8800'] ?? 0;
    t.is(servers.arc.replies, arcReplies);
    t.is(servers.arc.dropped, sentTo(4440) - arcReplies, JSON.stringify(servers.arc.drops));
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
