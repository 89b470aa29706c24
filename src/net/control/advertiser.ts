// Publishes the device over mDNS (PROTOCOL.md §2) from the control worker and keeps the records
// in step with the control state: renames re-announce (goodbyes for the old names first), and a
// device-name conflict found while probing becomes the device's name (saved like a rename, logged
// and shown in /status) so ARC replies and mDNS always agree.
import type { DeviceConfig } from '../../config/device-config.js';
import type { DanteBundle, DanteMdnsDevice } from '../../core/mdns/dante.js';
import type { Logger } from '../../log.js';
import { MdnsResponder } from '../mdns/responder.js';
import type { MdnsConflict, MdnsTransport } from '../mdns/index.js';
import { BOARD_NAME, MODEL_ID } from './device-control.js';
import type { DeviceControl } from './device-control.js';

/** Frames per packet offered in CHAN TXT `fpp` (max, min; §2.2). */
export const FPP_MAX = 32;
export const FPP_MIN = 2;
/** PCM type byte of current devices (§2.2, §3.5). */
export const PCM_TYPE = 0x0e;

export interface AdvertisedConflict {
  kind: string;
  from: string;
  to: string;
  peer?: string;
  at: string;
}

export class DeviceAdvertiser {
  readonly responder: MdnsResponder;
  readonly conflicts: AdvertisedConflict[] = [];
  /** Active multicast TX flows, published as `_netaudio-bund` with `b.N` on member channels. */
  private bundles: DanteBundle[] = [];

  constructor(
    private readonly config: DeviceConfig,
    private readonly control: DeviceControl,
    private readonly log: Logger,
    transport?: MdnsTransport,
  ) {
    this.responder = new MdnsResponder({ interfaceIp: config.ip, logger: log.child('mdns'), ...(transport ? { transport } : {}) });
    this.responder.on('conflict', (c: MdnsConflict) => this.onConflict(c));
    control.on('names-changed', () => this.update());
    control.on('committed', () => this.update());
  }

  async start(): Promise<void> {
    this.responder.setDevice(this.describe());
    await this.responder.start();
  }

  /** The record set's input, from the configuration and the current control state. */
  describe(): DanteMdnsDevice {
    const c = this.config;
    const d = this.control.state.snapshot;
    const names = this.control.names();
    return {
      name: d.name,
      deviceId: c.deviceId,
      processId: c.processId,
      ipv4: c.ip,
      arcPort: c.ports.arc,
      cmcPort: c.ports.cmc,
      flowsPort: c.ports.flows,
      sampleRate: d.sampleRate,
      bitDepth: d.encoding,
      pcmType: PCM_TYPE,
      latencyNs: d.latencyNs,
      fppMax: FPP_MAX,
      fppMin: FPP_MIN,
      boardName: BOARD_NAME,
      manufacturer: BOARD_NAME,
      modelNumber: `_${MODEL_ID}`,
      txChannels: c.txChannelNames.map((ch, i) => ({ factoryName: ch.factory, friendlyName: names.txNames[i] ?? ch.friendly })),
      bundles: this.bundles,
    };
  }

  setBundles(bundles: DanteBundle[]): void {
    this.bundles = bundles.map((b) => ({ ...b, channels: [...b.channels] }));
    this.update();
  }

  private update(): void {
    this.responder.setDevice(this.describe());
  }

  private onConflict(c: MdnsConflict): void {
    this.conflicts.push({ kind: c.kind, from: c.from, to: c.to, ...(c.peer ? { peer: c.peer } : {}), at: new Date().toISOString() });
    if (this.conflicts.length > 20) this.conflicts.shift();
    this.log.warn('name taken by another device on the network; renamed', { kind: c.kind, from: c.from, to: c.to, peer: c.peer });
    if (c.kind !== 'device') return;
    void this.control.commit([{ type: 'rename-device', name: c.to }]).then(
      (r) => r.error && this.log.error('could not adopt the conflict-free name', { name: c.to, error: r.error }),
      (err: Error) => this.log.error('could not save the conflict-free name', { error: err.message }),
    );
  }

  async stop(): Promise<void> {
    await this.responder.stop();
  }
}
