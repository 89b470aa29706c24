// `inferno ctl rename` (ARC 0x1001, §3.11) and `rename-channel` (0x2013 TX / 0x3001 RX, §3.10).
import { ConfigError } from '../../core/errors.js';
import { operands, parseDeviceName, parseName } from './args.js';
import type { CtlOptions } from './args.js';
import type { CtlContext } from './context.js';
import { summarizeTx } from './channels.js';
import { pickChannel } from './routing.js';

export async function runRename(ctx: CtlContext, o: CtlOptions): Promise<number> {
  const [raw, newName] = operands(o, ['DEVICE', 'NEWNAME']);
  const name = parseDeviceName(newName!);
  const d = await ctx.resolveDevice(raw!);
  const before = await ctx.arc.deviceName(d);
  await ctx.arc.renameDevice(d, name);
  const after = await ctx.arc.deviceName(d);
  if (ctx.json) ctx.out(JSON.stringify({ ip: d.ip, arcPort: d.port, from: before, to: after }) + '\n');
  else ctx.out(`renamed ${before} to ${after} (${d.ip}:${d.port})\n`);
  return after === name ? 0 : 1;
}

export async function runRenameChannel(ctx: CtlContext, o: CtlOptions): Promise<number> {
  const [raw, dir, ref, newName] = operands(o, ['DEVICE', 'rx|tx', 'N', 'NAME']);
  if (dir !== 'rx' && dir !== 'tx') throw new ConfigError('direction', dir, 'rx, tx');
  const name = parseName(newName!, 'NAME');
  const d = await ctx.resolveDevice(raw!);
  const counts = await ctx.arc.channelCounts(d);
  const read = async () => dir === 'tx'
    ? summarizeTx(await ctx.arc.readAllTxChannels(d, counts.txCount), await ctx.arc.readTxChannelNames(d))
    : (await ctx.arc.readAllRxChannels(d, counts.rxCount)).map((c) => ({ number: c.number, name: c.name }));
  const ch = pickChannel(await read(), ref!, 'N', d.label);
  if (dir === 'tx') await ctx.arc.renameTxChannel(d, ch.number, name);
  else await ctx.arc.renameRxChannel(d, ch.number, name);
  const now = (await read()).find((c) => c.number === ch.number)?.name ?? '?';
  const label = `${dir.toUpperCase()} ${ch.number}`;
  if (ctx.json) ctx.out(JSON.stringify({ device: d.label, direction: dir, channel: ch.number, from: ch.name, to: now }) + '\n');
  else ctx.out(`renamed ${d.label} ${label} from ${ch.name} to ${now}\n`);
  if (now !== name) {
    ctx.deps.stderr(`inferno ctl: ${d.label} accepted the rename but still reports ${label} as ${JSON.stringify(now)}\n`);
    return 1;
  }
  return 0;
}
