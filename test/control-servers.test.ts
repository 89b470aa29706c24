import { loadSettings } from '../dist/config/load.js';
import test from 'ava';
import { resolveDeviceConfig } from '../dist/config/device-config.js';
import { DeviceState, defaultStateData, limitsFor } from '../dist/state/index.js';
import { ArcServer, CmcServer, ConmonServer, DeviceControl, HeartbeatSender } from '../dist/net/control/index.js';
import { decodeHeartbeat, encodeConmonPacket, rxChannelChange } from '../dist/core/conmon/index.js';
import { GatedPersister, MemoryTransport, tick } from './support/control-memory.js';
import { arcPacket } from './support/device-process.js';

function setup() {
  const config = resolveDeviceConfig(
    { ...loadSettings([], {}).settings, rxChannels: 4, txChannels: 2, processId: 3, logLevel: 'silent', logFormat: 'json' },
    { ip: '10.0.0.1', ifname: 'eth0', netmask: '255.255.255.0', mac: '02:00:00:00:00:01' },
  );
  const persister = new GatedPersister();
  const state = new DeviceState(limitsFor(config), config.name, defaultStateData(config));
  const control = new DeviceControl(config, state, persister);
  const arcT = new MemoryTransport();
  const infoT = new MemoryTransport({ address: '10.0.0.1', port: 8700 });
  const arc = new ArcServer(arcT, control);
  const conmon = new ConmonServer(infoT, control);
  return { config, persister, control, arcT, infoT, arc, conmon };
}

const rename = (name: string, tid: number) => arcPacket(0x1001, Buffer.from(`${name}\0`), tid);
const conmonRequest = (type: number, content: Buffer = Buffer.alloc(0)) =>
  encodeConmonPacket({ sequence: 9, processId: 0, deviceId: new Uint8Array(8), messageType: type, version: 0x073a, tail: 0x64 }, content);

test('ARC: a rename is acknowledged only after the state is saved', async (t) => {
  const { persister, control, arcT, arc } = setup();
  const done = arc.handle(rename('stage-left', 42), { address: '10.0.0.2', port: 5000 });
  await tick();
  t.is(arcT.sent.length, 0, 'no reply before the save completes');
  t.is(persister.pending, 1);
  t.is(control.state.snapshot.name, 'stage-left', 'applied at once so later requests see it');
  persister.release();
  await done;
  t.is(arcT.sent.length, 1);
  t.is(arcT.sent[0]!.data.readUInt16BE(4), 42);
  t.is(arcT.sent[0]!.data.readUInt16BE(8), 0x0001);
  t.deepEqual(arcT.sent[0]!.to, { address: '10.0.0.2', port: 5000 });
  t.is(persister.saved[0]!.name, 'stage-left');
});

test('ARC: a failed save leaves the request unanswered and is counted', async (t) => {
  const { persister, arcT, arc } = setup();
  persister.fail = true;
  const done = arc.handle(rename('stage-left', 1), { address: '10.0.0.2', port: 5000 });
  await tick();
  persister.release();
  await done;
  t.is(arcT.sent.length, 0);
  t.is(arc.counters.drops.get('persist-failed'), 1);
});

test('ARC: a value the state refuses gets the reject status and changes nothing', async (t) => {
  const { persister, control, arcT, arc } = setup();
  // Valid for the codec (≤ 31 bytes) but not a Dante device name.
  await arc.handle(rename('has space', 7), { address: '10.0.0.2', port: 5000 });
  t.is(persister.pending, 0);
  t.is(arcT.sent[0]!.data.readUInt16BE(8), 0x0022);
  t.is(arc.counters.counts.get('rejected-bad-device-name'), 1);
  t.not(control.state.snapshot.name, 'has space');
});

test('ARC: drops are counted by reason; reads are answered without saving', async (t) => {
  const { persister, arcT, arc } = setup();
  const from = { address: '10.0.0.2', port: 5000 };
  await arc.handle(Buffer.from([1, 2, 3]), from);
  const bad = arcPacket(0x1002);
  bad.writeUInt16BE(99, 2);
  await arc.handle(bad, from);
  await arc.handle(arcPacket(0x1002), from);
  t.is(arc.counters.packets, 3);
  t.is(arc.counters.dropped, 2);
  t.is(arc.counters.replies, 1);
  t.is(arcT.sent.length, 1);
  t.is(persister.pending, 0);
});

