// `bench tx-pacing`: how late each packet leaves against its media-clock deadline, for 16 flows
// of 8 channels at 48 kHz, fpp 16, over loopback; ours (js-pacer) and the C reference in the same
// run, alternating in halves so a change in background load hits both alike.
import { buildC, cBuildUnavailable } from '../cbuild.js';
import { transmitNotes } from '../e2e-run.js';
import { runTxWorker } from '../tx-worker-run.js';
import { namespaceProblem } from '../netns.js';
import type { PacerConfig, PacerReport } from '../pacer-worker.js';
import { runCPacer, runJsPacer, startSink } from '../pacers.js';
import { checkTarget, newSession } from '../results.js';
import { countAbove, histogram, round, summarize } from '../stats.js';
import type { Summary } from '../stats.js';
import { histogramSvg } from '../svg.js';
import { BenchUnavailableError, durationOf } from '../scenario.js';
import type { Scenario } from '../scenario.js';
import { pct, us } from '../table.js';

/** Dante's default device latency: a packet sent later than this after its deadline is too late. */
export const TX_LATENCY_NS = 1_000_000;
/** --spin: wake this long before the deadline (above the usual wake-up error on a busy machine). */
export const SPIN_NS = 100_000;
export const SPIN_REALTIME_REFUSED = '--spin with --realtime would spin at real-time priority and can starve the machine; run the modes separately';
/** Discarded from the start of every run: JIT warm-up and first-touch page faults are not pacing. */
export const WARMUP_S = 0.5;
/** Target: our p99 at most this many times the C reference's p99 in the same mode. */
export const P99_RATIO_LIMIT = 2;

interface Side {
  name: string;
  summary: Summary;
  lateThanTxLatency: number;
  cpuPercent: number;
  packets: number;
  packetBytes: number;
  sendErrors: number;
  sched: string;
  schedError: string;
  native: boolean;
}

function merge(parts: PacerReport[], skip: number): PacerReport {
  parts = parts.map((p) => ({ ...p, lateness: p.lateness.subarray(Math.min(skip, p.lateness.length)) }));
  const n = parts.reduce((a, p) => a + p.lateness.length, 0);
  const lateness = new Int32Array(n);
  let o = 0;
  for (const p of parts) {
    lateness.set(p.lateness, o);
    o += p.lateness.length;
  }
  const sum = (k: 'cpuNs' | 'wallNs' | 'sendErrors') => parts.reduce((a, p) => a + p[k], 0);
  return { ...parts[0]!, lateness, packets: n, cpuNs: sum('cpuNs'), wallNs: sum('wallNs'), sendErrors: sum('sendErrors') };
}

function side(name: string, r: PacerReport): Side {
  const s = summarize(r.lateness);
  return {
    name,
    summary: { count: s.count, min: s.min, mean: round(s.mean, 0), p50: s.p50, p99: s.p99, p999: s.p999, max: s.max },
    lateThanTxLatency: countAbove(r.lateness, TX_LATENCY_NS),
    cpuPercent: round((r.cpuNs / r.wallNs) * 100, 1),
    packets: r.packets,
    packetBytes: r.packetBytes,
    sendErrors: r.sendErrors,
    sched: r.sched,
    schedError: r.schedError,
    native: r.native,
  };
}

