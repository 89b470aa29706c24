// `--rx-sink alsa:PCM`: received audio to a sound card (or any ALSA PCM). The delivery hands over
// blocks of all RX channels at media time now − RX latency; here the mapped channels are picked,
// passed through the rate adapter (steered resampling for a PCM with its own clock, unchanged for
// null/file) and copied into the native ring, which the PCM's own I/O thread writes to ALSA.
// Nothing here blocks: a full ring drops the frames that do not fit and counts them.
import type { AlsaPcm, AlsaPcmInfo, AlsaPcmStatus, NativeTimer } from '../native/types.js';
import type { Logger } from '../log.js';
import { createRateAdapter, SteeredRate, type RateAdapter } from './alsa-rate.js';
import type { SinkOutput } from './sinks.js';

export interface AlsaPathOptions {
  pcm: string;
  rate: number;
  /** Per PCM channel: the Dante channel (1-based) or 0 for none. */
  map: readonly number[];
  periodFrames: number;
  bufferFrames: number;
}

/** Ring between JS and the I/O thread: room for a delivery catch-up burst after a stall. */
export const alsaRingFrames = (bufferFrames: number): number => Math.max(16384, 4 * bufferFrames);

/** ALSA's own messages (it would print them on stderr) go to our log, already rate-limited. */
export function logAlsaMessages(native: NativeTimer, log: Logger): void {
  const m = native.alsaTakeMessages();
  for (const text of m.messages) log.warn('ALSA', { message: text });
  if (m.suppressed > 0) log.warn('ALSA messages suppressed', { count: m.suppressed });
}

/** What /status shows of one ALSA path. */
export function alsaPathInfo(info: AlsaPcmInfo, s: AlsaPcmStatus, adapter: RateAdapter, map: readonly number[]) {
  const toNs = (frames: number) => Math.round((frames * 1e9) / info.rate);
  return {
    pcm: info.pcm,
    stream: info.stream,
    map: map.join(','),
    clocked: info.clocked,
    format: info.format,
    rate: info.rate,
    channels: info.channels,
    periodFrames: info.periodFrames,
    bufferFrames: info.bufferFrames,
    delayFrames: s.delayFrames,
    ringFill: s.ringFill,
    xruns: s.xruns,
    transferredFrames: s.transferredFrames,
    droppedFrames: s.droppedFrames,
    /** Frames between the media-clock side and the card's output (input), resampler included.
     * A PCM without a clock has no time of its own to be late against: nothing is added. */
    addedLatencyNs: info.clocked ? toNs(s.ringFill + s.delayFrames + adapter.delayFrames) : 0,
    resampling: adapter.steered ? 'adaptive' : 'off (PCM without its own clock: bit-exact)',
    ratioPpm: Math.round(adapter.ppm * 1000) / 1000,
    /** The fill (ring + snd_pcm_delay) the ratio holds, learned after each start; null while learning. */
    ...(adapter instanceof SteeredRate ? { targetFillFrames: Number.isNaN(adapter.targetFillFrames) ? null : adapter.targetFillFrames } : {}),
    resyncs: adapter.resyncs,
    ...(s.error ? { error: s.error } : {}),
  };
}

export class AlsaSinkOutput implements SinkOutput {
  readonly counters = { blocksWritten: 0, bytesWritten: 0, droppedBlocks: 0, writeErrors: 0 };
  state: 'opening' | 'open' | 'closed' = 'opening';
  /** Media time of the PCM's frame 0 (the first frame written), NaN before. */
  firstFrameMediaTime = NaN;
  error: string | undefined;
  private readonly pcm: AlsaPcm | undefined;
  private readonly adapter: RateAdapter | undefined;
  private readonly block: Int32Array;
  private pcmIn = new Int32Array(0);
  private pcmOut = new Int32Array(0);
  private lastXruns = 0;
  /** Frames dropped or padded by resyncs (PCMs with their own clock only). */
  private resyncFrames = 0;
  private readonly pcmChannels: number;
  private closedInfo: Record<string, unknown> | undefined;

  constructor(
    native: NativeTimer,
    private readonly opts: AlsaPathOptions,
    private readonly rxChannels: number,
    blockSamples: number,
    /** Media time of the first frame of the block being submitted (the delivery's position). */
    private readonly blockTime: () => number,
    /** Monotonic ns, for the drift controller. */
    private readonly nowNs: () => number,
    log: Logger,
  ) {
    this.block = new Int32Array(blockSamples);
    this.pcmChannels = opts.map.length;
    try {
      this.pcm = native.alsaOpen({ pcm: opts.pcm, stream: 'playback', rate: opts.rate, channels: this.pcmChannels, periodFrames: opts.periodFrames, bufferFrames: opts.bufferFrames, ringFrames: alsaRingFrames(opts.bufferFrames) });
      const i = this.pcm.info;
      // Playback starts when the PCM's buffer is full: the fill to hold is one buffer.
      this.adapter = createRateAdapter(i.clocked, this.pcmChannels, i.rate, i.bufferFrames);
      this.state = 'open';
      log.info('ALSA playback open', { pcm: i.pcm, format: i.format, rate: i.rate, channels: i.channels, periodFrames: i.periodFrames, bufferFrames: i.bufferFrames, resampling: i.clocked });
    } catch (err) {
      this.error = (err as Error).message;
      this.state = 'closed';
      log.error('rx sink: ALSA playback unavailable', { error: this.error });
    }
    logAlsaMessages(native, log);
  }

