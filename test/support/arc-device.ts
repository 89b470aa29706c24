// A sample ArcDeviceView matching PROTOCOL.md §12's computed vectors (device `dev` on 10.0.0.1).
import type { ArcDeviceView, RxChannelView, TxChannelView } from '../../dist/core/arc/index.js';

export function sampleDevice(over: Partial<ArcDeviceView> = {}): ArcDeviceView {
  const tx: TxChannelView[] = [1, 2].map((n) => ({ number: n, factoryName: `0${n}`, friendlyName: `TX ${n}` }));
  const rx: RxChannelView[] = [1, 2].map((n) => ({ number: n, name: `RX ${n}` }));
  return {
    friendlyName: 'dev',
    factoryName: 'Inf-00000a0000010000',
    boardName: 'Inferno-AoIP',
    protocolId: 0x2729,
    sampleRate: 48000,
    bitDepth: 24,
    txChannels: tx,
    rxChannels: rx,
    txFlows: [],
    rxFlows: [],
    latency: { defaultNs: 1_000_000, currentNs: 10_000_000, secondNs: 10_000_000, minNs: 150_000, maxNs: 40_000_000 },
    deviceRenamable: true,
    txChannelsRenamable: true,
    rxChannelsRenamable: true,
    multicastTx: true,
    maxTxFlows: 32,
    maxRxFlows: 32,
    locked: false,
    ...over,
  };
}

/** `n` TX and RX channels with default names (§9.2). */
export function deviceWithChannels(n: number, over: Partial<ArcDeviceView> = {}): ArcDeviceView {
  const pad = (k: number): string => String(k).padStart(2, '0');
  return sampleDevice({
    txChannels: Array.from({ length: n }, (_, i) => ({ number: i + 1, factoryName: pad(i + 1), friendlyName: `TX ${i + 1}` })),
    rxChannels: Array.from({ length: n }, (_, i) => ({ number: i + 1, name: `RX ${i + 1}` })),
    ...over,
  });
}
