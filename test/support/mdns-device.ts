// A Dante device description for mDNS tests: Inferno's defaults on `ip` (PROTOCOL.md §9.1).
import type { DanteMdnsDevice } from '../../dist/core/mdns/index.js';

export function testDevice(over: Partial<DanteMdnsDevice> = {}): DanteMdnsDevice {
  const ip = over.ipv4 ?? '10.0.0.1';
  const hex = ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('');
  return {
    name: `Inferno2pipe ${hex}`,
    deviceId: `0000${hex}0000`,
    processId: 0,
    ipv4: ip,
    arcPort: 4440,
    cmcPort: 8800,
    flowsPort: 4455,
    sampleRate: 48000,
    bitDepth: 24,
    pcmType: 0x0e,
    latencyNs: 10_000_000,
    fppMax: 32,
    fppMin: 2,
    boardName: 'Inferno-AoIP',
    manufacturer: 'Inferno-AoIP',
    modelNumber: '_000000000000000b',
    txChannels: [
      { factoryName: '01', friendlyName: 'TX 1' },
      { factoryName: '02', friendlyName: 'TX 2' },
    ],
    bundles: [],
    ...over,
  };
}

/** `count` TX channels with factory `kk` and friendly `TX k` names (§9.2). */
export function txChannels(count: number): DanteMdnsDevice['txChannels'] {
  return Array.from({ length: count }, (_, i) => ({
    factoryName: String(i + 1).padStart(2, '0'),
    friendlyName: `TX ${i + 1}`,
  }));
}