  acquire(): Int32Array | undefined {
    return this.state === 'open' ? this.block : undefined;
  }

  submit(block: Int32Array, samples: number): void {
    const pcm = this.pcm!;
    const adapter = this.adapter!;
    const frames = samples / this.rxChannels;
    const pc = this.pcmChannels;
    if (this.pcmIn.length < frames * pc) {
      this.pcmIn = new Int32Array(frames * pc);
      // Room for the largest ratio (+0.1 %) and the resampler's rounding.
      this.pcmOut = new Int32Array((Math.ceil(frames * 1.002) + 16) * pc);
    }
    const map = this.opts.map;
    const rx = this.rxChannels;
    const inp = this.pcmIn;
    for (let k = 0; k < pc; k++) {
      const c = map[k]! - 1;
      if (c < 0) for (let i = 0, o = k; i < frames; i++, o += pc) inp[o] = 0;
      else for (let i = 0, o = k, s = c; i < frames; i++, o += pc, s += rx) inp[o] = block[s]!;
    }
    let fill = 0;
    let skip = 0;
    if (adapter.steered) {
      const s = pcm.status();
      if (s.xruns !== this.lastXruns) {
        // After an xrun the card starts again from an empty buffer: steer from there afresh.
        this.lastXruns = s.xruns;
        adapter.reset(s.ringFill + s.delayFrames);
      }
      fill = s.ringFill + s.delayFrames;
      // The fill jumped (the card stalled while media time went on): drop the excess, or pad with
      // silence, rather than carry it as latency or run dry for minutes.
      const jump = adapter.resync(fill);
      if (jump > 0) {
        // The oldest frames not yet given to ALSA go first, then (if the excess sits in the card's
        // own buffer) as much of this block.
        const dropped = pcm.discard(jump);
        skip = Math.min(jump - dropped, frames);
        this.resyncFrames += dropped + skip;
        fill -= dropped + skip;
        adapter.rebase(fill);
      } else if (jump < 0) {
        const pad = this.pad(-jump);
        this.resyncFrames += pad;
        fill += pad;
        adapter.rebase(fill);
      }
    }
    const r = adapter.process(skip ? inp.subarray(skip * pc) : inp, frames - skip, this.pcmOut, this.pcmOut.length / pc, fill, this.nowNs());
    const taken = pcm.write(this.pcmOut, r.produced);
    if (taken < r.produced) this.counters.droppedBlocks++;
    if (taken > 0 && Number.isNaN(this.firstFrameMediaTime)) this.firstFrameMediaTime = this.blockTime();
    this.counters.blocksWritten++;
    this.counters.bytesWritten += taken * pc * 4;
  }

  /** Counters for /metrics: xruns and frames lost on the way to the card. */
  alsaCounters(): { alsaXruns: number; alsaDroppedFrames: number } {
    if (!this.pcm || this.closedInfo) return { alsaXruns: Number(this.closedInfo?.xruns ?? 0), alsaDroppedFrames: Number(this.closedInfo?.droppedFrames ?? 0) };
    const s = this.pcm.status();
    return { alsaXruns: s.xruns, alsaDroppedFrames: s.droppedFrames };
  }

  /** Writes up to `frames` of silence ahead of the next block; returns the frames taken. */
  private pad(frames: number): number {
    const pc = this.pcmChannels;
    let done = 0;
    while (done < frames) {
      const n = Math.min(frames - done, this.pcmOut.length / pc);
      this.pcmOut.fill(0, 0, n * pc);
      const taken = this.pcm!.write(this.pcmOut, n);
      done += taken;
      if (taken < n) break;
    }
    return done;
  }

  info(): Record<string, unknown> {
    if (this.closedInfo) return this.closedInfo;
    if (!this.pcm || !this.adapter) return { pcm: this.opts.pcm, stream: 'playback', error: this.error };
    return { ...alsaPathInfo(this.pcm.info, this.pcm.status(), this.adapter, this.opts.map), resyncFrames: this.resyncFrames, firstFrameMediaTime: this.firstFrameMediaTime };
  }

  async close(): Promise<void> {
    if (this.closedInfo || !this.pcm) {
      this.state = 'closed';
      return;
    }
    this.closedInfo = { ...this.info(), state: 'closed' };
    this.state = 'closed';
    // A PCM without a clock is written out at once; a card is stopped (draining could wait on it).
    this.pcm?.close(this.pcm.info.clocked === false);
  }
}
