// A small fake Dante device for ctl tests: ARC answered by handleArcRequest over a mutable device
// view that applies renames, subscriptions and latency; CMC by handleCmcRequest; conmon by
// handleConmonRequest (rate/encoding changes applied). Transport-free: the in-memory wiring is
// `attachFakeDevice`, the UDP one is the fake-device-run script.
import { RxStatus, handleArcRequest } from '../../dist/core/arc/index.js';
import type { ArcAction, ArcDeviceView } from '../../dist/core/arc/index.js';
import { handleCmcRequest } from '../../dist/core/cmc/index.js';
import { ConmonSequence, boardInfo, handleConmonRequest } from '../../dist/core/conmon/index.js';
import type { ConmonAction, ConmonDeviceView } from '../../dist/core/conmon/index.js';
import type { DanteMdnsDevice } from '../../dist/core/mdns/index.js';
import { CONMON_GROUP } from '../../dist/net/control-client/index.js';
import type { MemoryUdpNetwork } from '../../dist/net/control-client/index.js';
import { deviceWithChannels } from './arc-device.js';
import { testDevice } from './mdns-device.js';

export interface FakeDeviceConfig {
  name: string;
  ip: string;
  arcPort: number;
  cmcPort: number;
  infoPort: number;
  processId: number;
  channels: number;
  /** Answer every write with this ARC status (e.g. 0x0600 locked). */
  locked?: boolean;
}

/** §1.2 port blocks: the defaults, or ALT_PORT P → ARC P, CMC P+1, info P+3. */
export function fakeConfig(name: string, ip: string, altPort?: number, over: Partial<FakeDeviceConfig> = {}): FakeDeviceConfig {
  const ports = altPort === undefined ? { arcPort: 4440, cmcPort: 8800, infoPort: 8700 } : { arcPort: altPort, cmcPort: altPort + 1, infoPort: altPort + 3 };
  return { name, ip, ...ports, processId: altPort === undefined ? 0 : Math.floor(altPort / 100) % 100, channels: 4, ...over };
}

export class FakeDevice {
  view: ArcDeviceView;
  readonly conmon: ConmonDeviceView;
  readonly deviceIdHex: string;
  /** Called after a change visible in mDNS (device or TX channel rename). */
  onPublish: (() => void) | undefined;

  constructor(readonly config: FakeDeviceConfig) {
    const hex = config.ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('');
    this.deviceIdHex = `0000${hex}${config.processId.toString(16).padStart(4, '0')}`;
    this.view = deviceWithChannels(config.channels, { friendlyName: config.name, factoryName: `Fake-${this.deviceIdHex}`, locked: config.locked ?? false });
    this.conmon = {
      processId: config.processId,
      deviceId: Buffer.from(this.deviceIdHex, 'hex'),
      sequence: new ConmonSequence(),
      boardInfo: boardInfo.defaultBoardInfo('Fake', [1, 0, 0, 0]),
      productInfo: {
        manufacturer: 'Fake', modelId: new Uint8Array(8), softwareVersion: [1, 0, 0, 0], firmwareVersion: [1, 0, 0, 0],
        patchA: 0, patchB: 0, manufacturerName: 'Fake', modelName: 'fake', productVersion: [1, 0, 0, 0],
      },
      sampleRate: 48000,
      supportedSampleRates: [44100, 48000, 96000],
      encoding: 24,
      supportedEncodings: [16, 24, 32],
    };
  }

  mdnsDevice(): DanteMdnsDevice {
    return testDevice({
      name: this.view.friendlyName,
      deviceId: this.deviceIdHex,
      processId: this.config.processId,
      ipv4: this.config.ip,
      arcPort: this.config.arcPort,
      cmcPort: this.config.cmcPort,
      flowsPort: this.config.arcPort + 2,
      sampleRate: this.view.sampleRate,
      bitDepth: this.view.bitDepth,
      txChannels: this.view.txChannels.map((c) => ({ factoryName: c.factoryName, friendlyName: c.friendlyName ?? c.factoryName })),
    });
  }

  arc(packet: Uint8Array): Buffer | undefined {
    const r = handleArcRequest(packet, this.view);
    for (const a of r.actions) this.applyArc(a);
    return r.reply;
  }

  cmc(packet: Uint8Array): Buffer | undefined {
    return handleCmcRequest(packet, { processId: this.config.processId, deviceId: this.conmon.deviceId, ip: this.config.ip, infoPort: this.config.infoPort }).reply;
  }

  /** Conmon answers to multicast to 224.0.0.231:8702. */
  info(packet: Uint8Array): Buffer[] {
    const r = handleConmonRequest(packet, this.conmon);
    for (const a of r.actions) this.applyConmon(a);
    return r.multicast;
  }

  private applyConmon(a: ConmonAction): void {
    if (a.type === 'set-sample-rate') {
      this.conmon.sampleRate = a.sampleRate;
      this.view = { ...this.view, sampleRate: a.sampleRate };
    } else if (a.type === 'set-encoding') {
      this.conmon.encoding = a.bitDepth;
      this.view = { ...this.view, bitDepth: a.bitDepth };
    }
  }

  private applyArc(a: ArcAction): void {
    const v = this.view;
    switch (a.type) {
      case 'rename-device':
        this.view = { ...v, friendlyName: a.name ?? v.factoryName };
        this.onPublish?.();
        return;
      case 'rename-tx-channel':
        this.view = { ...v, txChannels: v.txChannels.map((c) => (c.number === a.channel ? withName(c, a.name) : c)) };
        this.onPublish?.();
        return;
      case 'rename-rx-channel':
        this.view = { ...v, rxChannels: v.rxChannels.map((c) => (c.number === a.channel ? { ...c, name: a.name ?? `RX ${c.number}` } : c)) };
        return;
      case 'subscribe':
        this.view = {
          ...v,
          rxChannels: v.rxChannels.map((c) => (c.number === a.rxChannel
            ? { ...c, subscription: { txChannelName: a.txChannelName, txDeviceName: a.toSelf ? '.' : a.txDeviceName, status: RxStatus.UNRESOLVED } }
            : c)),
        };
        return;
      case 'unsubscribe':
        this.view = { ...v, rxChannels: v.rxChannels.map((c) => (c.number === a.rxChannel ? { number: c.number, name: c.name } : c)) };
        return;
      case 'set-latency':
        this.view = { ...v, latency: { ...v.latency, currentNs: a.latencyNs, secondNs: a.secondLatencyNs } };
        return;
      default:
        return;
    }
  }
}

function withName<T extends { factoryName: string; friendlyName?: string }>(c: T, name: string | undefined): T {
  const { friendlyName: _old, ...rest } = c;
  return (name === undefined ? rest : { ...rest, friendlyName: name }) as T;
}

/** Binds a fake device's three ports on the in-memory network; returns the unbinder. */
export function attachFakeDevice(net: MemoryUdpNetwork, dev: FakeDevice): () => void {
  const { ip, arcPort, cmcPort, infoPort } = dev.config;
  const unbind = [
    net.bind({ address: ip, port: arcPort }, (buf, _from, reply) => {
      const r = dev.arc(buf);
      if (r) reply(r);
    }),
    net.bind({ address: ip, port: cmcPort }, (buf, _from, reply) => {
      const r = dev.cmc(buf);
      if (r) reply(r);
    }),
    net.bind({ address: ip, port: infoPort }, (buf) => {
      for (const m of dev.info(buf)) net.deliver({ address: ip, port: infoPort }, CONMON_GROUP, m);
    }),
  ];
  return () => unbind.forEach((u) => u());
}
