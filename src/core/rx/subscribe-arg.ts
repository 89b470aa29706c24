// `--subscribe N=CHANNEL@DEVICE` (repeatable): routes at start without a controller.
import { ConfigError } from '../errors.js';

export interface SubscribeArg {
  rx: number;
  txChannel: string;
  txDevice: string;
}

export function parseSubscribeArg(raw: string, rxChannels = Infinity): SubscribeArg {
  const m = /^(\d+)=([^@]+)@(.+)$/.exec(raw.trim());
  const rx = m ? Number(m[1]) : NaN;
  if (!m || rx < 1 || rx > rxChannels) throw new ConfigError('subscribe', raw, `N=CHANNEL@DEVICE with N from 1 to ${rxChannels}`);
  return { rx, txChannel: m[2]!, txDevice: m[3]! };
}

export function parseSubscribeList(list: readonly string[], rxChannels = Infinity): SubscribeArg[] {
  return list.map((s) => parseSubscribeArg(s, rxChannels));
}
