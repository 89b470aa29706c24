// The control state a device owns: names, RX subscriptions, settings controllers change and
// multicast TX flow definitions. Changes arrive as StateChange values (from ARC and conmon
// actions), are validated as a batch and applied all-or-nothing, so a rejected request leaves the
// state exactly as it was.
import { validDanteName } from '../config/schema.js';
import { RxStatus } from '../core/arc/constants.js';

/** Dante names are at most 31 bytes of UTF-8 (PROTOCOL.md §3.4, §3.11). */
export const MAX_NAME_BYTES = 31;
/** Bit depths the device can run (PROTOCOL.md §4.5 lists 24, 16, 32 on an A32). */
export const SUPPORTED_ENCODINGS = [16, 24, 32] as const;
/** §9.1: Inferno's fixed bit depth is 24. */
export const DEFAULT_ENCODING = 24;
/** Flow ids are 1…32, shared by unicast and multicast TX flows (§3.12). */
export const MAX_TX_FLOW_ID = 32;

export interface RxSubscription {
  txChannelName: string;
  txDeviceName: string;
  /** RxStatus word (§3.7); UNRESOLVED until the receiver resolves it. */
  status: number;
}

export interface MulticastFlowDef {
  flowId: number;
  /** 1-based TX channel numbers per slot, 0 = empty slot. */
  channels: number[];
}

/** Everything a device saves; plain data so it can be encoded and compared. */
export interface DeviceStateData {
  /** Friendly device name. */
  name: string;
  /** Custom friendly names by 1-based channel number; absent = the default name. */
  rxNames: Record<number, string>;
  txNames: Record<number, string>;
  subscriptions: Record<number, RxSubscription>;
  latencyNs: number;
  secondLatencyNs: number;
  sampleRate: number;
  encoding: number;
  multicastFlows: MulticastFlowDef[];
}

export interface DeviceLimits {
  rxChannels: number;
  txChannels: number;
  minLatencyNs: number;
  maxLatencyNs: number;
  sampleRates: readonly number[];
  encodings: readonly number[];
}

export type StateChange =
  /** `name` undefined = back to the configured default name. */
  | { type: 'rename-device'; name: string | undefined }
  | { type: 'rename-tx-channel'; channel: number; name: string | undefined }
  | { type: 'rename-rx-channel'; channel: number; name: string | undefined }
  | { type: 'subscribe'; rxChannel: number; txChannelName: string; txDeviceName: string }
  | { type: 'unsubscribe'; rxChannel: number }
  | { type: 'set-subscription-status'; rxChannel: number; status: number }
  | { type: 'set-latency'; latencyNs: number; secondLatencyNs: number }
  | { type: 'set-sample-rate'; sampleRate: number }
  | { type: 'set-encoding'; bitDepth: number }
  | { type: 'create-multicast-flow'; flowId: number; channels: number[] }
  | { type: 'delete-multicast-flow'; flowId: number };

/** What a batch of changes did; `error` means nothing was applied. */
export interface ChangeResult {
  error?: string;
  /** The batch changed something that must be saved. */
  changed: boolean;
  namesChanged: boolean;
  /** Sample rate or encoding changed: takes effect through an engine restart. */
  needsRestart: boolean;
}

export function nameBytesOk(name: string): boolean {
  const n = Buffer.byteLength(name, 'utf8');
  return n > 0 && n <= MAX_NAME_BYTES;
}

function channelOk(n: number, count: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= count;
}

