// `inferno ctl channels DEVICE`: TX channels with friendly names, RX channels with subscriptions.
import type { RxChannelRecord, TxChannelRecord, TxNameRecord } from '../../core/arc/index.js';
import type { ArcClient, ArcTarget } from '../../net/arc-client.js';
import { operands } from './args.js';
import type { CtlOptions } from './args.js';
import type { CtlContext } from './context.js';
import { rxStatusText, table } from './format.js';

export interface TxChannelSummary {
  number: number;
  factoryName: string;
  name: string;
}

export interface RxChannelSummary {
  number: number;
  name: string;
  subscription: { txChannel: string; txDevice: string } | null;
  status: number;
  statusText: string;
}

export interface ChannelListing {
  device: string;
  ip: string;
  arcPort: number;
  sampleRate: number | null;
  tx: TxChannelSummary[];
  rx: RxChannelSummary[];
}

export function summarizeTx(channels: TxChannelRecord[], names: TxNameRecord[]): TxChannelSummary[] {
  // Devices list only renamed channels in 0x2010 (§3.6): the factory name stands otherwise.
  const byNumber = new Map(names.map((n) => [n.number, n.name]));
  return channels.map((c) => ({ number: c.number, factoryName: c.name, name: byNumber.get(c.number) ?? c.name }));
}

export function summarizeRx(channels: RxChannelRecord[]): RxChannelSummary[] {
  return channels.map((c) => {
    const sub = c.txChannelName !== undefined && c.txDeviceName !== undefined ? { txChannel: c.txChannelName, txDevice: c.txDeviceName } : null;
    return { number: c.number, name: c.name, subscription: sub, status: c.status, statusText: rxStatusText(c.status, sub !== null) };
  });
}

export async function readChannels(arc: ArcClient, t: ArcTarget & { label: string }): Promise<ChannelListing> {
  const counts = await arc.channelCounts(t);
  const tx = counts.txCount > 0 ? await arc.readAllTxChannels(t, counts.txCount) : [];
  const names = counts.txCount > 0 ? await arc.readTxChannelNames(t) : [];
  const rx = counts.rxCount > 0 ? await arc.readAllRxChannels(t, counts.rxCount) : [];
  const device = await arc.deviceName(t);
  return {
    device,
    ip: t.ip,
    arcPort: t.port,
    sampleRate: tx[0]?.format.sampleRate ?? rx[0]?.format.sampleRate ?? null,
    tx: summarizeTx(tx, names),
    rx: summarizeRx(rx),
  };
}

export function formatChannels(l: ChannelListing): string {
  const where = (s: RxChannelSummary['subscription']): string => {
    if (!s) return '-';
    // `.` is the device itself (§3.8).
    return `${s.txChannel}@${s.txDevice === '.' ? l.device : s.txDevice}`;
  };
  let out = `${l.device} (${l.ip}:${l.arcPort})${l.sampleRate ? `, ${l.sampleRate} Hz` : ''}\n`;
  out += `TX channels (${l.tx.length}):\n`;
  out += table(l.tx.map((c) => [String(c.number), c.factoryName, c.name === c.factoryName ? '' : c.name]), '  ');
  out += `RX channels (${l.rx.length}):\n`;
  out += table(l.rx.map((c) => [String(c.number), c.name, where(c.subscription), c.statusText]), '  ');
  return out;
}

export async function runChannels(ctx: CtlContext, o: CtlOptions): Promise<number> {
  const [raw] = operands(o, ['DEVICE']);
  const d = await ctx.resolveDevice(raw!);
  const listing = await readChannels(ctx.arc, d);
  ctx.out(ctx.json ? JSON.stringify(listing, null, 2) + '\n' : formatChannels(listing));
  return 0;
}
