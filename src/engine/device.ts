// A running device: the workers, the shared buffers they use, and the status view. The main
// thread owns configuration and lifecycle; everything time-critical runs in workers.
import { EventEmitter } from 'node:events';
import type { DeviceConfig } from '../config/device-config.js';
import { getLogger, logSettings } from '../log.js';
import { CLOCK_OVERLAY_SHARED } from '../clock/publisher.js';
import { createClockOverlayBuffer } from '../core/clock-overlay.js';
import { metricName } from '../status/metrics.js';
import type { MetricSample } from '../status/metrics.js';
import { WORKER_NAMES } from './protocol.js';
import type { WorkerName } from './protocol.js';
import { Supervisor } from './supervisor.js';

export const VERSION = '0.1.0';

export interface DeviceEngineOptions {
  /** Test hook: make one worker throw shortly after it starts. */
  crash?: { worker: WorkerName; afterMs: number; times?: number };
}

export class DeviceEngine extends EventEmitter {
  readonly startedAt = Date.now();
  private readonly log = getLogger('device');

  private constructor(
    readonly config: DeviceConfig,
    readonly supervisor: Supervisor,
  ) {
    super();
    supervisor.on('fatal', (err: Error) => this.emit('fatal', err));
  }

  static async start(config: DeviceConfig, opts: DeviceEngineOptions = {}): Promise<DeviceEngine> {
    // The clock worker publishes the media-clock overlay here; every other worker reads it.
    const shared: Record<string, SharedArrayBuffer> = { [CLOCK_OVERLAY_SHARED]: createClockOverlayBuffer() };
    const supervisor = new Supervisor({
      workers: WORKER_NAMES.map((name) => ({
        name,
        config,
        log: logSettings(),
        shared,
        ...(opts.crash?.worker === name ? { crashAfterStartMs: opts.crash.afterMs, crashTimes: opts.crash.times } : {}),
      })),
    });
    try {
      await supervisor.start();
    } catch (err) {
      await supervisor.stop(500);
      throw err;
    }
    const device = new DeviceEngine(config, supervisor);
    device.log.info('device started', { name: config.name, ip: config.ip, deviceId: config.deviceId });
    return device;
  }

  status(): Record<string, unknown> {
    const c = this.config;
    const reports = this.supervisor.reports();
    return {
      device: {
        name: c.name,
        factoryName: c.factoryName,
        deviceId: c.deviceId,
        processId: c.processId,
        version: VERSION,
        uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
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
    await this.supervisor.stop();
    this.log.info('device stopped');
  }
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
