// `inferno ctl list`: every device on the network with its identity, channel counts and rate.
import { txtMap } from '../../core/mdns/txt.js';
import type { DanteDeviceListing } from '../../net/mdns/index.js';
import type { ArcTarget } from '../../net/arc-client.js';
import type { CtlContext } from './context.js';
import { table } from './format.js';

export interface DeviceSummary {
  name: string;
  ip: string | null;
  arcPort: number | null;
  cmcPort: number | null;
  deviceId: string | null;
  processId: number | null;
  /** ARC TXT `model` (§2.2). */
  model: string | null;
  boardName: string | null;
  factoryName: string | null;
  txChannels: number | null;
  rxChannels: number | null;
  sampleRate: number | null;
  /** Why the ARC queries failed, when they did. */
  error?: string;
}

async function summarize(ctx: CtlContext, d: DanteDeviceListing): Promise<DeviceSummary> {
  const arcTxt = d.arc ? txtMap(d.arc.txt) : new Map<string, string | null>();
  const s: DeviceSummary = {
    name: d.name,
    ip: d.ip ?? null,
    arcPort: d.arcPort ?? null,
    cmcPort: d.cmcPort ?? null,
    deviceId: d.deviceId ?? null,
    processId: d.processId ?? null,
    model: arcTxt.get('model') ?? null,
    boardName: null,
    factoryName: null,
    txChannels: null,
    rxChannels: null,
    sampleRate: null,
  };
  if (!d.ip || !d.arcPort) {
    s.error = 'no ARC address advertised';
    return s;
  }
  const t: ArcTarget = { ip: d.ip, port: d.arcPort, label: d.name };
  try {
    const [name, counts, info] = await Promise.all([ctx.arc.deviceName(t), ctx.arc.channelCounts(t), ctx.arc.deviceInfo(t)]);
    s.name = name;
    s.txChannels = counts.txCount;
    s.rxChannels = counts.rxCount;
    s.boardName = info.boardName;
    s.factoryName = info.factoryName;
    s.sampleRate = await sampleRate(ctx, t, counts.txCount, counts.rxCount);
  } catch (err) {
    s.error = (err as Error).message;
  }
  return s;
}

/** The rate in the format descriptor of the first channel page: the value CHAN TXT `rate` carries. */
async function sampleRate(ctx: CtlContext, t: ArcTarget, tx: number, rx: number): Promise<number | null> {
  if (tx > 0) {
    const [first] = await ctx.arc.readAllTxChannels(t, 1);
    return first?.format.sampleRate ?? null;
  }
  if (rx > 0) {
    const [first] = await ctx.arc.readAllRxChannels(t, 1);
    return first?.format.sampleRate ?? null;
  }
  return null;
}

const dash = (v: string | number | null | undefined): string => (v === null || v === undefined ? '-' : String(v));

export async function runList(ctx: CtlContext): Promise<number> {
  const found = await ctx.listDevices();
  const rows = await Promise.all(found.map((d) => summarize(ctx, d)));
  if (ctx.json) {
    ctx.out(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  if (rows.length === 0) {
    ctx.out(`no Dante devices found on ${ctx.iface.ifname} (${ctx.iface.ip})\n`);
    return 0;
  }
  const header = ['NAME', 'IP', 'ARC', 'DEVICE ID', 'MODEL', 'TX', 'RX', 'RATE'];
  const body = rows.map((r) => [
    r.name, dash(r.ip), dash(r.arcPort), dash(r.deviceId), dash(r.model ?? r.boardName),
    dash(r.txChannels), dash(r.rxChannels), r.error ? `(${r.error})` : dash(r.sampleRate),
  ]);
  ctx.out(table([header, ...body]));
  return 0;
}
