// A running device: the workers, the shared buffers they use, and the status view. The main
// thread owns configuration and lifecycle; everything time-critical runs in workers.
import { EventEmitter } from 'node:events';
import { createClockOverlayBuffer } from '../core/clock-overlay.js';
import { createMediaRing } from '../core/media-ring.js';
import { nativeStatus } from '../native/index.js';
import { createRxRings } from '../net/rx/rings.js';
import { relayRxRequests } from '../net/rx/relay.js';
import type { DeviceConfig } from '../config/device-config.js';
import { getLogger, logSettings } from '../log.js';
import { CLOCK_OVERLAY_SHARED } from '../clock/publisher.js';
import { metricName } from '../status/metrics.js';
import type { MetricSample } from '../status/metrics.js';
import { WORKER_NAMES } from './protocol.js';
import type { WorkerName } from './protocol.js';
import { Supervisor } from './supervisor.js';
import { everyReportSlot } from '../workers/report-slots.js';
import { configWithSavedState, stateStoreFor } from '../state/device-defaults.js';
import { summarizeCounters } from '../net/control/counters.js';
import { RX_CAPTURE_CAPACITY, RX_CAPTURE_SHARED } from '../audio-io/sinks-library.js';
import type { MediaReport } from '../net/control/device-control.js';
import { levelByte } from '../audio-io/sinks-delivery.js';
import { HEARTBEAT_RX_FLOW_SLOTS } from '../core/conmon/index.js';

/** The clock role and the audio workers' figures go on to the heartbeat once a second, this long
 *  after the workers' reports (which share their slots), so they are fresh and one wake-up apart. */
const MEDIA_FORWARD_OFFSET_MS = 100;
/** Unchanged figures are sent again after this long: every other slot, within MEDIA_REPORT_MAX_AGE_MS (3 s). */
const MEDIA_RESEND_MS = 1500;

export { VERSION } from './version.js';
import { VERSION } from './version.js';

export interface DeviceEngineOptions {
  /** Test hook: make one worker throw shortly after it starts. */
  crash?: { worker: WorkerName; afterMs: number; times?: number };
  /** Library capture: the receive worker hands received audio to a shared ring (`shared.rxCapture`). */
  rxCapture?: boolean;
}

interface Running {
  config: DeviceConfig;
  supervisor: Supervisor;
  shared: Record<string, SharedArrayBuffer>;
}

export class DeviceEngine extends EventEmitter {
  readonly startedAt = Date.now();
  private readonly log = getLogger('device');
  private restarting: Promise<void> | undefined;
  private readonly stopMediaForward: () => void;
  /** What the control worker was last given by forwardMediaStatus (with its thread id). */
  private mediaSent: { key: string; at: number } | undefined;
  /** TX peak meters (level bytes, one per TX channel) when the application feeds the TX ring. */
  txLevels: (() => number[]) | undefined;
  /** In-process restarts (reboot from a controller, sample rate or encoding change). */
  restarts = 0;

  private constructor(
    /** The configuration as given; the saved state is laid over it at every (re)start. */
    readonly baseConfig: DeviceConfig,
    private current: Running,
    private readonly opts: DeviceEngineOptions,
  ) {
    super();
    this.watch(current.supervisor);
    this.stopMediaForward = everyReportSlot(() => this.forwardMediaStatus(), { offsetMs: MEDIA_FORWARD_OFFSET_MS, unref: true });
  }

  /** The configuration the workers run with (saved controller changes applied). */
  get config(): DeviceConfig {
    return this.current.config;
  }

  get supervisor(): Supervisor {
    return this.current.supervisor;
  }

  /** The buffers shared with the workers (new ones after every in-process restart). */
  get shared(): Readonly<Record<string, SharedArrayBuffer>> {
    return this.current.shared;
  }

