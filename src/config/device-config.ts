// The resolved, immutable configuration a device runs with: settings plus everything derived
// from the bound interface (device id, default names, ports).
import type { Settings } from './schema.js';
import { defaultDeviceId, ipToHex, resolveBindInterface } from './network.js';
import type { BoundInterface } from './network.js';
import { checkAlsaMap } from '../audio-io/alsa-config.js';
import { ConfigError } from '../core/errors.js';

export const APP_NAME = 'inferno';
export const DEFAULT_PORTS = { arc: 4440, cmc: 8800, flows: 4455, info: 8700 } as const;

export interface DevicePorts {
  arc: number;
  cmc: number;
  flows: number;
  info: number;
}

export interface ChannelName {
  /** 1-based channel number. */
  id: number;
  factory: string;
  friendly: string;
}

export interface DeviceConfig extends Settings {
  iface: BoundInterface;
  ip: string;
  deviceId: string;
  name: string;
  factoryName: string;
  ports: DevicePorts;
  rxChannelNames: ChannelName[];
  txChannelNames: ChannelName[];
}

/** Factory names `kk`, friendly `RX k` / `TX k` (PROTOCOL.md §9.2). */
export function defaultChannelNames(count: number, prefix: 'RX' | 'TX'): ChannelName[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    factory: String(i + 1).padStart(2, '0'),
    friendly: `${prefix} ${i + 1}`,
  }));
}

export function portsFor(altPort: number | undefined): DevicePorts {
  if (altPort === undefined) return { ...DEFAULT_PORTS };
  return { arc: altPort, cmc: altPort + 1, flows: altPort + 2, info: altPort + 3 };
}

export function resolveDeviceConfig(settings: Settings, iface?: BoundInterface): DeviceConfig {
  checkAlsaSettings(settings);
  const bound = iface ?? resolveBindInterface(settings.bindIp);
  const deviceId = settings.deviceId ?? defaultDeviceId(bound.ip, settings.processId);
  const suffix = settings.processId ? `-${settings.processId}` : '';
  return {
    ...settings,
    iface: bound,
    ip: bound.ip,
    deviceId,
    name: settings.name ?? `${APP_NAME}-${ipToHex(bound.ip)}${suffix}`,
    factoryName: `${APP_NAME}-${deviceId}`,
    ports: portsFor(settings.altPort),
    rxChannelNames: defaultChannelNames(settings.rxChannels, 'RX'),
    txChannelNames: defaultChannelNames(settings.txChannels, 'TX'),
  };
}

/** Cross-checks the ALSA settings against the channel counts (each is valid on its own). */
function checkAlsaSettings(s: Settings): void {
  if (s.alsaMap) checkAlsaMap('alsa-map', s.alsaMap, s.rxChannels, 'RX');
  if (s.alsaTxMap) checkAlsaMap('alsa-tx-map', s.alsaTxMap, s.txChannels, 'TX');
  if (s.alsaBufferFrames < 2 * s.alsaPeriodFrames) {
    throw new ConfigError('alsa-buffer-frames', s.alsaBufferFrames, `at least two periods (2 × --alsa-period-frames = ${2 * s.alsaPeriodFrames})`);
  }
}
