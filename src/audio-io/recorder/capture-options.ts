// `inferno capture --format/--bits/--split-every` to the recorder's configuration.
import { ConfigError } from '../../core/errors.js';
import { parseSubscribeList } from '../../core/rx/subscribe-arg.js';
import type { RecordFormat } from '../formats/container.js';
import type { TrackInfo } from '../formats/metadata.js';
import { isPcmBits } from '../formats/pcm.js';
import type { RecorderConfig } from './index.js';
import { parseSplit } from './options.js';

interface CaptureDevice {
  name: string;
  rxChannels: number;
  rxLatencyNs: number;
  rxChannelNames: readonly { id: number; friendly: string }[];
  subscribe?: readonly string[];
}

/**
 * Track names at start: the subscribed TX channel's name, else the RX channel's name. (Routes a
 * controller makes later reach the recorder through `tracksFromChannels`; they show from the next
 * file of a split, never in files already started.)
 */
export function trackInfo(d: CaptureDevice): TrackInfo[] {
  const subs = new Map(parseSubscribeList(d.subscribe ?? [], d.rxChannels).map((s) => [s.rx, s]));
  return Array.from({ length: d.rxChannels }, (_, i) => {
    const s = subs.get(i + 1);
    const dev = s && (s.txDevice === '.' ? d.name : s.txDevice);
    return s ? { name: s.txChannel, source: `${s.txChannel}@${dev}` } : { name: d.rxChannelNames[i]?.friendly ?? `RX ${i + 1}` };
  });
}

/** The recorder configuration, or undefined for `--format raw` (the plain s32le sink). */
export function recorderConfig(v: Record<string, unknown>, output: string, isFifo: boolean, d: CaptureDevice): RecorderConfig | undefined {
  const format = (v.format as string | undefined) ?? 'raw';
  if (!['raw', 'wav', 'w64', 'rf64'].includes(format)) throw new ConfigError('format', format, 'raw, wav, w64 or rf64');
  const bits = v.bits === undefined ? (format === 'raw' ? 32 : 24) : Number(v.bits);
  if (format === 'raw') {
    if (bits !== 32) throw new ConfigError('bits', v.bits, '32 with --format raw (s32le)');
    if (v['split-every'] !== undefined) throw new ConfigError('split-every', v['split-every'], 'used with --format wav, w64 or rf64');
    return undefined;
  }
  if (!isPcmBits(bits)) throw new ConfigError('bits', v.bits, '16, 24 or 32');
  // Headers are rewritten in place, which a FIFO cannot do.
  if (isFifo) throw new ConfigError('output', output, `a regular file for --format ${format} (use --format raw for a FIFO)`);
  const split = v['split-every'] === undefined ? undefined : parseSplit(String(v['split-every']));
  return {
    path: output,
    format: format as RecordFormat,
    bits,
    device: d.name,
    tracks: trackInfo(d),
    latencyMs: d.rxLatencyNs / 1e6,
    ...(split ? { split } : {}),
  };
}

/** Track names, control worker → receive worker (relayed by the main thread) once a second. */
export const RX_TRACKS_EVENT = 'rx-tracks';

/** The RX channels as the control state has them (names, subscriptions). */
export interface RxChannelView {
  name: string;
  subscription?: { txChannelName: string; txDeviceName: string };
}

/** Track names for the recorder from the live control state, named as `trackInfo` names them. */
export function tracksFromChannels(channels: readonly RxChannelView[]): TrackInfo[] {
  return channels.map((c) => (c.subscription?.txChannelName
    ? { name: c.subscription.txChannelName, source: `${c.subscription.txChannelName}@${c.subscription.txDeviceName}` }
    : { name: c.name }));
}
