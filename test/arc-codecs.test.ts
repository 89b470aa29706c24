// Round trips: decode(encode(m)) == m and encodingLength(m) == encode(m).length for every codec.
import test from 'ava';
import {
  type ArcCodec,
  channelCountsReply,
  createMulticastFlowReply,
  createMulticastFlowRequest,
  deleteTxFlowRequest,
  deviceInfoReply,
  deviceNameReply,
  inferChannelCounts,
  pageRequestCodec,
  removeSubscriptionsRequest,
  rxChannelRenameRequest,
  rxChannelsReply,
  setDeviceNameRequest,
  setLatencyReply,
  setLatencyRequest,
  settingsReply,
  settingsRequest,
  settingsSchemaReply,
  subscribeRequest,
  txChannelRenameRequest,
  txChannelsReply,
  txNamesReply,
} from '../dist/core/arc/index.js';

const base = { protocolId: 0x2809, transactionId: 0xbeef };
const fmt = { sampleRate: 96000, bitDepth: 32, pcmType: 0x0e };

function roundTrip<T>(t: import('ava').ExecutionContext, codec: ArcCodec<T>, msg: T): void {
  const b = codec.encode(msg);
  t.is(codec.encodingLength(msg), b.length);
  t.is(b.readUInt16BE(2), b.length);
  t.like(codec.decode(b), msg as Record<string, unknown>);
  t.deepEqual(codec.encode(codec.decode(b)), b);
}

test('round trips', (t) => {
  roundTrip(t, channelCountsReply, inferChannelCounts({ ...base, status: 1 }, { txCount: 64, rxCount: 3, txRenamable: false, txMulticast: true, maxTxFlows: 32, maxRxFlows: 32 }));
  roundTrip(t, deviceNameReply, { ...base, status: 1, name: 'Studio-Bühne' });
  roundTrip(t, setDeviceNameRequest, { ...base, status: 0, name: 'x' });
  roundTrip(t, setDeviceNameRequest, { ...base, status: 0, name: undefined });
  roundTrip(t, deviceInfoReply, { ...base, status: 1, friendlyName: 'a', factoryName: 'b', boardName: 'c', revision: ':705', deviceProtocolId: 0x2729, code44: 0x1102, dbcp: 0x1004 });
  roundTrip(t, settingsRequest, { ...base, status: 0, codes: [0x8204, 0x0201] });
  roundTrip(t, settingsReply, { ...base, status: 1, records: [{ code: 0x0201 }, { code: 0x8205, value: 5_000_000 }, { code: 0x0211, value: 4 }] });
  roundTrip(t, setLatencyReply, { ...base, status: 1, records: [{ code: 0x8205, value: 1 }] });
  roundTrip(t, setLatencyRequest, { ...base, status: 0, records: [{ code: 0x8205, value: 2_000_000 }, { code: 0x8301, value: 2_000_000 }] });
  roundTrip(t, settingsSchemaReply, { ...base, status: 1, entries: [{ code: 0x8205, flags: 3 }] });
  roundTrip(t, pageRequestCodec(0x3000), { ...base, status: 0, start: 17, maxCount: 0 });
  roundTrip(t, txChannelsReply, { ...base, status: 0x8112, capacity: 4, channels: [{ number: 3, flags: 7, format: fmt, name: 'Kick' }] });
  roundTrip(t, txNamesReply, { ...base, status: 1, capacity: 2, names: [{ index: 1, number: 2, name: 'Snare' }] });
  roundTrip(t, rxChannelsReply, {
    ...base,
    status: 1,
    capacity: 3,
    channels: [
      { number: 1, flags: 6, format: fmt, name: 'In 1', status: 0 },
      { number: 2, flags: 6, format: { ...fmt, sampleRate: 48000 }, name: 'In 2', txChannelName: 'Kick', txDeviceName: '.', status: 0x0101000a },
    ],
  });
  roundTrip(t, txChannelRenameRequest, { ...base, status: 0, flags: 0x20, renames: [{ channel: 1, name: 'A' }, { channel: 2, name: 'B' }] });
  roundTrip(t, rxChannelRenameRequest, { ...base, status: 0, flags: 2, renames: [{ channel: 4, name: 'Vox' }] });
  roundTrip(t, subscribeRequest, { ...base, status: 0, flags: 2, records: [{ rxChannel: 1, txChannelName: 'a', txDeviceName: 'b' }, { rxChannel: 2 }] });
  roundTrip(t, removeSubscriptionsRequest, { ...base, status: 0, rxChannels: [1, 17] });
  roundTrip(t, createMulticastFlowRequest, { ...base, status: 0, flows: [{ id: 3, type: 2, channels: [1, 0, 2] }, { id: 4, type: 2, channels: [5] }] });
  roundTrip(t, createMulticastFlowReply, { ...base, status: 1, ids: [3, 4] });
  roundTrip(t, deleteTxFlowRequest, { ...base, status: 0, ids: [3] });
});
