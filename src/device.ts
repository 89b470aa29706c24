// The library's device: `Device.start(options)` runs a full Dante-compatible device (the same
// workers as the `inferno` command) and gives the application its audio: `capture()` yields
// received blocks at now − RX latency, `transmit()` feeds TX channels, `subscribe()` routes RX
// channels like a controller would (stored, visible to controllers).
import { STATE_NAMES, type ClockStateName } from './clock/source.js';
import { EventEmitter } from 'node:events';
import { resolveDeviceConfig } from './config/device-config.js';
import type { DeviceConfig } from './config/device-config.js';
import { ConfigError } from './core/errors.js';
import { samplesFromNs } from './core/media-time.js';
import { earlyGuardSamples } from './core/tx/schedule.js';
import { CLOCK_OVERLAY_SHARED } from './clock/publisher.js';
import { DeviceEngine } from './engine/device.js';
import { RX_CAPTURE_SHARED } from './audio-io/sinks-library.js';
import { configureLogging } from './log.js';
import { renderPrometheus } from './status/metrics.js';
import { startStatusServer } from './status/http.js';
import type { StatusServer } from './status/http.js';
import { CaptureHub, CaptureStream } from './device/capture.js';
import type { CaptureBlock, CaptureOptions, CaptureStats } from './device/capture.js';
import { MediaClock } from './device/media-clock.js';
import { settingsFromOptions } from './device/options.js';
import type { DeviceOptions } from './device/options.js';
import { TX_LEAD_MS, TxPump, TxStream } from './device/transmit.js';
import type { TransmitOptions, TransmitStats, TxSourceInput } from './device/transmit.js';

export type { DeviceOptions } from './device/options.js';
export type { CaptureBlock, CaptureOptions, CaptureStats } from './device/capture.js';
export type { CaptureStream } from './device/capture.js';
export type { TransmitOptions, TransmitStats, TxSourceInput, TxBlock, TxStream } from './device/transmit.js';

/** Capture ring polling and TX pump period: well below any RX/TX latency. */
const PUMP_INTERVAL_MS = 4;
const CLOCK_POLL_MS = 250;

export interface SubscriptionEvent {
  rx: number;
  /** Subscription status word (ARC 0x3000, PROTOCOL.md §3.13); 0 = unsubscribed. */
  status: number;
  txChannel: string;
  txDevice: string;
}

export interface ClockEvent {
  state: ClockStateName;
  /** Leader clock identity (16 hex digits), or null while unknown. */
  leaderId: string | null;
  /** PTP port role when the clock is PTP. */
  portState?: string;
}

export interface OverflowEvent {
  capture: CaptureStream;
  mediaTime: number;
  frames: number;
}


export interface DeviceEvents {
  subscription: [SubscriptionEvent];
  clock: [ClockEvent];
  overflow: [OverflowEvent];
  restarted: [string];
  fatal: [Error];
}

export class Device extends EventEmitter<DeviceEvents> {
  private readonly captures: CaptureHub;
  private readonly tx: TxPump;
  private clock: MediaClock;
  private readonly pumpTimer: NodeJS.Timeout;
  private readonly clockTimer: NodeJS.Timeout;
  private lastClock = '';
  private stopped = false;

  private constructor(
    readonly engine: DeviceEngine,
    private readonly http: StatusServer | undefined,
  ) {
    super();
    const c = engine.config;
    this.captures = new CaptureHub(c.rxChannels);
    this.tx = new TxPump(c.txChannels, samplesFromNs(c.txLatencyNs, c.sampleRate) - earlyGuardSamples(c.sampleRate), Math.ceil((TX_LEAD_MS * c.sampleRate) / 1000));
    this.clock = new MediaClock(engine.shared[CLOCK_OVERLAY_SHARED]!);
    this.bindRings();
    engine.txLevels = () => (this.tx.bound ? this.tx.takeLevels() : new Array<number>(c.txChannels).fill(255));
    engine.on('rx-status', (s: SubscriptionEvent) => this.emit('subscription', s));
    engine.on('fatal', (err: Error) => this.emit('fatal', err));
    engine.on('restarted', (reason: string) => {
      // New workers, new shared buffers: re-attach; open captures and TX streams carry on.
      this.clock = new MediaClock(engine.shared[CLOCK_OVERLAY_SHARED]!);
      this.bindRings();
      this.emit('restarted', reason);
    });
    this.pumpTimer = setInterval(() => this.pump(), PUMP_INTERVAL_MS);
    this.clockTimer = setInterval(() => this.checkClock(), CLOCK_POLL_MS);
  }

