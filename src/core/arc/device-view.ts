// What the ARC server needs to know about the device (ArcDeviceView) and what it asks the device
// to do (ArcAction). The device owns the state; handleArcRequest only reads it.
import type { RxFlowRecord } from './rx-flows.js';
import type { TxFlowRecord } from './tx-flows.js';

export interface TxChannelView {
  /** 1-based. */
  number: number;
  factoryName: string;
  /** Custom name; the factory name is used where none is set. */
  friendlyName?: string;
}

export interface RxSubscriptionView {
  txChannelName: string;
  /** `.` when the channel is routed from the device itself (§3.8). */
  txDeviceName: string;
  /** RxStatus word (§3.7). */
  status: number;
}

export interface RxChannelView {
  /** 1-based. */
  number: number;
  /** Friendly name (factory default `RX k`, §9.2). */
  name: string;
  subscription?: RxSubscriptionView;
}

/** Latency settings in ns, as reported in 0x1100 (§3.9). */
export interface LatencySettings {
  /** 0x8204. */
  defaultNs: number;
  /** 0x8205, the configured latency. */
  currentNs: number;
  /** 0x8301, the second value DC writes with 0x1101 (usually equal to currentNs). */
  secondNs: number;
  /** 0x8306. */
  minNs: number;
  /** 0x8302. */
  maxNs: number;
}

export interface ArcDeviceView {
  friendlyName: string;
  factoryName: string;
  /** Board name in 0x1003 (Inferno: `Inferno-AoIP`). */
  boardName: string;
  /** Revision string in 0x1003; defaults to Inferno's `:705`. */
  revision?: string;
  /** The device's own ARC protocol id, written into 0x1003 (Inferno 0x2729). */
  protocolId: number;
  sampleRate: number;
  bitDepth: number;
  /** Format descriptor pcm type; defaults to Inferno's 0x0E. */
  pcmType?: number;
  /** In channel-number order. */
  txChannels: readonly TxChannelView[];
  /** In channel-number order. */
  rxChannels: readonly RxChannelView[];
  txFlows: readonly TxFlowRecord[];
  rxFlows: readonly RxFlowRecord[];
  latency: LatencySettings;
  deviceRenamable: boolean;
  txChannelsRenamable: boolean;
  rxChannelsRenamable: boolean;
  /** Whether DC may create multicast TX flows (0x2201). */
  multicastTx: boolean;
  maxTxFlows: number;
  maxRxFlows: number;
  /** Locked devices answer writes with status 0x0600. */
  locked: boolean;
}

export type ArcAction =
  /** `name` undefined = back to the factory name. */
  | { type: 'rename-device'; name: string | undefined }
  /** `name` undefined = back to the default name. */
  | { type: 'rename-tx-channel'; channel: number; name: string | undefined }
  | { type: 'rename-rx-channel'; channel: number; name: string | undefined }
  /** `toSelf`: the TX device was `.` or our own name; `txDeviceName` is then our friendly name. */
  | { type: 'subscribe'; rxChannel: number; txChannelName: string; txDeviceName: string; toSelf: boolean }
  | { type: 'unsubscribe'; rxChannel: number }
  /** 0x8205 and 0x8301 values (ns); equal when the request carried only one of them. */
  | { type: 'set-latency'; latencyNs: number; secondLatencyNs: number }
  | { type: 'create-multicast-flow'; flowId: number; channels: number[] }
  | { type: 'delete-multicast-flow'; flowId: number }
  /** Send the RX channel change notification (0x0102) for these channels. */
  | { type: 'notify-rx-change'; channels: number[] };

export interface ArcResult {
  /** The datagram to send back to the request's source. */
  reply?: Buffer;
  /** Why the request was dropped (a counter key); no reply then. */
  drop?: string;
  /** A counter key for a request that was answered but is worth counting (unsupported, rejected). */
  count?: string;
  actions: ArcAction[];
}
