// The control plane of a real device process in a namespace LAN: every controller request of the
// fixture sessions gets a well-formed answer, renames show in /status and survive a restart, and a
// sample-rate change from a controller restarts the engine in-process.
import { rmSync } from 'node:fs';
import type { ExecutionContext } from 'ava';
import { interop } from './support/needs.js';
import { createLan, stopChild } from './support/netns.js';
import type { LanHost } from './support/netns.js';
import { readFixture, sessionNames, sessionSamples } from './support/fixture-files.js';
import { arcPacket, runClient, startDevice, statusUntil, tempStateDir, waitStatus } from './support/device-process.js';
import type { Reply } from './support/control-client.js';

const test = interop({ root: true, commands: ['ip'] });

const SUPPORTED_ARC_IDS = new Set([0x27ff, 0x2729, 0x2809]);
const DEVICE_ID = '00000a4d00010000';

interface Request {
  port: number;
  hex: string;
  kind: 'arc' | 'cmc' | 'info';
  file: string;
}

function fixtureRequests(): Request[] {
  const kinds: Record<number, Request['kind']> = { 4440: 'arc', 8800: 'cmc', 8700: 'info' };
  const out: Request[] = [];
  for (const session of sessionNames()) {
    for (const s of sessionSamples(session)) {
      const kind = s.dst_port === null ? undefined : kinds[s.dst_port];
      if (s.direction !== 'request' || !kind) continue;
      const data = readFixture(`sessions/${session}/${s.file}`);
      out.push({ port: s.dst_port!, hex: data.toString('hex'), kind, file: `${session}/${s.file}` });
    }
  }
  return out;
}

const isRateSet = (r: Request) => r.kind === 'info' && r.hex.slice(52, 56) === '0081' && r.hex.slice(64, 72) === '00000001';

function checkControlReply(t: ExecutionContext, req: Buffer, reply: Buffer, what: string): void {
  t.true(reply.length >= 10, `${what}: short reply`);
  t.is(reply.readUInt16BE(2), reply.length, `${what}: length field`);
  t.is(reply.readUInt16BE(4), req.readUInt16BE(4), `${what}: transaction id`);
  t.is(reply.readUInt16BE(6), req.readUInt16BE(6), `${what}: opcode`);
}

async function deviceName(host: LanHost, target: string, port = 4440): Promise<string> {
  const req = arcPacket(0x1002, Buffer.alloc(0), 77);
  const { result } = await runClient<{ replies: Reply[] }[]>(host, {
    mode: 'requests', target, local: host.ip, timeoutMs: 1000, packets: [{ port, hex: req.toString('hex'), kind: 'arc' }],
  });
  const reply = result[0]?.replies[0];
  if (!reply) throw new Error('no 0x1002 reply');
  const buf = Buffer.from(reply.hex, 'hex');
  return buf.subarray(10, buf.indexOf(0, 10)).toString('utf8');
}

