// Views of the TX flow table: the ARC 0x2200 flow list (§3.12), the /status section, and the
// multicast group draw of §5.6.
import type { TxFlowRecord } from '../arc/tx-flows.js';
import type { TxFlow } from './flow-table.js';

/** ARC 0x2200 records; local flow name `<flow id>_<process id>` (§3.12). */
export function txFlowRecords(flows: readonly TxFlow[], sampleRate: number, processId: number): TxFlowRecord[] {
  return flows.map((f) => ({
    id: f.id,
    multicast: f.multicast,
    sampleRate,
    bitDepth: f.bits,
    address: f.address,
    port: f.port,
    channels: [...f.channels],
    localFlowName: `${f.id}_${processId}`,
    ...(f.multicast ? {} : { receiverName: f.receiverName, receiverFlowName: f.receiverFlowName }),
  }));
}

export interface TxFlowStatus {
  id: number;
  type: 'unicast' | 'multicast';
  state: TxFlow['state'];
  destination: string;
  channels: number[];
  fpp: number;
  bits: number;
  receiver?: string;
  /** Seconds until expiry (unicast, active). */
  expiresInSeconds?: number;
}

export function txFlowStatus(flows: readonly TxFlow[], now: number, sampleRate: number): TxFlowStatus[] {
  return flows.map((f) => ({
    id: f.id,
    type: f.multicast ? 'multicast' : 'unicast',
    state: f.state,
    destination: `${f.address}:${f.port}`,
    channels: [...f.channels],
    fpp: f.fpp,
    bits: f.bits,
    ...(f.multicast ? {} : { receiver: `${f.receiverFlowName}@${f.receiverName}` }),
    ...(f.state === 'active' && Number.isFinite(f.expiresAt) ? { expiresInSeconds: Math.max(0, (f.expiresAt - now) / sampleRate) } : {}),
  }));
}

/** §5.6: a random group in 239.255/16 not in `inUse`; 239.255.0.0 and .255.255 are avoided. */
export function drawMulticastGroup(random: () => number, inUse: ReadonlySet<string>): string {
  for (let i = 0; i < 1000; i++) {
    const v = 1 + Math.floor(random() * 0xfffe);
    const g = `239.255.${v >> 8}.${v & 0xff}`;
    if (!inUse.has(g)) return g;
  }
  throw new Error('no free multicast group in 239.255/16');
}
