// `--tx-source alsa:PCM`: a capture PCM feeds the TX media ring. The PCM's I/O thread reads the
// card into a native ring; here, every few ms on the transmit worker's event loop (the send loop
// yields once per round), frames are taken from that ring, passed through the rate adapter and
// written into the TX media ring at consecutive media times, kept ahead of now.
// For a card the input side's backlog (native ring + snd_pcm_delay) steers the resampling ratio;
// a PCM without a clock (null, file) is read exactly as fast as media time advances.
import type { ClockOverlayReader } from '../core/clock-overlay.js';
import { MediaRingWriter } from '../core/media-ring.js';
import type { AlsaPcm, NativeTimer } from '../native/types.js';
import { CLOCK_MONOTONIC } from '../native/types.js';
import type { Logger } from '../log.js';
import { createRateAdapter, type RateAdapter } from './alsa-rate.js';
import { alsaPathInfo, alsaRingFrames, logAlsaMessages, type AlsaPathOptions } from './alsa-sink.js';

const POLL_MS = 2;
/** A card's frames are written this far ahead of now (ns): one poll interval late is still in time. */
const LEAD_NS = 4_000_000;
/** A PCM without a clock can be read ahead: as far as the file/FIFO feeder, so a stall of the
 * transmit worker (same thread) up to this long costs no frame. */
const UNCLOCKED_LEAD_NS = 100_000_000;
/** Largest step per poll (frames): after a stall the rest is skipped (a restart), not sent late. */
const MAX_STEP_FRAMES = 8192;

export class AlsaTxFeeder {
  readonly counters = { feederFrames: 0, feederRestarts: 0, feederErrors: 0 };
  error: string | undefined;
  private readonly pcm: AlsaPcm | undefined;
  private readonly adapter: RateAdapter | undefined;
  private readonly writer: MediaRingWriter;
  private readonly ringMap: Int32Array;
  private readonly pcmChannels: number;
  private readonly inBuf: Int32Array;
  private readonly outBuf: Int32Array;
  private inFill = 0;
  private readonly reading = new Float64Array(2);
  private timer: NodeJS.Timeout | undefined;
  private pos = NaN;
  private lastXruns = 0;
  /** Frames dropped or padded by resyncs (PCMs with their own clock only). */
  private resyncFrames = 0;
  /** Backlog on the capture side to hold: two periods, so a read always finds a full period. */
  private readonly targetBacklog: number;
  private closedInfo: Record<string, unknown> | undefined;

  constructor(
    private readonly native: NativeTimer,
    private readonly opts: AlsaPathOptions,
    ring: SharedArrayBuffer,
    private readonly clock: ClockOverlayReader,
    /** Wire time − ring time (TX latency − early guard): frames must be in before now − shift. */
    private readonly shift: number,
    private readonly log: Logger,
  ) {
    this.writer = new MediaRingWriter(ring);
    this.pcmChannels = opts.map.length;
    // PCM channel k feeds TX channel map[k] (ring channel map[k] − 1; −1 = nowhere).
    this.ringMap = Int32Array.from(opts.map, (c) => c - 1);
    this.inBuf = new Int32Array(MAX_STEP_FRAMES * 2 * this.pcmChannels);
    this.outBuf = new Int32Array(MAX_STEP_FRAMES * this.pcmChannels);
    let target = 0;
    try {
      this.pcm = native.alsaOpen({ pcm: opts.pcm, stream: 'capture', rate: opts.rate, channels: this.pcmChannels, periodFrames: opts.periodFrames, bufferFrames: opts.bufferFrames, ringFrames: alsaRingFrames(opts.bufferFrames) });
      const i = this.pcm.info;
      target = 2 * i.periodFrames;
      this.adapter = createRateAdapter(i.clocked, this.pcmChannels, i.rate, target);
      log.info('ALSA capture open', { pcm: i.pcm, format: i.format, rate: i.rate, channels: i.channels, periodFrames: i.periodFrames, bufferFrames: i.bufferFrames, resampling: i.clocked });
    } catch (err) {
      this.error = (err as Error).message;
      log.error('tx source: ALSA capture unavailable (TX channels send silence)', { error: this.error });
    }
    this.targetBacklog = target;
    logAlsaMessages(native, log);
  }

