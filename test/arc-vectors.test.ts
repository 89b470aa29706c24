// PROTOCOL.md §12.1 and §12.8 ARC vectors, byte-exact, through the codecs and handleArcRequest.
import test from 'ava';
import { hex } from '../dist/core/bytes.js';
import {
  buildRemoveSubscriptionsRequest,
  buildRxChannelRenameRequest,
  buildSetLatencyRequest,
  buildSubscribeRequest,
  buildTxChannelRenameRequest,
  channelCountsReply,
  createMulticastFlowRequest,
  deleteTxFlowRequest,
  deviceInfoReply,
  handleArcRequest,
  inferChannelCounts,
  rxChannelsReply,
  rxFlowsReply,
  setDeviceNameRequest,
  setLatencyRequest,
  txFlowsReply,
  type ArcDeviceView,
  type RxFlowRecord,
  type TxFlowRecord,
} from '../dist/core/arc/index.js';
import { sampleDevice } from './support/arc-device.js';
import { loadFixture, sessionPacket } from './support/fixtures.js';

function answer(req: Buffer, d: ArcDeviceView = sampleDevice()) {
  const r = handleArcRequest(req, d);
  if (!r.reply) throw new Error(`no reply: ${r.drop}`);
  return r;
}

const fmt = { sampleRate: 48000, bitDepth: 24, pcmType: 0x0e };

test('0x1002 device name: fixture request answered like the fixture reply', (t) => {
  const req = hex('27ff 000a c546 1002 0000');
  t.deepEqual(answer(req, sampleDevice({ friendlyName: 'lx-dante' })).reply, hex('27ff 0013 c546 1002 0001 6c78 2d64 616e 7465 00'));
});

test('0x1000 v0.3 and v0.5 replies', (t) => {
  const v03 = hex('27ff 002c f215 1000 0001 0000 0002 0002 0000 0000 0000 0000 0008 0000 0000 0001 0000 0000 0000 0000 0000 0000');
  const m = channelCountsReply.decode(v03);
  t.is(m.txCount, 2);
  t.is(m.maxRxFlows, 8);
  t.deepEqual(channelCountsReply.encode(m), v03);
  const v05 = hex('27ff 002c f215 1000 0001 0030 0002 0002 0004 0002 0008 0020 0020 0004 0001 0001 0000 0000 0000 0000 0000 0000');
  t.deepEqual(answer(hex('27ff 000a f215 1000 0000')).reply, v05);
  const msg = { protocolId: 0x27ff, transactionId: 0xf215 };
  const d = { txCount: 2, rxCount: 2, txRenamable: true, txMulticast: true, maxTxFlows: 32, maxRxFlows: 32 };
  t.deepEqual(channelCountsReply.encode(inferChannelCounts(msg, d)), v05);
});

test('0x3000 computed replies, unsubscribed and subscribed, via the server', (t) => {
  const req = hex('27ff 0010 ac43 3000 0000 0001 0001 0000');
  const none = hex(`27ff 004e ac43 3000 0001 0202 0001 0006 0034 0000 0000 0044 0000 0000 0000 0000
    0002 0006 0034 0000 0000 0049 0000 0000 0000 0000 0000 bb80 0101 0018 0400 0018 0018 000e 5258 2031 0052 5820 3200`);
  t.deepEqual(answer(req).reply, none);
  const subscribed = hex(`27ff 0058 ac43 3000 0001 0202 0001 0006 0034 0044 0047 004e 0101 0009 0000 0000
    0002 0006 0034 0000 0000 0053 0000 0000 0000 0000 0000 bb80 0101 0018 0400 0018 0018 000e 3031 0074 782d 6465 7600 5258 2031 0052 5820 3200`);
  const d = sampleDevice({
    rxChannels: [
      { number: 1, name: 'RX 1', subscription: { txChannelName: '01', txDeviceName: 'tx-dev', status: 0x01010009 } },
      { number: 2, name: 'RX 2' },
    ],
  });
  t.deepEqual(answer(req, d).reply, subscribed);
  t.deepEqual(rxChannelsReply.encode(rxChannelsReply.decode(subscribed)), subscribed);
});