  static async start(config: DeviceConfig, opts: DeviceEngineOptions = {}): Promise<DeviceEngine> {
    nativeStatus(); // decides (and logs once) whether the native helper or the JS fallback runs
    const current = await DeviceEngine.launch(config, opts);
    const device = new DeviceEngine(config, current, opts);
    device.log.info('device started', { name: current.config.name, ip: config.ip, deviceId: config.deviceId });
    return device;
  }

  private static async launch(base: DeviceConfig, opts: DeviceEngineOptions): Promise<Running> {
    // Read-only: the control worker owns the file and moves a corrupt one aside itself.
    const saved = stateStoreFor(base).load(true);
    const config = configWithSavedState(base, saved.data);
    // The clock worker publishes the media-clock overlay here; every other worker reads it.
    const shared: Record<string, SharedArrayBuffer> = { [CLOCK_OVERLAY_SHARED]: createClockOverlayBuffer(), ...createRxRings(config) };
    // TX ring: the application (or the transmit worker's feeder) writes, the transmit worker reads.
    if (config.txChannels > 0) shared.txRing = createMediaRing({ channels: config.txChannels, capacity: 65536 });
    if (opts.rxCapture && config.rxChannels > 0) shared[RX_CAPTURE_SHARED] = createMediaRing({ channels: config.rxChannels, capacity: RX_CAPTURE_CAPACITY });
    const supervisor = new Supervisor({
      workers: WORKER_NAMES.map((name) => ({
        name,
        config,
        log: logSettings(),
        shared,
        ...(opts.crash?.worker === name ? { crashAfterStartMs: opts.crash.afterMs, crashTimes: opts.crash.times } : {}),
      })),
    });
    relayRxRequests(supervisor);
    try {
      await supervisor.start();
    } catch (err) {
      await supervisor.stop(500);
      throw err;
    }
    relayTxEvents(supervisor);
    return { config, supervisor, shared };
  }

  private watch(supervisor: Supervisor): void {
    supervisor.on('fatal', (err: Error) => this.emit('fatal', err));
    supervisor.on('worker-event', (worker: string, name: string, data: unknown) => {
      if (worker !== 'control') return;
      if (name === 'restart-requested') {
        const reason = (data as { reason?: string } | undefined)?.reason ?? 'unknown';
        void this.restart(reason);
      } else if (name === 'names-changed' || name === 'identify' || name === 'rx-status') {
        this.emit(name, data);
      }
    });
  }

