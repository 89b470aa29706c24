// The saved-state file format. MessagePack (@msgpack/msgpack) rather than TOML or JSON: binary and
// typed (integers stay integers, no float/ns ambiguity), fast to write on every acknowledged
// change, and already the project's dump format. One versioned record per file; anything that is
// not that record is treated as corrupt, while values the current configuration cannot take
// (a channel beyond the channel count, a latency out of range) are skipped one by one.
import { decode, encode } from '@msgpack/msgpack';
import { DecodeError } from '../core/errors.js';
import { RxStatus } from '../core/arc/constants.js';
import { validateChange } from './device-state.js';
import type { DeviceLimits, DeviceStateData, MulticastFlowDef, RxSubscription, StateChange } from './device-state.js';

export const STATE_FILE_VERSION = 1;
export const STATE_FILE_NAME = 'state.msgpack';

interface StateFile {
  version: number;
  deviceId: string;
  savedAt: number;
  state: {
    name: string;
    rxNames: [number, string][];
    txNames: [number, string][];
    subscriptions: [number, string, string][];
    latencyNs: number;
    secondLatencyNs: number;
    sampleRate: number;
    encoding: number;
    multicastFlows: [number, number[]][];
  };
}

export function encodeStateFile(deviceId: string, d: DeviceStateData, now = Date.now()): Uint8Array {
  const file: StateFile = {
    version: STATE_FILE_VERSION,
    deviceId,
    savedAt: now,
    state: {
      name: d.name,
      rxNames: Object.entries(d.rxNames).map(([k, v]) => [Number(k), v]),
      txNames: Object.entries(d.txNames).map(([k, v]) => [Number(k), v]),
      // The status is not saved: a restored subscription starts unresolved, as in Inferno (§8).
      subscriptions: Object.entries(d.subscriptions).map(([k, s]) => [Number(k), s.txChannelName, s.txDeviceName]),
      latencyNs: d.latencyNs,
      secondLatencyNs: d.secondLatencyNs,
      sampleRate: d.sampleRate,
      encoding: d.encoding,
      multicastFlows: d.multicastFlows.map((f) => [f.flowId, f.channels]),
    },
  };
  return encode(file);
}

export interface LoadedState {
  data: DeviceStateData;
  /** Entries dropped because the current configuration cannot take them. */
  skipped: string[];
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new DecodeError('bad-state-file', `${what} is not a list`);
  return v;
}

function tuple(v: unknown, what: string, check: (t: unknown[]) => boolean): unknown[] {
  if (!Array.isArray(v) || !check(v)) throw new DecodeError('bad-state-file', `bad ${what} entry`);
  return v;
}

/**
 * Decodes a state file over `defaults`. Throws DecodeError when the bytes are not a state file of
 * this version for this device.
 */
export function decodeStateFile(bytes: Uint8Array, deviceId: string, limits: DeviceLimits, defaults: DeviceStateData): LoadedState {
  let raw: unknown;
  try {
    raw = decode(bytes);
  } catch (e) {
    throw new DecodeError('bad-state-file', `not MessagePack: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new DecodeError('bad-state-file', 'not a record');
  const f = raw as Partial<StateFile>;
  if (f.version !== STATE_FILE_VERSION) throw new DecodeError('bad-state-file', `version ${String(f.version)}`);
  if (f.deviceId !== deviceId) throw new DecodeError('bad-state-file', `saved for device ${String(f.deviceId)}`);
  const s = f.state;
  if (typeof s !== 'object' || s === null) throw new DecodeError('bad-state-file', 'no state');
  if (!isStr(s.name) || !isInt(s.latencyNs) || !isInt(s.secondLatencyNs) || !isInt(s.sampleRate) || !isInt(s.encoding)) {
    throw new DecodeError('bad-state-file', 'bad settings');
  }
  const data: DeviceStateData = structuredClone(defaults);
  const skipped: string[] = [];
  // Each saved value goes through the same validation as a controller's change.
  const take = (c: StateChange, what: string, set: () => void) => {
    const why = validateChange(c, limits);
    if (why) skipped.push(`${what}: ${why}`);
    else set();
  };
  take({ type: 'rename-device', name: s.name }, 'device name', () => (data.name = s.name));
  for (const e of list(s.rxNames, 'rxNames')) {
    const [ch, name] = tuple(e, 'rxNames', (t) => isInt(t[0]) && isStr(t[1])) as [number, string];
    take({ type: 'rename-rx-channel', channel: ch, name }, `rx name ${ch}`, () => (data.rxNames[ch] = name));
  }
  for (const e of list(s.txNames, 'txNames')) {
    const [ch, name] = tuple(e, 'txNames', (t) => isInt(t[0]) && isStr(t[1])) as [number, string];
    take({ type: 'rename-tx-channel', channel: ch, name }, `tx name ${ch}`, () => (data.txNames[ch] = name));
  }
  for (const e of list(s.subscriptions, 'subscriptions')) {
    const [ch, txChannelName, txDeviceName] = tuple(e, 'subscriptions', (t) => isInt(t[0]) && isStr(t[1]) && isStr(t[2])) as [number, string, string];
    const sub: RxSubscription = { txChannelName, txDeviceName, status: RxStatus.UNRESOLVED };
    take({ type: 'subscribe', rxChannel: ch, txChannelName, txDeviceName }, `subscription ${ch}`, () => (data.subscriptions[ch] = sub));
  }
  take({ type: 'set-latency', latencyNs: s.latencyNs, secondLatencyNs: s.secondLatencyNs }, 'latency', () => {
    data.latencyNs = s.latencyNs;
    data.secondLatencyNs = s.secondLatencyNs;
  });
  take({ type: 'set-sample-rate', sampleRate: s.sampleRate }, 'sample rate', () => (data.sampleRate = s.sampleRate));
  take({ type: 'set-encoding', bitDepth: s.encoding }, 'encoding', () => (data.encoding = s.encoding));
  const flows: MulticastFlowDef[] = [];
  for (const e of list(s.multicastFlows, 'multicastFlows')) {
    const [flowId, channels] = tuple(e, 'multicastFlows', (t) => isInt(t[0]) && Array.isArray(t[1]) && (t[1] as unknown[]).every(isInt)) as [number, number[]];
    take({ type: 'create-multicast-flow', flowId, channels }, `multicast flow ${flowId}`, () => {
      if (!flows.some((x) => x.flowId === flowId)) flows.push({ flowId, channels });
    });
  }
  data.multicastFlows = flows.sort((a, b) => a.flowId - b.flowId);
  return { data, skipped };
}