  start(): void {
    if (!this.pcm) return;
    const tick = () => {
      try {
        this.step(this.mediaNow(), this.monotonicNs());
      } catch (err) {
        this.counters.feederErrors++;
        this.log.error('ALSA capture feeder failed', { error: (err as Error).message });
        return;
      }
      this.timer = setTimeout(tick, POLL_MS);
    };
    this.timer = setTimeout(tick, POLL_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    if (this.pcm && !this.closedInfo) {
      this.closedInfo = { ...this.info(), state: 'closed' };
      this.pcm.close();
    }
  }

  private mediaNow(): number {
    if (!this.clock.ready()) return NaN;
    this.native.clockReadInto(this.clock.snapshot.clockId, this.reading, 0);
    return this.clock.mediaTime(this.reading[0]!, this.reading[1]!);
  }

  private monotonicNs(): number {
    this.native.clockReadInto(CLOCK_MONOTONIC, this.reading, 0);
    return this.reading[0]! * 1e9 + this.reading[1]!;
  }

  /** One poll at media time `now` (monotonic `monoNs` for the drift controller); public for tests. */
  step(now: number, monoNs: number): void {
    const pcm = this.pcm!;
    const adapter = this.adapter!;
    if (now !== now) return;
    const pc = this.pcmChannels;
    const lead = Math.round(((adapter.steered ? LEAD_NS : UNCLOCKED_LEAD_NS) / 1e9) * this.opts.rate);
    // Behind what the transmitter already sent (start, or a stall): start again at now.
    if (!(this.pos >= now - this.shift)) {
      if (this.pos === this.pos) this.counters.feederRestarts++;
      this.pos = now;
      if (adapter.steered) this.discardBacklog(pcm);
      adapter.reset();
    }
    const want = Math.min(now + lead - this.pos, MAX_STEP_FRAMES);
    if (want <= 0) return;
    let produced: number;
    if (!adapter.steered) {
      // No clock: read exactly what media time asks for; the I/O thread refills behind us.
      produced = pcm.read(this.outBuf, want);
    } else {
      this.inFill += pcm.read(this.inBuf.subarray(this.inFill * pc), this.inBuf.length / pc - this.inFill);
      const s = pcm.status();
      let backlog = s.ringFill + s.delayFrames + this.inFill;
      if (s.xruns !== this.lastXruns) {
        this.lastXruns = s.xruns;
        adapter.reset(backlog);
      }
      // The backlog jumped (a stall on either side): drop or pad at once instead of carrying it.
      const jump = adapter.resync(backlog);
      if (jump !== 0) {
        backlog += jump > 0 ? -this.dropInput(pcm, jump) : this.padInput(-jump);
        adapter.rebase(backlog);
      }
      const r = adapter.process(this.inBuf, this.inFill, this.outBuf, want, backlog, monoNs);
      if (r.consumed > 0) {
        this.inBuf.copyWithin(0, r.consumed * pc, this.inFill * pc);
        this.inFill -= r.consumed;
      }
      produced = r.produced;
    }
    if (produced > 0) {
      this.writer.writeFrames(this.pos, produced, this.ringMap, this.outBuf, 0);
      this.pos += produced;
      this.counters.feederFrames += produced;
    }
  }

  /** Drops the oldest `frames` of input (local buffer first, then the ring); returns how many. */
  private dropInput(pcm: AlsaPcm, frames: number): number {
    const pc = this.pcmChannels;
    const local = Math.min(frames, this.inFill);
    this.inBuf.copyWithin(0, local * pc, this.inFill * pc);
    this.inFill -= local;
    const done = local + pcm.discard(frames - local);
    this.resyncFrames += done;
    return done;
  }

  /** Puts `frames` of silence before the buffered input (as far as it fits); returns how many. */
  private padInput(frames: number): number {
    const pc = this.pcmChannels;
    const n = Math.min(frames, this.inBuf.length / pc - this.inFill);
    this.inBuf.copyWithin(n * pc, 0, this.inFill * pc);
    this.inBuf.fill(0, 0, n * pc);
    this.inFill += n;
    this.resyncFrames += n;
    return n;
  }

  /** Drops captured frames beyond the backlog to hold, so a (re)start does not add their latency. */
  private discardBacklog(pcm: AlsaPcm): void {
    this.inFill = 0;
    const s = pcm.status();
    const extra = s.ringFill + s.delayFrames - this.targetBacklog;
    if (extra > 0) pcm.discard(extra);
  }

  /** Counters for /metrics: xruns and captured frames lost because they were not taken in time. */
  alsaCounters(): { alsaXruns: number; alsaDroppedFrames: number } {
    if (!this.pcm || this.closedInfo) return { alsaXruns: Number(this.closedInfo?.xruns ?? 0), alsaDroppedFrames: Number(this.closedInfo?.droppedFrames ?? 0) };
    const s = this.pcm.status();
    return { alsaXruns: s.xruns, alsaDroppedFrames: s.droppedFrames };
  }

  info(): Record<string, unknown> {
    if (this.closedInfo) return this.closedInfo;
    if (!this.pcm || !this.adapter) return { pcm: this.opts.pcm, stream: 'capture', error: this.error };
    logAlsaMessages(this.native, this.log);
    return { ...alsaPathInfo(this.pcm.info, this.pcm.status(), this.adapter, this.opts.map), inputFrames: this.inFill, resyncFrames: this.resyncFrames };
  }
}
