// Two devices on one IP (alternate port blocks, PROTOCOL.md §9.3) and the third-party npm package
// `dante-control` against a real device, in a namespace LAN.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import type { LanHost } from './support/netns.js';
import { arcPacket, runClient, startDevice, statusUntil, tempStateDir, waitStatus } from './support/device-process.js';
import type { Reply } from './support/control-client.js';
import { projectRoot } from './support/fixtures.js';
import type { DanteJob } from './support/control-dante.js';

const test = interop({ root: true, commands: ['ip'] });

test('two devices on one IP with alternate ports both answer and both heartbeat with their process ids', async (t) => {
  const lan = createLan(2, { tag: 'c2dev', subnet: '10.80.0' });
  const stateDir = tempStateDir();
  const [h1, h2] = lan.hosts as [LanHost, LanHost];
  try {
    const a = startDevice(h1, stateDir, ['--alt-port', '9000', '--process-id', '1', '--name', 'dev-a'], 18081);
    const b = startDevice(h1, stateDir, ['--alt-port', '9100', '--process-id', '2', '--name', 'dev-b'], 18082);
    const [sa, sb] = await Promise.all([waitStatus(h2, a), waitStatus(h2, b)]);
    t.not(sa.control.stateFile, sb.control.stateFile, 'separate saved state per device id');
    const { result } = await runClient<{ replies: Reply[] }[]>(h2, {
      mode: 'requests', target: h1.ip, local: h2.ip, timeoutMs: 1000,
      packets: [9000, 9100].map((port) => ({ port, hex: arcPacket(0x1002, Buffer.alloc(0), port).toString('hex'), kind: 'arc' as const })),
    });
    const names = result.map((r) => {
      const buf = Buffer.from(r.replies[0]!.hex, 'hex');
      return buf.subarray(10, buf.indexOf(0, 10)).toString();
    });
    t.deepEqual(names, ['dev-a', 'dev-b']);
    const beats = (await runClient<{ from: string; hex: string }[]>(h2, { mode: 'listen', local: h2.ip, group: '224.0.0.233', port: 8708, durationMs: 2500 })).result;
    const seen = new Map<string, Set<number>>();
    for (const beat of beats) {
      const buf = Buffer.from(beat.hex, 'hex');
      t.is(buf.readUInt16BE(0), 0xfffe);
      const set = seen.get(beat.from) ?? new Set<number>();
      set.add(buf.readUInt16BE(6));
      seen.set(beat.from, set);
    }
    // Heartbeats leave from each device's info socket (port base + 3) with its own process id.
    t.deepEqual([...(seen.get(`${h1.ip}:9003`) ?? [])], [1]);
    t.deepEqual([...(seen.get(`${h1.ip}:9103`) ?? [])], [2]);
  } finally {
    await lan.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('dante-control (npm) renames the device and channels and sends a subscription; /status shows them', async (t) => {
  const lan = createLan(2, { tag: 'cdnte', subnet: '10.81.0' });
  const stateDir = tempStateDir();
  const [h1, h2] = lan.hosts as [LanHost, LanHost];
  try {
    const dev = startDevice(h1, stateDir, ['--rx-channels', '4', '--tx-channels', '4']);
    await waitStatus(h2, dev);
    // dante-control writes the subscription names at fixed pointers (92 and 109) but places them at
    // the end of its packet: they line up only for a 16-byte channel and a 17-byte device name.
    const job: DanteJob = {
      target: h1.ip,
      deviceName: 'renamed-by-npm',
      rx: { channel: 2, name: 'Guitar' },
      tx: { channel: 3, name: 'Keys' },
      subscription: { rxChannel: 1, txChannelName: 'ChannelNameOf16B', txDeviceName: 'device-name-of-17' },
    };
    const script = resolve(projectRoot, 'dist-test', 'support', 'control-dante.js');
    const r = await h2.run(process.execPath, [script, JSON.stringify(job)], { timeoutMs: 20_000 });
    t.is(r.code, 0, r.stderr);
    const s = await statusUntil(h2, dev, (x) => x.control.name === 'renamed-by-npm' && x.control.rxChannels[0].subscription !== undefined);
    t.is(s.device.name, 'renamed-by-npm');
    t.is(s.control.rxChannels[1].name, 'Guitar');
    t.is(s.control.txChannels[2].name, 'Keys');
    t.deepEqual(s.control.rxChannels[0].subscription, { txChannelName: 'ChannelNameOf16B', txDeviceName: 'device-name-of-17', status: '0x00000001' });
    t.is(s.control.servers.arc.dropped, 0);
  } finally {
    await lan.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