test('ARC RX rename: 0x0102 notice goes out after the acknowledgement', async (t) => {
  const { persister, arcT, infoT, arc } = setup();
  const content = Buffer.concat([Buffer.from([0x02, 0x01, 0x00, 0x03, 0x00, 0x10]), Buffer.from('Vocals\0')]);
  const done = arc.handle(arcPacket(0x3001, content, 5), { address: '10.0.0.2', port: 5000 });
  await tick();
  t.is(infoT.sent.length, 0);
  persister.release();
  await done;
  await tick();
  t.is(arcT.sent.length, 1);
  t.is(infoT.sent.length, 1);
  const notice = infoT.sent[0]!;
  t.deepEqual(notice.to, { address: '224.0.0.231', port: 8702 });
  t.is(notice.data.readUInt16BE(26), 0x0102);
  t.deepEqual(rxChannelChange.decode(notice.data.subarray(32)), [3]);
});

test('conmon: sample-rate set is saved, answered by multicast with the new rate, then restarts', async (t) => {
  const { persister, control, infoT, conmon } = setup();
  const restarts: string[] = [];
  control.on('restart-requested', (r: string) => restarts.push(r));
  const set = Buffer.alloc(8);
  set.writeUInt32BE(1, 0);
  set.writeUInt32BE(44100, 4);
  const done = conmon.handle(conmonRequest(0x0081, set));
  await tick();
  t.is(infoT.sent.length, 0);
  persister.release();
  await done;
  t.is(infoT.sent.length, 1);
  t.is(infoT.sent[0]!.data.readUInt16BE(26), 0x0080);
  t.is(infoT.sent[0]!.data.readUInt32BE(36), 44100);
  t.deepEqual(restarts, ['sample-rate']);
  // An unsupported rate: status with the unchanged rate, no restart.
  set.writeUInt32BE(12345, 4);
  await conmon.handle(conmonRequest(0x0081, set));
  t.is(infoT.sent[1]!.data.readUInt32BE(36), 44100);
  t.deepEqual(restarts, ['sample-rate']);
});

test('conmon: identify is recorded; reboot is acknowledged and requests a restart; junk is counted', async (t) => {
  const { control, infoT, conmon } = setup();
  const restarts: string[] = [];
  control.on('restart-requested', (r: string) => restarts.push(r));
  await conmon.handle(conmonRequest(0x0063));
  t.is(control.identify.count, 1);
  t.truthy(control.identify.lastAt);
  await conmon.handle(conmonRequest(0x0090, Buffer.from([0, 1, 0, 0])));
  t.is(infoT.sent.at(-1)!.data.readUInt16BE(26), 0x0092);
  t.deepEqual(restarts, ['reboot']);
  await conmon.handle(Buffer.alloc(5));
  t.is(conmon.counters.dropped, 1);
  t.is(infoT.sent[0]!.data.readUInt16BE(6), 3, 'our process id in the header');
});

test('CMC register answers with the process id and info port; heartbeat is empty without a clock', async (t) => {
  const { control } = setup();
  const cmcT = new MemoryTransport({ address: '10.0.0.1', port: 8800 });
  const cmc = new CmcServer(cmcT, control);
  const reg = Buffer.alloc(20);
  reg.writeUInt16BE(0x1000, 0);
  reg.writeUInt16BE(20, 2);
  reg.writeUInt16BE(9, 4);
  reg.writeUInt16BE(0x1001, 6);
  await cmc.handle(reg, { address: '10.0.0.2', port: 6000 });
  const r = cmcT.sent[0]!.data;
  t.is(r.readUInt16BE(10), 3);
  t.is(r.readUInt16BE(28), 8700);
  const hbT = new MemoryTransport({ address: '10.0.0.1', port: 8700 });
  const hb = new HeartbeatSender(hbT, control);
  await hb.beat();
  t.is(hbT.sent[0]!.data.length, 32, 'header only');
  t.deepEqual(hbT.sent[0]!.to, { address: '224.0.0.233', port: 8708 });
  control.clock = { frequencyOffsetPpb: -12 };
  await hb.beat();
  const beat = decodeHeartbeat(hbT.sent[1]!.data);
  t.is(beat.header.processId, 3);
  t.is(beat.blocks.length, 1);
  t.true(beat.header.sequence > decodeHeartbeat(hbT.sent[0]!.data).header.sequence);
});