test('0x3000 real AVIO-BT reply (strings before the descriptor) decodes by pointers', (t) => {
  const m = rxChannelsReply.decode(hex(`27ff 0055 ac43 3000 0001 0101 0001 0006 0038 0020 0031 0048 0000 0001 0000 0000
    7368 656c 666f 7264 2d63 6861 6e6e 656c 0061 3332 003a 6c65 0000 bb80 0101 0018 0400 0018 0018 0004 6d69 632d 6d69 7800 4c65 6674 00`));
  t.like(m.channels[0], { number: 1, name: 'mic-mix', txChannelName: 'shelford-channel', txDeviceName: 'a32', status: 1 });
  t.deepEqual(m.channels[0]!.format, { sampleRate: 48000, bitDepth: 24, pcmType: 4 });
});

test('0x2000 and 0x2010 computed replies via the server', (t) => {
  t.deepEqual(
    answer(hex('27ff 0010 0001 2000 0000 0001 0001 0000')).reply,
    hex('27ff 0032 0001 2000 0001 0202 0001 0007 001c 002c 0002 0007 001c 002f 0000 bb80 0101 0018 0400 0018 0018 000e 3031 0030 3200'),
  );
  t.deepEqual(
    answer(hex('27ff 0010 0002 2010 0000 0001 0001 0000')).reply,
    hex('27ff 0026 0002 2010 0001 0202 0001 0001 001c 0002 0002 0021 0000 0000 5458 2031 0054 5820 3200'),
  );
});

test('0x1003 v0.5 packed reply via the server; v0.3 fixed-slot reply decodes', (t) => {
  const v05 = hex(`27ff 005b 0003 1003 0001 0000 0000 0000 0049 0056 0000 0030 0034 0030 0000 0000
    0000 0000 0000 0000 2729 0000 1102 0000 6465 7600 496e 662d 3030 3030 3061 3030
    3030 3031 3030 3030 0049 6e66 6572 6e6f 2d41 6f49 5000 3a37 3035 00`);
  t.deepEqual(answer(hex('27ff 000a 0003 1003 0000')).reply, v05);
  // v0.3's revision pointer is stale (0x90 in a 141-byte packet): read as absent.
  const v03 = deviceInfoReply.decode(hex(`27ff 008d 0003 1003 0001 0000 0000 0000 0070 0090 0000 0030 0050 0030 0000 0000
    0000 0000 0000 0000 2729 0000 1102 0000 6465 7600 0000 0000 0000 0000 0000 0000
    0000 0000 0000 0000 0000 0000 0000 0000 496e 662d 3030 3030 3061 3030 3030 3031
    3030 3030 0000 0000 0000 0000 0000 0000 496e 6665 726e 6f2d 416f 4950 0000 0000
    0000 0000 0000 0000 3a37 3035 00`));
  t.is(v03.revision, '');
  t.like(v03, { friendlyName: 'dev', factoryName: 'Inf-00000a0000010000', boardName: 'Inferno-AoIP', deviceProtocolId: 0x2729 });
});

test('0x3010 subscribe / unsubscribe and 0x3014 builders; server replies OK with actions', (t) => {
  const sub = hex(`27ff 003e 0010 3010 0000 0201 0001 0034 0037 0000 0000 0000 0000 0000 0000 0000
    0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 3031 0074 782d 6465 7600`);
  t.deepEqual(buildSubscribeRequest(0x10, [{ rxChannel: 1, txChannelName: '01', txDeviceName: 'tx-dev' }]), sub);
  const r = answer(sub);
  t.deepEqual(r.reply, hex('27ff 000a 0010 3010 0001'));
  t.deepEqual(r.actions, [
    { type: 'subscribe', rxChannel: 1, txChannelName: '01', txDeviceName: 'tx-dev', toSelf: false },
    { type: 'notify-rx-change', channels: [1] },
  ]);
  const unsub = hex(`27ff 0034 0011 3010 0000 0201 0002 0000 0000 0000 0000 0000 0000 0000 0000 0000
    0000 0000 0000 0000 0000 0000 0000 0000 0000 0000`);
  t.deepEqual(buildSubscribeRequest(0x11, [{ rxChannel: 2 }]), unsub);
  t.deepEqual(answer(unsub).actions, [{ type: 'unsubscribe', rxChannel: 2 }, { type: 'notify-rx-change', channels: [2] }]);
  const remove = hex('27ff 0010 0012 3014 0000 0001 0000 0002');
  t.deepEqual(buildRemoveSubscriptionsRequest(0x12, [2]), remove);
  const rr = answer(remove);
  t.deepEqual(rr.reply, hex('27ff 000a 0012 3014 0001'));
  t.deepEqual(rr.actions[0], { type: 'unsubscribe', rxChannel: 2 });
});

