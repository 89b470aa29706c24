// The control plane's view of one device: its DeviceState, where the state is saved, its conmon
// sequence counter, and the read-only views the ARC, CMC and conmon handlers answer from.
// Changes go through `commit`, which applies them at once (so later requests see them) and
// resolves only when they are durably saved; events fire after that.
import { EventEmitter } from 'node:events';
import type { DeviceConfig } from '../../config/device-config.js';
import { ArcProtocol, MAX_TX_FLOWS } from '../../core/arc/constants.js';
import type { ArcDeviceView } from '../../core/arc/device-view.js';
import type { TxFlowRecord } from '../../core/arc/tx-flows.js';
import type { CmcDevice } from '../../core/cmc/register.js';
import { boardInfo, ConmonSequence } from '../../core/conmon/index.js';
import type { ConmonDeviceView, ProductInfo } from '../../core/conmon/index.js';
import { productInfo } from '../../core/conmon/index.js';
import { DeviceState } from '../../state/device-state.js';
import type { ChangeResult, DeviceStateData, StateChange } from '../../state/device-state.js';
import { VERSION } from '../../engine/version.js';

/** §9.1: board name and manufacturer of every Inferno device. */
export const BOARD_NAME = 'Inferno-AoIP';
/** §9.1: model number `_000000000000000b`. */
export const MODEL_ID = '000000000000000b';
/** §3.12, §5.6: Inferno's multicast audio port; the group is chosen by the transmitter. */
export const MULTICAST_AUDIO_PORT = 4321;
/** §3.9: every device seen reports 1 ms as the default latency (0x8204). */
export const DEFAULT_LATENCY_SETTING_NS = 1_000_000;
/** Interface speed when the kernel does not report one (veth, some virtual NICs). */
export const DEFAULT_LINK_SPEED_MBPS = 1000;

export interface StatePersister {
  /** Resolves once `data` (or a later snapshot including it) is durable. */
  save(data: DeviceStateData): Promise<void>;
  /** Resolves when no save is running or queued. */
  idle(): Promise<void>;
  readonly path: string;
}

export interface NamesInfo {
  name: string;
  rxNames: string[];
  txNames: string[];
}

export type RestartReason = 'reboot' | 'sample-rate' | 'encoding';

export interface IdentifyInfo {
  count: number;
  lastAt?: string;
}

function versionBytes(): number[] {
  const [a = 0, b = 0, c = 0] = VERSION.split('.').map(Number);
  return [a & 0xff, b & 0xff, (c >> 8) & 0xff, c & 0xff];
}