export const txPacingScenario: Scenario = {
  name: 'tx-pacing',
  description: 'send lateness vs media-clock deadline, 16 flows × 8 ch, 48 kHz, fpp 16, ours vs a C reference (--spin, --realtime)',
  defaultDurationS: 20,
  async unavailable() {
    return cBuildUnavailable('tx-pacer');
  },
  async run(opts, progress) {
    // The CLI refuses this pair; checked again for callers of the module.
    if (opts.spin && opts.realtime) throw new BenchUnavailableError(SPIN_REALTIME_REFUSED);
    const seconds = durationOf(txPacingScenario, opts);
    const mode = opts.spin ? 'spin' : 'sleep';
    const ip = '127.0.0.1';
    const sink = await startSink(ip);
    const cfg: PacerConfig = {
      ip, port: sink.port, flows: 16, channels: 8, fpp: 16, rate: 48000, bytesPerSample: 3,
      seconds: seconds / 2 + WARMUP_S, mode, spinNs: SPIN_NS, realtime: opts.realtime,
    };
    const session = newSession('tx-pacing', {
      ...cfg, port: undefined, seconds, transport: 'UDP over loopback, one connected socket per flow, sink never reads',
      modeName: opts.realtime ? 'realtime' : mode, warmupDiscardedS: WARMUP_S, txLatencyNs: TX_LATENCY_NS, clock: 'CLOCK_MONOTONIC', timerSlackNs: 1,
      lateness: 'ns from the deadline to the return of each send; 16 sends share one deadline',
    });
    // Progress share of the pacer runs; the device measurement (root only) takes the rest.
    const share = namespaceProblem() ? 1 : 0.8;
    const js: PacerReport[] = [];
    const c: PacerReport[] = [];
    try {
      const steps: [string, () => Promise<void>][] = [
        ['js-pacer, first half', async () => void js.push(await runJsPacer(cfg))],
        ['C reference, first half', async () => void c.push(await runCPacer(cfg))],
        ['js-pacer, second half', async () => void js.push(await runJsPacer(cfg))],
        ['C reference, second half', async () => void c.push(await runCPacer(cfg))],
      ];
      for (const [i, [text, step]] of steps.entries()) {
        const t0 = Date.now();
        const tick = setInterval(() => progress.update((share * (i + Math.min(1, (Date.now() - t0) / (cfg.seconds * 1000)))) / steps.length, text), 250);
        try {
          await step();
        } finally {
          clearInterval(tick);
        }
      }
    } finally {
      sink.close();
    }
    const skip = Math.floor((WARMUP_S * cfg.rate) / cfg.fpp) * cfg.flows;
    // The transmit worker itself: device A with 128 channels sending 16 flows of 8 (fpp 16) to a
    // sink that asked for them and never reads, in namespaces (root only), like the pacers' sink;
    // its own lateness histogram comes from A's /status.
    let device: Record<string, unknown> | undefined;
    let deviceP99Ns = NaN;
    let deviceMaxNs = NaN;
    const nsProblem = namespaceProblem();
    if (nsProblem) session.notes.push(`transmit worker not measured: ${nsProblem}`);
    else {
      const txFlags = opts.realtime ? ['--realtime', 'true'] : ['--tx-spin-us', mode === 'spin' ? String(SPIN_NS / 1000) : '0'];
      try {
        const r = await runTxWorker({ flows: cfg.flows, channelsPerFlow: cfg.channels, fpp: cfg.fpp, seconds: seconds / 2, latencyNs: TX_LATENCY_NS, txFlags }, progress);
        const l = (r.lateness ?? {}) as { packets?: number; p50Us?: number; p99Us?: number; p999Us?: number; maxUs?: number };
        deviceP99Ns = (l.p99Us ?? NaN) * 1000;
        deviceMaxNs = (l.maxUs ?? NaN) * 1000;
        session.notes.push(...transmitNotes({ transmitThread: r.thread, transmitGc: r.gc }));
        device = { name: 'transmit-worker', flags: txFlags, flows: r.flows, lateness: l, thread: r.thread, gc: r.gc, processCpuPercent: r.processCpuPercent, peakRssBytes: r.peakRssBytes, receiver: 'flow-sink (bench/flow-sink.c): requested the flows, keeps them alive, never reads', note: 'the worker\'s own histogram (1 µs bins, upper edges) since the device started; CPU is the whole device process' };
      } catch (err) {
        session.notes.push(`transmit worker not measured: ${(err as Error).message.slice(0, 300)}`);
      }
    }
    const jsAll = merge(js, skip);
    const cAll = merge(c, skip);
    const ours = side('js-pacer', jsAll);
    const ref = side('c-reference', cAll);
    const ratio = (k: 'p50' | 'p99' | 'p999' | 'max') => round(ours.summary[k] / Math.max(1, ref.summary[k]), 2);
    session.figures = {
      unit: 'ns', sides: [ours, ref], ratioOursToReference: { p50: ratio('p50'), p99: ratio('p99'), p999: ratio('p999'), max: ratio('max') },
      ...(device ? { transmitWorker: { ...device, p99RatioToReference: round(deviceP99Ns / Math.max(1, ref.summary.p99), 2) } } : {}),
    };
    if (opts.realtime && (ours.sched !== 'rr' || ref.sched !== 'rr')) {
      session.notes.push(`real-time priority not granted (ours: ${ours.schedError || ours.sched}; reference: ${ref.schedError || ref.sched}); figures are for normal scheduling`);
    }
    if (!ours.native) session.notes.push('the native helper was not loaded: js-pacer used the JS fallback timer');
    session.targets.push(
      checkTarget('p99 vs C reference', `js-pacer p99 ≤ ${P99_RATIO_LIMIT} × C reference p99 (${opts.realtime ? 'realtime' : mode} mode)`, 'max', ours.summary.p99, P99_RATIO_LIMIT * ref.summary.p99, 'ns'),
      checkTarget('sends later than TX latency', `no send more than ${TX_LATENCY_NS / 1e6} ms after its deadline`, 'max', ours.lateThanTxLatency, 0, 'packets'),
    );
    if (device) {
      session.targets.push(
        checkTarget('transmit worker p99 vs C reference', `transmit worker p99 ≤ ${P99_RATIO_LIMIT} × C reference p99`, 'max', deviceP99Ns, P99_RATIO_LIMIT * ref.summary.p99, 'ns'),
        checkTarget('transmit worker max vs TX latency', `transmit worker: no send more than ${TX_LATENCY_NS / 1e6} ms late (max lateness)`, 'max', deviceMaxNs, TX_LATENCY_NS, 'ns'),
      );
    }
    const table = [
      ['pacer', 'p50 µs', 'p99 µs', 'p99.9 µs', 'max µs', `> ${TX_LATENCY_NS / 1e6} ms`, 'CPU'],
      ...[ours, ref].map((s) => [s.name, us(s.summary.p50), us(s.summary.p99), us(s.summary.p999), us(s.summary.max), String(s.lateThanTxLatency), pct(s.cpuPercent)]),
      ...(device ? [(() => {
        const l = device.lateness as { p50Us?: number; p999Us?: number };
        return ['transmit-worker', us((l.p50Us ?? NaN) * 1000), us(deviceP99Ns), us((l.p999Us ?? NaN) * 1000), us(deviceMaxNs), '', pct(device.processCpuPercent as number)];
      })()] : []),
      ['js/ref', `${ratio('p50')}×`, `${ratio('p99')}×`, `${ratio('p999')}×`, `${ratio('max')}×`, '', ''],
    ];
    const plots = [];
    if (opts.plot) {
      const hi = Math.max(ours.summary.p999, ref.summary.p999) / 1000;
      const range = { lo: 0, hi: Math.max(1, hi) };
      const toUs = (a: Int32Array) => Float64Array.from(a, (v) => v / 1000);
      plots.push({
        name: 'lateness',
        svg: histogramSvg(`tx-pacing lateness (${mode}${opts.realtime ? ', realtime' : ''})`, 'lateness after deadline (µs)', [
          { label: 'js-pacer', hist: histogram(toUs(jsAll.lateness), 60, range) },
          { label: 'C reference', hist: histogram(toUs(cAll.lateness), 60, range) },
        ]),
      });
    }
    return { session, table, plots };
  },
};