test('0x1001 device rename fixture (DC → AVIO-BT)', (t) => {
  const req = hex('2809 0015 261b 1001 0000 6176 696f 2d62 742d 3131 00');
  t.deepEqual(sessionPacket('session_42_device_rename_discovery', 27507), req);
  t.is(setDeviceNameRequest.decode(req).name, 'avio-bt-11');
  const r = answer(req);
  t.deepEqual(r.reply, hex('2809 000a 261b 1001 0001'));
  t.deepEqual(r.actions, [{ type: 'rename-device', name: 'avio-bt-11' }]);
});

test('0x1101 set latency: netaudio → LX-DANTE and DC → AVIO-BT replies reproduced', (t) => {
  const req = hex('2729 0028 0000 1101 0000 0504 8205 0020 0211 0004 8301 0024 0310 0004 8302 8306 000f 4240 000f 4240');
  t.deepEqual(sessionPacket('session_latency_1000000ns', 24583), req);
  const r = answer(req);
  t.deepEqual(r.reply, hex('2729 0024 0000 1101 0001 0404 8205 001c 0211 0004 8301 0020 0310 0004 000f 4240 000f 4240'));
  t.deepEqual(r.actions, [{ type: 'set-latency', latencyNs: 1_000_000, secondLatencyNs: 1_000_000 }]);
  t.deepEqual(setLatencyRequest.encode(setLatencyRequest.decode(req)), req);
  const dc = sessionPacket('session_58_latency_discovery_avio', 47603);
  t.deepEqual(buildSetLatencyRequest(0x3704, 1_000_000, 0x2809), dc);
  t.deepEqual(answer(dc).reply, sessionPacket('session_58_latency_discovery_avio', 47604));
});

test('0x3300 reply', (t) => {
  t.deepEqual(answer(hex('2729 000a 0040 3300 0000')).reply, hex('2729 0012 0040 3300 0001 3800 38fd 38fe 38ff'));
});

test('0x2013 / 0x3001 renames: builders and replies', (t) => {
  const tx = hex('27ff 001c 0030 2013 0000 0201 0000 0001 0018 0000 0000 0000 566f 7800');
  t.deepEqual(buildTxChannelRenameRequest(0x30, [{ channel: 1, name: 'Vox' }]), tx);
  const rt = answer(tx);
  t.deepEqual(rt.reply, hex('27ff 000c 0030 2013 0001 0000'));
  t.deepEqual(rt.actions, [{ type: 'rename-tx-channel', channel: 1, name: 'Vox' }]);
  const rx = hex('27ff 0018 0031 3001 0000 0201 0002 0014 0000 0000 4d69 6300');
  t.deepEqual(buildRxChannelRenameRequest(0x31, [{ channel: 2, name: 'Mic' }]), rx);
  const rr = answer(rx);
  t.deepEqual(rr.reply, hex('27ff 000a 0031 3001 0001'));
  t.deepEqual(rr.actions, [{ type: 'rename-rx-channel', channel: 2, name: 'Mic' }, { type: 'notify-rx-change', channels: [2] }]);
});

test('0x2201 / 0x2202 multicast create and delete', (t) => {
  const create = hex(`2729 003c 0021 2201 0000 0101 0010 0000 0001 0002 0000 0000 0000 0000 0000 0002
    0001 0002 0028 0002 0a00 0000 0000 0000 0000 0000 0000 0000 0001 0000`);
  const m = createMulticastFlowRequest.decode(create);
  t.deepEqual(m.flows, [{ id: 1, type: 2, channels: [1, 2] }]);
  t.deepEqual(createMulticastFlowRequest.encode(m), create);
  const r = answer(create);
  t.deepEqual(r.reply, hex('2729 0010 0021 2201 0001 0001 0000 0001'));
  t.deepEqual(r.actions, [{ type: 'create-multicast-flow', flowId: 1, channels: [1, 2] }]);
  const del = hex('2729 0010 0022 2202 0000 0001 0000 0001');
  t.deepEqual(deleteTxFlowRequest.encode({ protocolId: 0x2729, transactionId: 0x22, ids: [1] }), del);
  const d = sampleDevice({ txFlows: [vectorTxFlows[1]!] });
  const withFlow = sampleDevice({ txFlows: [{ ...vectorTxFlows[1]!, id: 1 }] });
  t.is(answer(del, d).reply!.readUInt16BE(8), 0xffff, 'flow 1 does not exist there');
  const rd = answer(del, withFlow);
  t.deepEqual(rd.reply, hex('2729 000a 0022 2202 0001'));
  t.deepEqual(rd.actions, [{ type: 'delete-multicast-flow', flowId: 1 }]);
});