export function deviceIdBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export class DeviceControl extends EventEmitter {
  readonly sequence = new ConmonSequence();
  readonly deviceId: Uint8Array;
  readonly identify: IdentifyInfo = { count: 0 };
  clock: { frequencyOffsetPpb: number } | undefined;
  private arcCache: ArcDeviceView | undefined;
  private readonly board = boardInfo.defaultBoardInfo(BOARD_NAME, versionBytes());
  private readonly product: ProductInfo;

  constructor(
    readonly config: DeviceConfig,
    readonly state: DeviceState,
    readonly persister: StatePersister,
  ) {
    super();
    this.deviceId = deviceIdBytes(config.deviceId);
    const v = versionBytes();
    this.product = {
      manufacturer: BOARD_NAME,
      modelId: productInfo.modelIdFromHex(MODEL_ID),
      softwareVersion: v,
      firmwareVersion: v,
      patchA: 0,
      patchB: 0,
      manufacturerName: BOARD_NAME,
      modelName: 'inferno-aoip',
      productVersion: v,
    };
  }

  /**
   * Applies `changes` now and resolves after they are saved. A change the device cannot take
   * resolves with `error` and changes nothing; a failed save rejects.
   */
  async commit(changes: readonly StateChange[]): Promise<ChangeResult> {
    const result = this.state.apply(changes);
    if (result.error || !result.changed) return result;
    this.arcCache = undefined;
    await this.persister.save(this.state.copy());
    this.emit('committed', result);
    if (result.namesChanged) this.emit('names-changed', this.names());
    return result;
  }

  /** Emitted by servers after an acknowledged change that alters RX channels (§4.3 0x0102). */
  rxChanged(channels: number[]): void {
    if (channels.length) this.emit('rx-changed', channels);
  }

  requestRestart(reason: RestartReason): void {
    this.emit('restart-requested', reason);
  }

  markIdentify(now = new Date()): void {
    this.identify.count++;
    this.identify.lastAt = now.toISOString();
    this.emit('identify', this.identify.lastAt);
  }

  names(): NamesInfo {
    const d = this.state.snapshot;
    return {
      name: d.name,
      rxNames: this.config.rxChannelNames.map((c) => d.rxNames[c.id] ?? c.friendly),
      txNames: this.config.txChannelNames.map((c) => d.txNames[c.id] ?? c.friendly),
    };
  }

  /** Live TX flows (the transmitter's table) for ARC 0x2200; without it, the saved multicast flows. */
  txFlowSource: (() => TxFlowRecord[]) | undefined;
  /** Live RX flows (the subscription engine) for ARC 0x3200. */
  rxFlowSource: (() => ArcDeviceView['rxFlows']) | undefined;
  /** Live subscription status words by RX channel (the subscription engine) for ARC 0x3000. */
  rxStatusSource: (() => Map<number, number>) | undefined;

  arcView(): ArcDeviceView {
    const view = this.cachedArcView();
    // Flows change without a state commit, so they are read on every request.
    if (!this.txFlowSource && !this.rxFlowSource && !this.rxStatusSource) return view;
    const statuses = this.rxStatusSource?.();
    return {
      ...view,
      txFlows: this.txFlowSource?.() ?? view.txFlows,
      rxFlows: this.rxFlowSource?.() ?? view.rxFlows,
      rxChannels: statuses
        ? view.rxChannels.map((ch) => (ch.subscription ? { ...ch, subscription: { ...ch.subscription, status: statuses.get(ch.number) ?? ch.subscription.status } } : ch))
        : view.rxChannels,
    };
  }

  private cachedArcView(): ArcDeviceView {
    if (this.arcCache) return this.arcCache;
    const c = this.config;
    const d = this.state.snapshot;
    const txFlows: TxFlowRecord[] = d.multicastFlows.map((f) => ({
      id: f.flowId,
      multicast: true,
      sampleRate: d.sampleRate,
      bitDepth: d.encoding,
      address: '0.0.0.0',
      port: MULTICAST_AUDIO_PORT,
      channels: f.channels,
      localFlowName: `${f.flowId}_${c.processId}`,
    }));
    this.arcCache = {
      friendlyName: d.name,
      factoryName: c.factoryName,
      boardName: BOARD_NAME,
      protocolId: ArcProtocol.LX_DANTE,
      sampleRate: d.sampleRate,
      bitDepth: d.encoding,
      txChannels: c.txChannelNames.map((t) => {
        const friendlyName = d.txNames[t.id] ?? t.friendly;
        return { number: t.id, factoryName: t.factory, friendlyName };
      }),
      rxChannels: c.rxChannelNames.map((r) => {
        const sub = d.subscriptions[r.id];
        return { number: r.id, name: d.rxNames[r.id] ?? r.friendly, ...(sub ? { subscription: { ...sub } } : {}) };
      }),
      txFlows,
      rxFlows: [],
      latency: {
        defaultNs: DEFAULT_LATENCY_SETTING_NS,
        currentNs: d.latencyNs,
        secondNs: d.secondLatencyNs,
        minNs: this.state.limits.minLatencyNs,
        maxNs: this.state.limits.maxLatencyNs,
      },
      deviceRenamable: true,
      txChannelsRenamable: true,
      rxChannelsRenamable: true,
      multicastTx: true,
      maxTxFlows: MAX_TX_FLOWS,
      maxRxFlows: MAX_TX_FLOWS,
      locked: false,
    };
    return this.arcCache;
  }

  conmonView(): ConmonDeviceView {
    const d = this.state.snapshot;
    const mac = Uint8Array.from(this.config.iface.mac.split(':').map((h) => parseInt(h, 16) || 0));
    return {
      processId: this.config.processId,
      deviceId: this.deviceId,
      sequence: this.sequence,
      boardInfo: this.board,
      productInfo: this.product,
      sampleRate: d.sampleRate,
      supportedSampleRates: this.state.limits.sampleRates,
      encoding: d.encoding,
      supportedEncodings: this.state.limits.encodings,
      interfaceInfo: {
        linkSpeedMbps: DEFAULT_LINK_SPEED_MBPS,
        mac: mac.length === 6 ? mac : new Uint8Array(6),
        ip: this.config.ip,
        netmask: this.config.iface.netmask,
        // The control worker does not know the gateway; v0.5 repeats it as DNS.
        gateway: '0.0.0.0',
        dns: '0.0.0.0',
      },
    };
  }

  cmcDevice(): CmcDevice {
    return { processId: this.config.processId, deviceId: this.deviceId, ip: this.config.ip, infoPort: this.config.ports.info };
  }

  /** The `control` section of /status. */
  statusInfo(): Record<string, unknown> {
    const d = this.state.snapshot;
    const names = this.names();
    return {
      name: d.name,
      rxChannels: names.rxNames.map((name, i) => {
        const sub = d.subscriptions[i + 1];
        return { id: i + 1, name, ...(sub ? { subscription: { ...sub, status: `0x${sub.status.toString(16).padStart(8, '0')}` } } : {}) };
      }),
      txChannels: names.txNames.map((name, i) => ({ id: i + 1, name })),
      settings: { latencyNs: d.latencyNs, secondLatencyNs: d.secondLatencyNs, sampleRate: d.sampleRate, encoding: d.encoding },
      multicastFlows: d.multicastFlows,
      identify: { ...this.identify },
      clock: this.clock ? { ...this.clock } : null,
      stateFile: this.persister.path,
    };
  }
}