  /**
   * Starts a device. `options` are the device settings (see `inferno --help`) keyed in camelCase,
   * e.g. `{ bindIp: 'eth0', name: 'studio-a', rxChannels: 2, txChannels: 2, clock: 'local' }`;
   * an invalid value throws ConfigError. TX channels carry what `transmit()` writes unless a
   * `txSource` is given; received audio goes to `capture()` (so `rxSink` must stay `none`).
   */
  static async start(options: DeviceOptions = {}): Promise<Device> {
    const settings = settingsFromOptions(options);
    if (settings.rxSink !== 'none') throw new ConfigError('rxSink', settings.rxSink, "none (the library's capture() receives the audio)");
    if (options.logLevel !== undefined || options.logFormat !== undefined) configureLogging({ level: settings.logLevel, format: settings.logFormat });
    const config: DeviceConfig = resolveDeviceConfig(settings);
    const engine = await DeviceEngine.start(config, { rxCapture: true });
    let http: StatusServer | undefined;
    if (config.http) {
      try {
        http = await startStatusServer(config.http, { status: () => engine.status(), metrics: () => renderPrometheus(engine.metricSamples()) });
      } catch (err) {
        await engine.stop();
        throw new ConfigError('http', `${config.http.host}:${config.http.port}`, `a free local address and port (${(err as Error).message})`);
      }
    }
    return new Device(engine, http);
  }

  get config(): DeviceConfig {
    return this.engine.config;
  }

  /** The device's media time now (samples since the epoch at its sample rate), NaN without a clock. */
  mediaTime(): number {
    return this.clock.now();
  }

  /** Subscribes RX channel `rx` to `'channel@device'` (saved; controllers see it). */
  async subscribe(rx: number, source: string): Promise<void> {
    await this.engine.supervisor.command('control', 'subscribe', { rx, source });
  }

  async unsubscribe(rx: number): Promise<void> {
    await this.engine.supervisor.command('control', 'unsubscribe', { rx });
  }

  /**
   * Received audio of `channels` (RX channel numbers), in blocks at now − RX latency. Iterate it
   * with for-await; `break` (or `close()`) ends it. A consumer more than `maxBufferedBlocks` behind
   * loses blocks (counted in `stats`, and an 'overflow' event).
   */
  capture(opts: CaptureOptions): CaptureStream {
    this.assertRunning();
    const stream = new CaptureStream(
      opts,
      this.config.rxChannels,
      (s, block) => this.emit('overflow', { capture: s, mediaTime: block.mediaTime, frames: block.frames }),
      (s) => this.captures.remove(s),
    );
    this.captures.add(stream);
    return stream;
  }

  /**
   * Sends `source` on TX channel `channel` (1-based): one block, or an (async) iterable of blocks
   * of signed 32-bit full-scale (Int32Array) or −1…1 (Float32Array) samples. Frame k goes out at
   * media time `stream.stats.startTime + k`; `stream.done` resolves when it has all been written.
   */
  transmit(channel: number, source: TxSourceInput, opts: TransmitOptions = {}): TxStream {
    this.assertRunning();
    const c = this.config;
    if (c.txSource.kind !== 'app') throw new Error(`TX channels carry the '${c.txSource.kind}' source; start the device without txSource to transmit`);
    if (!Number.isInteger(channel) || channel < 1 || channel > c.txChannels) throw new RangeError(`TX channel ${channel} not in 1..${c.txChannels}`);
    if (this.tx.streams.get(channel - 1)?.running) throw new Error(`TX channel ${channel} is already transmitting; stop that stream first`);
    const stream = new TxStream(channel - 1, source, opts, (s) => {
      if (this.tx.streams.get(s.channel) === s) this.tx.streams.delete(s.channel);
    });
    this.tx.streams.set(channel - 1, stream);
    return stream;
  }

  status(): Record<string, unknown> {
    const captures = [...this.captures.streams].map((s) => ({ channels: s.channels, framesPerBlock: s.framesPerBlock, buffered: s.buffered, ...s.stats }));
    const streams = [...this.tx.streams.values()].map((s) => ({ channel: s.channel + 1, ...s.stats }));
    return {
      ...this.engine.status(),
      library: {
        capture: { streams: captures, ringOverrunFrames: this.captures.ringOverrunFrames() },
        transmit: { streams, ...this.tx.counters },
      },
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.pumpTimer);
    clearInterval(this.clockTimer);
    for (const s of [...this.captures.streams]) s.close();
    for (const s of [...this.tx.streams.values()]) s.stop();
    await this.http?.close();
    await this.engine.stop();
  }

  private assertRunning(): void {
    if (this.stopped) throw new Error('device stopped');
  }

  private bindRings(): void {
    const shared = this.engine.shared;
    this.captures.bind(shared[RX_CAPTURE_SHARED]);
    this.tx.bind(this.config.txSource.kind === 'app' ? shared.txRing : undefined);
  }

  private pump(): void {
    this.captures.poll();
    if (this.tx.streams.size) this.tx.tick(this.clock.now());
  }

  private checkClock(): void {
    const o = this.clock.overlay;
    o.refresh();
    const info = this.engine.supervisor.reports().clock?.info ?? {};
    const leader = o.leaderId();
    const ev: ClockEvent = {
      state: STATE_NAMES[o.snapshot.state] ?? 'none',
      leaderId: leader.some((b) => b !== 0) ? Buffer.from(leader).toString('hex') : null,
      ...(typeof info.portState === 'string' ? { portState: info.portState } : {}),
    };
    const key = JSON.stringify(ev);
    if (key === this.lastClock) return;
    this.lastClock = key;
    this.emit('clock', ev);
  }
}
