// `inferno ctl set DEVICE latency|sample-rate|encoding VALUE` and `identify DEVICE`. Latency goes
// over ARC 0x1101 (§3.9); rate and encoding over conmon with the answer read from 8702 (§4.5).
import { ConfigError } from '../../core/errors.js';
import { ArcRefusedError } from '../../net/arc-client.js';
import { operands, parseEncoding, parseLatency, parseSampleRate } from './args.js';
import type { CtlOptions } from './args.js';
import type { CtlContext, DeviceRef } from './context.js';
import { formatLatency } from './format.js';

const SETTINGS = ['latency', 'sample-rate', 'encoding'] as const;

export class SettingRefusedError extends Error {}

async function setLatency(ctx: CtlContext, d: DeviceRef, raw: string): Promise<number> {
  const ns = parseLatency(raw);
  const before = (await ctx.arc.settings(d)).latency;
  // No client-side range check: real devices report a current latency outside their own
  // 0x8306…0x8302 range (an AVIO-USB: 0.256 ms with minimum 1 ms), so only the device decides.
  try {
    await ctx.arc.setLatency(d, ns);
  } catch (err) {
    if (err instanceof ArcRefusedError && before.minNs !== undefined && before.maxNs !== undefined) {
      throw new SettingRefusedError(`${err.message.replace(/^refused: /, '')}; it reports ${formatLatency(before.minNs)} to ${formatLatency(before.maxNs)}`);
    }
    throw err;
  }
  const after = (await ctx.arc.settings(d)).latency;
  if (ctx.json) ctx.out(JSON.stringify({ device: d.label, setting: 'latency', requestedNs: ns, beforeNs: before.currentNs ?? null, nowNs: after.currentNs ?? null }) + '\n');
  else ctx.out(`latency of ${d.label}: ${formatLatency(after.currentNs)} (was ${formatLatency(before.currentNs)})\n`);
  if (after.currentNs !== undefined && after.currentNs !== ns) {
    throw new SettingRefusedError(`${d.label} accepted latency ${formatLatency(ns)} but reports ${formatLatency(after.currentNs)}`);
  }
  return 0;
}

async function setConmon(ctx: CtlContext, d: DeviceRef, kind: 'sample-rate' | 'encoding', raw: string): Promise<number> {
  const value = kind === 'sample-rate' ? parseSampleRate(raw) : parseEncoding(raw);
  const unit = kind === 'sample-rate' ? 'Hz' : 'bit';
  const target = await ctx.conmonTarget(d);
  const r = await ctx.conmon.setSetting(target, kind, value, ctx.timeoutMs * 2);
  if (ctx.json) ctx.out(JSON.stringify({ device: d.label, setting: kind, requested: value, now: r.status.current, supported: r.status.supported, applied: r.applied }) + '\n');
  if (!r.applied) {
    throw new SettingRefusedError(`${d.label} kept ${kind} ${r.status.current} ${unit} (requested ${value}; device supports ${r.status.supported.join(', ') || 'none listed'})`);
  }
  if (!ctx.json) ctx.out(`${kind} of ${d.label}: ${r.status.current} ${unit}\n`);
  return 0;
}

export async function runSet(ctx: CtlContext, o: CtlOptions): Promise<number> {
  const [raw, setting, value] = operands(o, ['DEVICE', 'latency|sample-rate|encoding', 'VALUE']);
  if (!(SETTINGS as readonly string[]).includes(setting!)) throw new ConfigError('setting', setting, SETTINGS.join(', '));
  // Validate VALUE before any network traffic.
  if (setting === 'latency') parseLatency(value!);
  else if (setting === 'sample-rate') parseSampleRate(value!);
  else parseEncoding(value!);
  const d = await ctx.resolveDevice(raw!);
  if (setting === 'latency') return setLatency(ctx, d, value!);
  return setConmon(ctx, d, setting as 'sample-rate' | 'encoding', value!);
}

export async function runIdentify(ctx: CtlContext, o: CtlOptions): Promise<number> {
  const [raw] = operands(o, ['DEVICE']);
  const d = await ctx.resolveDevice(raw!);
  const target = await ctx.conmonTarget(d);
  // Identify has no answer on any device (§4.5): sending it is all we can confirm.
  await ctx.conmon.identify(target);
  if (ctx.json) ctx.out(JSON.stringify({ device: d.label, ip: target.ip, infoPort: target.infoPort, sent: true }) + '\n');
  else ctx.out(`identify sent to ${d.label} (${target.ip}:${target.infoPort})\n`);
  return 0;
}