/** Why `c` cannot be applied under `limits`, or undefined when it can. */
export function validateChange(c: StateChange, limits: DeviceLimits): string | undefined {
  switch (c.type) {
    case 'rename-device':
      // The device name is also the mDNS host label, so it must be a valid Dante name (§2.4).
      return c.name === undefined || validDanteName(c.name) ? undefined : 'bad-device-name';
    case 'rename-tx-channel':
      if (!channelOk(c.channel, limits.txChannels)) return 'unknown-channel';
      return c.name === undefined || nameBytesOk(c.name) ? undefined : 'bad-name';
    case 'rename-rx-channel':
      if (!channelOk(c.channel, limits.rxChannels)) return 'unknown-channel';
      return c.name === undefined || nameBytesOk(c.name) ? undefined : 'bad-name';
    case 'subscribe':
      if (!channelOk(c.rxChannel, limits.rxChannels)) return 'unknown-channel';
      return nameBytesOk(c.txChannelName) && nameBytesOk(c.txDeviceName) ? undefined : 'bad-name';
    case 'unsubscribe':
    case 'set-subscription-status':
      return channelOk(c.rxChannel, limits.rxChannels) ? undefined : 'unknown-channel';
    case 'set-latency': {
      const ok = (v: number) => Number.isInteger(v) && v >= limits.minLatencyNs && v <= limits.maxLatencyNs;
      return ok(c.latencyNs) && ok(c.secondLatencyNs) ? undefined : 'latency-range';
    }
    case 'set-sample-rate':
      return limits.sampleRates.includes(c.sampleRate) ? undefined : 'unsupported-sample-rate';
    case 'set-encoding':
      return limits.encodings.includes(c.bitDepth) ? undefined : 'unsupported-encoding';
    case 'create-multicast-flow':
      if (!Number.isInteger(c.flowId) || c.flowId < 1 || c.flowId > MAX_TX_FLOW_ID) return 'bad-flow-id';
      return c.channels.every((ch) => ch === 0 || channelOk(ch, limits.txChannels)) ? undefined : 'unknown-channel';
    case 'delete-multicast-flow':
      return undefined;
  }
}

export class DeviceState {
  private data: DeviceStateData;

  constructor(
    readonly limits: DeviceLimits,
    /** Name used when none is saved or a controller resets it. */
    readonly defaultName: string,
    initial: DeviceStateData,
  ) {
    this.data = structuredClone(initial);
  }

  get snapshot(): Readonly<DeviceStateData> {
    return this.data;
  }

  /** A deep copy for saving: later changes do not alter a write in progress. */
  copy(): DeviceStateData {
    return structuredClone(this.data);
  }

  rxName(channel: number): string {
    return this.data.rxNames[channel] ?? `RX ${channel}`;
  }

  txFriendlyName(channel: number): string | undefined {
    return this.data.txNames[channel];
  }

  /** Validates every change first; applies all of them only if all are valid. */
  apply(changes: readonly StateChange[]): ChangeResult {
    const result: ChangeResult = { changed: false, namesChanged: false, needsRestart: false };
    for (const c of changes) {
      const error = validateChange(c, this.limits);
      if (error) return { ...result, error };
    }
    const before = JSON.stringify(this.data);
    const d = this.data;
    for (const c of changes) {
      switch (c.type) {
        case 'rename-device':
          d.name = c.name ?? this.defaultName;
          result.namesChanged = true;
          break;
        case 'rename-tx-channel':
          setName(d.txNames, c.channel, c.name);
          result.namesChanged = true;
          break;
        case 'rename-rx-channel':
          setName(d.rxNames, c.channel, c.name);
          result.namesChanged = true;
          break;
        case 'subscribe':
          d.subscriptions[c.rxChannel] = { txChannelName: c.txChannelName, txDeviceName: c.txDeviceName, status: RxStatus.UNRESOLVED };
          break;
        case 'unsubscribe':
          delete d.subscriptions[c.rxChannel];
          break;
        case 'set-subscription-status': {
          const s = d.subscriptions[c.rxChannel];
          if (s) s.status = c.status >>> 0;
          break;
        }
        case 'set-latency':
          d.latencyNs = c.latencyNs;
          d.secondLatencyNs = c.secondLatencyNs;
          break;
        case 'set-sample-rate':
          if (d.sampleRate !== c.sampleRate) result.needsRestart = true;
          d.sampleRate = c.sampleRate;
          break;
        case 'set-encoding':
          if (d.encoding !== c.bitDepth) result.needsRestart = true;
          d.encoding = c.bitDepth;
          break;
        case 'create-multicast-flow':
          d.multicastFlows = d.multicastFlows.filter((f) => f.flowId !== c.flowId);
          d.multicastFlows.push({ flowId: c.flowId, channels: [...c.channels] });
          d.multicastFlows.sort((a, b) => a.flowId - b.flowId);
          break;
        case 'delete-multicast-flow':
          d.multicastFlows = d.multicastFlows.filter((f) => f.flowId !== c.flowId);
          break;
      }
    }
    result.changed = JSON.stringify(this.data) !== before;
    if (!result.changed) result.namesChanged = false;
    return result;
  }
}

function setName(names: Record<number, string>, channel: number, name: string | undefined): void {
  if (name === undefined) delete names[channel];
  else names[channel] = name;
}
