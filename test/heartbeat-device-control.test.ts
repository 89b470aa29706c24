// The device's clock and meters as controllers read them (PROTOCOL.md §4.3, §4.4): heartbeat
// blocks from the live clock and the audio workers' report, conmon 0x0020 from the clock.
import test from 'ava';
import { loadSettings } from '../dist/config/load.js';
import { resolveDeviceConfig } from '../dist/config/device-config.js';
import { DeviceState, defaultStateData, limitsFor } from '../dist/state/index.js';
import { ConmonServer, DeviceControl, HeartbeatSender } from '../dist/net/control/index.js';
import { BLOCK_CLOCK, BLOCK_LEVELS, BLOCK_RECEIVE_LATENCY, clockStatus, conmonContent, decodeConmonHeader, decodeHeartbeat } from '../dist/core/conmon/index.js';
import { mediaReport } from '../dist/engine/device.js';
import { MEDIA_REPORT_MAX_AGE_MS } from '../dist/net/control/device-control.js';
import type { DeviceClock } from '../dist/net/control/device-control.js';
import { GatedPersister, MemoryTransport } from './support/control-memory.js';
import { readFixture } from './support/fixture-files.js';

function setup() {
  const config = resolveDeviceConfig(
    { ...loadSettings([], {}).settings, rxChannels: 2, txChannels: 2, processId: 0, logLevel: 'silent', logFormat: 'json' },
    { ip: '10.0.0.1', ifname: 'eth0', netmask: '255.255.255.0', mac: '02:00:00:00:00:01' },
  );
  const control = new DeviceControl(config, new DeviceState(limitsFor(config), config.name, defaultStateData(config)), new GatedPersister());
  const hbT = new MemoryTransport({ address: '10.0.0.1', port: 8700 });
  return { config, control, hbT, hb: new HeartbeatSender(hbT, control) };
}

test('heartbeat: empty without a clock; 0x8001 from the live clock; 0x8002/0x8003 while the report is fresh', async (t) => {
  const { control, hbT, hb } = setup();
  let clock: DeviceClock | undefined;
  control.clockSource = () => clock;
  await hb.beat();
  t.is(hbT.sent[0]!.data.length, 32, 'no clock (overlay state None): header only');
  clock = { frequencyOffsetPpb: -1234 };
  control.setMediaReport(mediaReport({ rxChannels: 2, txChannels: 2, sampleRate: 48000 }, { peakDbfs: [-6, null], flows: [{ id: 2, maxAgeSamples: 530.4 }] }, [0, 255]));
  await hb.beat();
  const beat = decodeHeartbeat(hbT.sent[1]!.data);
  t.deepEqual(beat.blocks.map((b) => b.type), [BLOCK_CLOCK, BLOCK_LEVELS, BLOCK_RECEIVE_LATENCY]);
  const [c, l, r] = beat.blocks as unknown as [{ frequencyOffsetPpb: number }, { levels: { tx: number[]; rx: number[] } }, { sampleRate: number; maxLatencySamples: number[] }];
  t.is(c.frequencyOffsetPpb, -1234);
  t.deepEqual(l.levels, { tx: [0, 255], rx: [12, 255] }, '−6 dBFS = 12 half-dB steps; silence = 255');
  t.is(r.sampleRate, 48000);
  t.is(r.maxLatencySamples.length, 32);
  t.is(r.maxLatencySamples[1], 530, 'flow id 2 in slot 2');
  t.is(r.maxLatencySamples[0], 0);
  // A report that stopped arriving is not repeated forever.
  control.setMediaReport(control.mediaReport(), Date.now() - MEDIA_REPORT_MAX_AGE_MS - 1);
  await hb.beat();
  t.deepEqual(decodeHeartbeat(hbT.sent[2]!.data).blocks.map((b) => b.type), [BLOCK_CLOCK]);
});

test('mediaReport: no levels before the receive worker reports, no 0x8003 without flows', (t) => {
  const cfg = { rxChannels: 2, txChannels: 1, sampleRate: 48000 };
  t.deepEqual(mediaReport(cfg, {}), {});
  t.deepEqual(mediaReport(cfg, { peakDbfs: [null, -0.2], flows: [] }), { levels: { tx: [255], rx: [255, 0] } });
});

test('conmon 0x0020 answers from the clock: leader id, role, frequency offset; silent while the leader is unknown', async (t) => {
  const { control } = setup();
  const infoT = new MemoryTransport({ address: '10.0.0.1', port: 8700 });
  const conmon = new ConmonServer(infoT, control);
  const query = readFixture('sessions/clock_master_control/protocol_FFFF_message_0021_id_4327746.bin');
  let clock: DeviceClock | undefined = { frequencyOffsetPpb: 7 };
  control.clockSource = () => clock;
  await conmon.handle(query);
  t.is(infoT.sent.length, 0, 'no leader id: unanswered (§4.3)');
  const leaderId = Uint8Array.from([0, 0x1d, 0xc1, 0xff, 0xfe, 1, 2, 3]);
  for (const [role, state, ptpRole] of [['follower', clockStatus.CLOCK_STATE_FOLLOWER, 9], ['leader', clockStatus.CLOCK_STATE_LEADER, 6]] as const) {
    clock = { frequencyOffsetPpb: -55, leaderId, role };
    await conmon.handle(query);
    const pkt = infoT.sent.at(-1)!.data;
    const h = decodeConmonHeader(pkt);
    t.is(h.messageType, 0x0020);
    const s = clockStatus.decode(conmonContent(pkt, h));
    t.deepEqual(s.state, state);
    t.is(s.role, ptpRole);
    t.is(s.frequencyOffsetPpb, -55);
    t.deepEqual(s.leaderId, leaderId);
    t.deepEqual(s.ownId, Uint8Array.from([2, 0, 0, 0, 0, 1, 0, 0]));
  }
  t.deepEqual((control.statusInfo().clock as Record<string, unknown>).leaderId, '001dc1fffe010203');
});