  /**
   * Stops every worker and starts them again with the saved state, in this process (a
   * controller's reboot, or a sample rate or encoding change). Concurrent requests share one.
   */
  restart(reason: string): Promise<void> {
    if (this.restarting) return this.restarting;
    this.restarting = (async () => {
      this.log.info('restarting device engine', { reason });
      await this.current.supervisor.stop();
      try {
        this.current = await DeviceEngine.launch(this.baseConfig, this.opts);
      } catch (err) {
        this.log.error('device engine restart failed', { error: (err as Error).message });
        this.emit('fatal', err as Error);
        return;
      }
      this.restarts++;
      this.watch(this.current.supervisor);
      this.log.info('device engine restarted', { reason, sampleRate: this.current.config.sampleRate });
      this.emit('restarted', reason);
    })().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  /**
   * Gives the control worker what only other workers know: the clock worker's PTP role and the
   * receive worker's peaks and per-flow latency (heartbeat 0x8002/0x8003). The clock rate itself
   * the control worker reads from the shared overlay.
   */
  private forwardMediaStatus(): void {
    const control = this.supervisor.health().control;
    if (control?.state !== 'running') return;
    const reports = this.supervisor.reports();
    const portState = reports.clock?.info.portState;
    const role = portState === 'leader' ? 'leader' : portState === 'follower' ? 'follower' : undefined;
    const media = mediaReport(this.config, reports.receive?.info ?? {}, this.txLevels?.());
    const args = { ...(role ? { role } : {}), media };
    // Unchanged figures (an idle device's) go every other second rather than every second: the
    // round trip wakes two threads, and the control worker keeps them for MEDIA_REPORT_MAX_AGE_MS.
    // A new control worker (other thread id) gets them at once.
    const key = `${control.threadId ?? ''} ${JSON.stringify(args)}`;
    const now = Date.now();
    if (key === this.mediaSent?.key && now - this.mediaSent.at < MEDIA_RESEND_MS) return;
    const sent = { key, at: now };
    this.mediaSent = sent;
    this.supervisor.command('control', 'set-media-status', args).catch(() => {
      if (this.mediaSent === sent) this.mediaSent = undefined;
    });
  }

  status(): Record<string, unknown> {
    const c = this.config;
    const reports = this.supervisor.reports();
    const control = reports.control;
    const controlInfo = control?.info ?? {};
    return {
      device: {
        name: typeof controlInfo.name === 'string' ? controlInfo.name : c.name,
        factoryName: c.factoryName,
        deviceId: c.deviceId,
        processId: c.processId,
        version: VERSION,
        uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
        engineRestarts: this.restarts,
      },
      network: { interface: c.iface.ifname, ip: c.ip, mac: c.iface.mac, ports: c.ports },
      audio: {
        sampleRate: c.sampleRate,
        rxChannels: c.rxChannels,
        txChannels: c.txChannels,
        rxLatencyNs: c.rxLatencyNs,
        txLatencyNs: c.txLatencyNs,
        rxChannelNames: c.rxChannelNames,
        txChannelNames: c.txChannelNames,
      },
      clock: { source: c.clock.source, ...(c.clock.path ? { path: c.clock.path } : {}), ...(reports.clock?.info ?? {}) },
      native: nativeStatus(),
      control: { ...controlInfo, servers: summarizeCounters(control?.counters ?? {}) },
      transmit: { ...(reports.control?.info.transmitter ?? {}), ...(reports.transmit?.info ?? {}) },
      // `flows` is the subscription engine's view (control worker); the receive worker's per-socket
      // counters (packets, source, loss) stay visible as `flowSockets`.
      receive: { ...(reports.receive?.info ?? {}), ...((reports.control?.info.rx as object | undefined) ?? {}), flowSockets: reports.receive?.info.flows ?? [] },
      workers: this.supervisor.health(),
      counters: Object.fromEntries(Object.entries(reports).map(([w, r]) => [w, r.counters])),
    };
  }

  metricSamples(): MetricSample[] {
    const samples: MetricSample[] = [
      { name: 'inferno_up', help: 'The device is running.', type: 'gauge', value: 1, labels: { device: this.config.name } },
      { name: 'inferno_uptime_seconds', help: 'Seconds since the device started.', type: 'gauge', value: (Date.now() - this.startedAt) / 1000 },
      { name: 'inferno_sample_rate_hz', help: 'Device sample rate.', type: 'gauge', value: this.config.sampleRate },
      { name: 'inferno_channels', help: 'Channel count by direction.', type: 'gauge', value: this.config.rxChannels, labels: { direction: 'rx' } },
      { name: 'inferno_channels', help: 'Channel count by direction.', type: 'gauge', value: this.config.txChannels, labels: { direction: 'tx' } },
    ];
    for (const [name, h] of Object.entries(this.supervisor.health())) {
      samples.push({ name: 'inferno_worker_running', help: 'Whether the worker is running.', type: 'gauge', value: h.state === 'running' ? 1 : 0, labels: { worker: name } });
      samples.push({ name: 'inferno_worker_restarts_total', help: 'Worker restarts after a crash.', type: 'counter', value: h.restarts, labels: { worker: name } });
    }
    samples.push(...clockMetricSamples(this.supervisor.reports().clock?.info ?? {}));
    for (const [worker, r] of Object.entries(this.supervisor.reports())) {
      for (const [k, v] of Object.entries(r.counters)) {
        samples.push({ name: metricName('inferno', worker, k, 'total'), help: `Counter ${k} of the ${worker} worker.`, type: 'counter', value: v });
      }
    }
    return samples;
  }

  async stop(): Promise<void> {
    this.stopMediaForward();
    await this.restarting;
    await this.supervisor.stop();
    this.log.info('device stopped');
  }
}

/** Flow set (control → transmit), keepalives (transmit → control) and the recorder's track names
 * (control → receive): these events become commands with id −1, which the workers do not answer. */
function relayTxEvents(supervisor: Supervisor): void {
  supervisor.on('worker-event', (from: WorkerName, name: string, data: unknown) => {
    const to: WorkerName | undefined = name === 'tx-flows' && from === 'control' ? 'transmit'
      : name === 'tx-keepalive' && from === 'transmit' ? 'control'
      : name === 'rx-tracks' && from === 'control' ? 'receive' : undefined;
    if (!to) return;
    try {
      supervisor.send(to, { type: 'command', id: -1, name, args: data });
    } catch {
      // Worker restarting: the control worker re-sends the flow set every second.
    }
  });
}

/**
 * Heartbeat figures from the receive worker's report: RX peaks as level bytes (TX peaks only when
 * the application feeds the TX ring; synthetic sources report none and show as silence), and the
 * largest packet age per RX flow, in the flow-id slot (ids start at 1) while any flow is open.
 */
export function mediaReport(config: { rxChannels: number; txChannels: number; sampleRate: number }, receive: Record<string, unknown>, txLevels?: number[]): MediaReport {
  const peaks = Array.isArray(receive.peakDbfs) ? (receive.peakDbfs as (number | null)[]) : undefined;
  const flows = Array.isArray(receive.flows) ? (receive.flows as { id: number; maxAgeSamples: number }[]) : [];
  const out: MediaReport = {};
  if (peaks) {
    const rx = Array.from({ length: config.rxChannels }, (_, i) => levelByte(peaks[i] ?? -Infinity));
    const tx = Array.from({ length: config.txChannels }, (_, i) => txLevels?.[i] ?? 255);
    out.levels = { tx, rx };
  }
  if (flows.length) {
    const slots = new Array<number>(HEARTBEAT_RX_FLOW_SLOTS).fill(0);
    for (const f of flows) {
      if (f.id >= 1 && f.id <= HEARTBEAT_RX_FLOW_SLOTS && Number.isFinite(f.maxAgeSamples)) slots[f.id - 1] = Math.max(0, Math.round(f.maxAgeSamples));
    }
    out.receiveLatency = { sampleRate: config.sampleRate, maxLatencySamples: slots };
  }
  return out;
}

const CLOCK_STATES = ['none', 'free-running', 'locked', 'holdover'] as const;

/** Gauges from the clock worker's status (see ClockStatus in src/clock/source.ts). */
function clockMetricSamples(info: Record<string, unknown>): MetricSample[] {
  const num = (k: string): number | undefined => (typeof info[k] === 'number' ? (info[k] as number) : undefined);
  const out: MetricSample[] = CLOCK_STATES.map((s) => ({
    name: 'inferno_clock_state', help: 'Media clock state (1 for the current one).', type: 'gauge' as const, value: info.state === s ? 1 : 0, labels: { state: s },
  }));
  const gauges: [string, string, string][] = [
    ['offsetNs', 'inferno_clock_offset_ns', 'Last measured offset from the PTP leader, ns.'],
    ['meanPathDelayNs', 'inferno_clock_mean_path_delay_ns', 'PTP mean path delay to the leader, ns.'],
    ['freqPpb', 'inferno_clock_frequency_ppb', 'Rate of the media clock against CLOCK_TAI, ppb.'],
    ['stepGeneration', 'inferno_clock_steps', 'Clock steps since start (audio re-aligns on each).'],
  ];
  for (const [k, name, help] of gauges) {
    const v = num(k);
    if (v !== undefined) out.push({ name, help, type: 'gauge', value: v });
  }
  return out;
}