const vectorTxFlows: TxFlowRecord[] = [
  { id: 1, multicast: false, sampleRate: 48000, bitDepth: 24, address: '10.0.0.2', port: 40000, channels: [1, 2], localFlowName: '1_0', receiverName: 'rxdev', receiverFlowName: '1_0' },
  { id: 2, multicast: true, sampleRate: 48000, bitDepth: 24, address: '239.255.12.34', port: 4321, channels: [1, 2], localFlowName: '2_0' },
];

test('0x2200 TX flow list', (t) => {
  const v = hex(`2729 00a8 0050 2200 0001 1002 0058 0090 0000 0000 0000 0000 0000 0000 0000 0000
    0000 0000 0000 0000 0000 0000 315f 3000 7278 6465 7600 315f 3000 0000 8002 9c40
    0a00 0002 0a00 0001 0030 0036 0010 002c 0000 0000 0000 0000 0001 0011 0000 bb80
    0000 0018 0001 0002 003c 0001 0002 0044 325f 3000 8002 10e1 efff 0c22 0a00 0001
    0000 0000 0010 0070 0000 0000 0000 0000 0002 0002 0000 bb80 0000 0018 0001 0002
    0074 0001 0002 007c`);
  const msg = { protocolId: 0x2729, transactionId: 0x50, capacity: 16, flows: vectorTxFlows };
  t.deepEqual(txFlowsReply.encode(msg), v);
  t.is(txFlowsReply.encodingLength(msg), v.length);
  t.deepEqual(txFlowsReply.decode(v).flows, vectorTxFlows);
  t.deepEqual(answer(hex('2729 0010 0050 2200 0000 0001 0001 0000'), sampleDevice({ txFlows: vectorTxFlows })).reply, v);
});

test('0x3200 RX flow list', (t) => {
  const v = hex(`2729 0062 0051 3200 0001 1001 0048 0000 0000 0000 0000 0000 0000 0000 0000 0000
    0000 0000 0000 0000 0000 0000 8002 9c40 0a00 0002 0009 0001 0800 0000 0098 9680
    0000 0000 0001 0002 0001 0001 0000 bb80 0000 0018 0001 0002 0001 002c 0044 0046 0034`);
  const flow: RxFlowRecord = { id: 1, sampleRate: 48000, bitDepth: 24, address: '10.0.0.2', port: 40000, latencyNs: 10_000_000, slots: [[1], [2]] };
  const msg = { protocolId: 0x2729, transactionId: 0x51, capacity: 16, maskWords: 1, flows: [flow] };
  t.deepEqual(rxFlowsReply.encode(msg), v);
  t.is(rxFlowsReply.encodingLength(msg), v.length);
  t.deepEqual(rxFlowsReply.decode(v).flows, [flow]);
  t.deepEqual(answer(hex('2729 0010 0051 3200 0000 0001 0001 0000'), sampleDevice({ rxFlows: [flow] })).reply, v);
});

test('fixture reply files match the §12.1 fixture vectors', (t) => {
  t.deepEqual(loadFixture('20250517_200646_226874_lx-dante_get_channel_count_response.bin'),
    hex('27ff 002c f215 1000 0001 07f9 0080 0080 0006 0008 0010 0020 0020 0100 0002 0002 0000 0000 0000 0000 0000 0000'));
  t.like(channelCountsReply.decode(loadFixture('20250517_200646_226874_lx-dante_get_channel_count_response.bin')), { txCount: 128, rxCount: 128, flags: 0xf9 });
});
