// `inferno ctl subscribe` / `unsubscribe` (ARC 0x3010 to the receiving device, §3.8) and the
// channel selector shared with rename-channel.
import { ConfigError } from '../../core/errors.js';
import { operands, parseSubscriptionSource } from './args.js';
import type { CtlOptions } from './args.js';
import type { CtlContext, DeviceRef } from './context.js';
import { rxStatusText } from './format.js';

/** A channel by exact name, then case-insensitive name, then number. */
export function pickChannel<T extends { number: number; name: string }>(channels: T[], raw: string, what: string, device: string): T {
  const hit = channels.find((c) => c.name === raw)
    ?? channels.find((c) => c.name.toLowerCase() === raw.toLowerCase())
    ?? (/^\d+$/.test(raw) ? channels.find((c) => c.number === Number(raw)) : undefined);
  if (hit) return hit;
  const range = channels.length ? `1-${channels.length}` : 'none';
  throw new ConfigError(what, raw, `a channel number (${range}) or name of ${device}: ${channels.map((c) => c.name).join(', ') || 'no channels'}`);
}

async function rxChannels(ctx: CtlContext, d: DeviceRef) {
  const counts = await ctx.arc.channelCounts(d);
  return ctx.arc.readAllRxChannels(d, counts.rxCount);
}

export async function runSubscribe(ctx: CtlContext, o: CtlOptions): Promise<number> {
  const [rxDev, rxCh, source] = operands(o, ['RXDEVICE', 'RXCHANNEL', 'TXCHANNEL@TXDEVICE']);
  const src = parseSubscriptionSource(source!);
  const d = await ctx.resolveDevice(rxDev!, 'RXDEVICE');
  const ch = pickChannel(await rxChannels(ctx, d), rxCh!, 'RXCHANNEL', d.label);
  await ctx.arc.subscribe(d, ch.number, src.channel, src.device);
  // Devices mark the channel before replying (§3.8), so the re-read shows the new state.
  const after = (await rxChannels(ctx, d)).find((c) => c.number === ch.number);
  const status = after ? rxStatusText(after.status, after.txChannelName !== undefined) : 'unknown';
  if (ctx.json) ctx.out(JSON.stringify({ device: d.label, rxChannel: ch.number, rxName: ch.name, txChannel: src.channel, txDevice: src.device, status: after?.status ?? null, statusText: status }) + '\n');
  else ctx.out(`subscribed ${d.label} RX ${ch.number} (${ch.name}) to ${src.channel}@${src.device}: ${status}\n`);
  return 0;
}

export async function runUnsubscribe(ctx: CtlContext, o: CtlOptions): Promise<number> {
  const [rxDev, rxCh] = operands(o, ['RXDEVICE', 'RXCHANNEL']);
  const d = await ctx.resolveDevice(rxDev!, 'RXDEVICE');
  const ch = pickChannel(await rxChannels(ctx, d), rxCh!, 'RXCHANNEL', d.label);
  await ctx.arc.unsubscribe(d, ch.number);
  if (ctx.json) ctx.out(JSON.stringify({ device: d.label, rxChannel: ch.number, rxName: ch.name, unsubscribed: true }) + '\n');
  else ctx.out(`unsubscribed ${d.label} RX ${ch.number} (${ch.name})\n`);
  return 0;
}
