import test from 'ava';
import { DeviceState, validateChange } from '../dist/state/index.js';
import type { DeviceLimits, DeviceStateData } from '../dist/state/index.js';

const limits: DeviceLimits = {
  rxChannels: 4, txChannels: 2, minLatencyNs: 250_000, maxLatencyNs: 40_000_000,
  sampleRates: [44100, 48000, 96000], encodings: [16, 24, 32],
};
const initial: DeviceStateData = {
  name: 'dev', rxNames: {}, txNames: {}, subscriptions: {}, latencyNs: 1_000_000, secondLatencyNs: 1_000_000,
  sampleRate: 48000, encoding: 24, multicastFlows: [],
};

test('names: at most 31 bytes; the device name must be a valid Dante name', (t) => {
  t.is(validateChange({ type: 'rename-rx-channel', channel: 1, name: 'x'.repeat(31) }, limits), undefined);
  t.is(validateChange({ type: 'rename-rx-channel', channel: 1, name: 'x'.repeat(32) }, limits), 'bad-name');
  t.is(validateChange({ type: 'rename-tx-channel', channel: 1, name: 'é'.repeat(16) }, limits), 'bad-name', '32 bytes of UTF-8');
  t.is(validateChange({ type: 'rename-tx-channel', channel: 1, name: '' }, limits), 'bad-name');
  t.is(validateChange({ type: 'rename-device', name: 'stage-left' }, limits), undefined);
  t.is(validateChange({ type: 'rename-device', name: 'has space' }, limits), 'bad-device-name');
  t.is(validateChange({ type: 'rename-device', name: 'a'.repeat(32) }, limits), 'bad-device-name');
  t.is(validateChange({ type: 'rename-device', name: undefined }, limits), undefined);
});

test('channels, latency, rate and encoding are checked against the limits', (t) => {
  t.is(validateChange({ type: 'rename-rx-channel', channel: 5, name: 'a' }, limits), 'unknown-channel');
  t.is(validateChange({ type: 'rename-tx-channel', channel: 0, name: 'a' }, limits), 'unknown-channel');
  t.is(validateChange({ type: 'rename-tx-channel', channel: 3, name: 'a' }, limits), 'unknown-channel');
  t.is(validateChange({ type: 'subscribe', rxChannel: 4, txChannelName: 'TX 1', txDeviceName: 'x' }, limits), undefined);
  t.is(validateChange({ type: 'subscribe', rxChannel: 9, txChannelName: 'TX 1', txDeviceName: 'x' }, limits), 'unknown-channel');
  t.is(validateChange({ type: 'set-latency', latencyNs: 249_999, secondLatencyNs: 1_000_000 }, limits), 'latency-range');
  t.is(validateChange({ type: 'set-latency', latencyNs: 1_000_000, secondLatencyNs: 40_000_001 }, limits), 'latency-range');
  t.is(validateChange({ type: 'set-latency', latencyNs: 250_000, secondLatencyNs: 40_000_000 }, limits), undefined);
  t.is(validateChange({ type: 'set-sample-rate', sampleRate: 192000 }, limits), 'unsupported-sample-rate');
  t.is(validateChange({ type: 'set-encoding', bitDepth: 20 }, limits), 'unsupported-encoding');
  t.is(validateChange({ type: 'create-multicast-flow', flowId: 33, channels: [1] }, limits), 'bad-flow-id');
  t.is(validateChange({ type: 'create-multicast-flow', flowId: 1, channels: [0, 3] }, limits), 'unknown-channel');
});

test('a batch applies all-or-nothing and reports what changed', (t) => {
  const s = new DeviceState(limits, 'dev', initial);
  const bad = s.apply([{ type: 'rename-rx-channel', channel: 1, name: 'ok' }, { type: 'rename-rx-channel', channel: 9, name: 'no' }]);
  t.is(bad.error, 'unknown-channel');
  t.deepEqual(s.snapshot.rxNames, {});
  const ok = s.apply([{ type: 'rename-rx-channel', channel: 1, name: 'Kick' }, { type: 'subscribe', rxChannel: 2, txChannelName: 'TX 1', txDeviceName: 'far' }]);
  t.deepEqual(ok, { changed: true, namesChanged: true, needsRestart: false });
  t.is(s.rxName(1), 'Kick');
  t.is(s.rxName(2), 'RX 2');
  t.deepEqual(s.snapshot.subscriptions[2], { txChannelName: 'TX 1', txDeviceName: 'far', status: 1 });
  t.false(s.apply([{ type: 'rename-rx-channel', channel: 1, name: 'Kick' }]).changed, 'same name again changes nothing');
  t.true(s.apply([{ type: 'set-sample-rate', sampleRate: 96000 }]).needsRestart);
  t.false(s.apply([{ type: 'set-sample-rate', sampleRate: 96000 }]).needsRestart);
  s.apply([{ type: 'rename-device', name: 'other' }]);
  s.apply([{ type: 'rename-device', name: undefined }]);
  t.is(s.snapshot.name, 'dev', 'reset goes back to the default name');
  s.apply([{ type: 'unsubscribe', rxChannel: 2 }, { type: 'create-multicast-flow', flowId: 3, channels: [1, 0] }]);
  t.deepEqual(s.snapshot.subscriptions, {});
  t.deepEqual(s.snapshot.multicastFlows, [{ flowId: 3, channels: [1, 0] }]);
  const copy = s.copy();
  s.apply([{ type: 'delete-multicast-flow', flowId: 3 }]);
  t.is(copy.multicastFlows.length, 1, 'copies do not follow later changes');
});