test('fixture requests are answered well-formed; renames persist across restarts; a rate change restarts in-process', async (t) => {
  const lan = createLan(2, { tag: 'cdev', subnet: '10.77.0' });
  const stateDir = tempStateDir();
  const [h1, h2] = lan.hosts as [LanHost, LanHost];
  const devArgs = ['--device-id', DEVICE_ID, '--rx-channels', '64', '--tx-channels', '64'];
  try {
    let dev = startDevice(h1, stateDir, devArgs);
    const first = await waitStatus(h2, dev);
    t.is(first.control.stateFile, `${stateDir}/${DEVICE_ID}/state.msgpack`);

    // Every request DC sent in the fixture sessions, ARC and CMC first, rate changes separately.
    const all = fixtureRequests();
    const ordered = [...all.filter((r) => r.kind !== 'info'), ...all.filter((r) => r.kind === 'info' && !isRateSet(r))];
    t.true(ordered.length > 80, `found ${ordered.length} fixture requests`);
    const { result } = await runClient<{ sent: string; replies: Reply[] }[]>(h2, {
      mode: 'requests', target: h1.ip, local: h2.ip, timeoutMs: 250,
      packets: ordered.map(({ port, hex, kind }) => ({ port, hex, kind })),
    }, 60_000);
    let answered = 0;
    result.forEach((r, i) => {
      const req = Buffer.from(r.sent, 'hex');
      const meta = ordered[i]!;
      if (meta.kind === 'info') {
        for (const rep of r.replies) {
          const b = Buffer.from(rep.hex, 'hex');
          t.is(rep.port, 8700, `${meta.file}: answers come from the info socket`);
          t.is(b.readUInt16BE(0), 0xffff, meta.file);
          t.is(b.readUInt16BE(2), b.length, `${meta.file}: length field`);
          t.is(b.subarray(8, 16).toString('hex'), DEVICE_ID, meta.file);
        }
        answered += r.replies.length ? 1 : 0;
        return;
      }
      const valid = req.length >= 10 && req.readUInt16BE(2) === req.length;
      const expectReply = meta.kind === 'cmc' ? valid && req.readUInt16BE(0) !== 0xffff : valid && SUPPORTED_ARC_IDS.has(req.readUInt16BE(0));
      t.is(r.replies.length, expectReply ? 1 : 0, `${meta.file}: ${r.replies.length} replies`);
      if (r.replies[0]) {
        const reply = Buffer.from(r.replies[0].hex, 'hex');
        if (meta.kind === 'arc') t.is(reply.readUInt16BE(0), req.readUInt16BE(0), `${meta.file}: protocol id`);
        checkControlReply(t, req, reply, meta.file);
        answered++;
      }
    });
    t.true(answered > 60, `${answered} answered`);

    // Renames over ARC: device, TX channel 2 and RX channel 3.
    const rx = Buffer.concat([Buffer.from([0x02, 0x01, 0x00, 0x03, 0x00, 0x10]), Buffer.from('Vocals\0')]);
    const tx = Buffer.concat([Buffer.from([0x02, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x12]), Buffer.from('Click\0')]);
    const renames = [arcPacket(0x1001, Buffer.from('stage-left\0'), 5), arcPacket(0x2013, tx, 6), arcPacket(0x3001, rx, 7)];
    const rr = await runClient<{ replies: Reply[]; notices: Reply[] }[]>(h2, {
      mode: 'requests', target: h1.ip, local: h2.ip, timeoutMs: 1000,
      packets: renames.map((p) => ({ port: 4440, hex: p.toString('hex'), kind: 'arc' as const })),
    });
    for (const r of rr.result) t.is(Buffer.from(r.replies[0]!.hex, 'hex').readUInt16BE(8), 1, 'status OK');
    // The RX rename is followed by a 0x0102 RX channel change notice for channel 3 (§3.10).
    const notice = rr.result[2]!.notices.map((n) => Buffer.from(n.hex, 'hex')).find((b) => b.readUInt16BE(26) === 0x0102);
    t.truthy(notice, '0x0102 after the RX rename');
    t.is(notice!.subarray(32).toString('hex'), '000104');
    const check = (s: Record<string, any>) => {
      t.is(s.device.name, 'stage-left');
      t.is(s.control.txChannels[1].name, 'Click');
      t.is(s.control.rxChannels[2].name, 'Vocals');
    };
    check(await statusUntil(h2, dev, (s) => s.control.name === 'stage-left'));

    // A rate change from a controller (fixture: 44.1 kHz) restarts the engine with it.
    const rateSet = all.find((r) => isRateSet(r) && r.hex.endsWith('0000ac44'))!;
    const rs = await runClient<{ replies: Reply[] }[]>(h2, {
      mode: 'requests', target: h1.ip, local: h2.ip, timeoutMs: 500, packets: [{ port: 8700, hex: rateSet.hex, kind: 'info' }],
    });
    const status80 = rs.result[0]!.replies.map((r) => Buffer.from(r.hex, 'hex')).find((b) => b.readUInt16BE(26) === 0x0080);
    t.truthy(status80, 'a 0x0080 answer');
    t.is(status80!.readUInt32BE(36), 44100);
    const restarted = await statusUntil(h2, dev, (s) => s.device.engineRestarts === 1 && s.audio.sampleRate === 44100);
    t.is(restarted.control.settings.sampleRate, 44100);
    check(restarted);
    t.is(dev.child.exitCode, null, 'the process kept running');

    // A new process with the same state directory comes back with the names and the rate.
    await stopChild(dev.child);
    dev = startDevice(h1, stateDir, devArgs);
    const again = await waitStatus(h2, dev);
    check(again);
    t.is(again.audio.sampleRate, 44100);
    t.is(await deviceName(h2, h1.ip), 'stage-left');
  } finally {
    await lan.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
