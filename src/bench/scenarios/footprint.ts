// `bench footprint`: what an idle device costs (RSS, CPU) with 2×2 and 64×64 channels, and how
// soon after start it answers ARC (a 0x1002 request) and mDNS (_netaudio-arc._udp.local). Each
// device runs in its own namespace pair; a probe in the second namespace asks from before start.
import { fileURLToPath } from 'node:url';
import { startDevice } from '../device-process.js';
import type { BenchDevice } from '../device-process.js';
import { createBenchLan, jsonLines, namespaceProblem } from '../netns.js';
import type { BenchLan } from '../netns.js';
import { processCpuMs, readThreads, startSampler, threadFigures } from '../proc.js';
import type { ProcFigures, ThreadGroupFigures } from '../proc.js';
import { waitWithProgress } from '../progress.js';
import { checkTarget, newSession } from '../results.js';
import { round } from '../stats.js';
import { lineSvg } from '../svg.js';
import { durationOf } from '../scenario.js';
import type { Plot, Scenario } from '../scenario.js';
import { mb } from '../table.js';

const PROBE_JS = fileURLToPath(new URL('../probe.js', import.meta.url));
const ARC_PORT = 4440;
/**
 * The idle window starts this long after the device answered ARC and mDNS, so it holds no start-up
 * aftermath: JIT, first announcements, the device's own memory release 3 s after start, and V8's
 * memory reducer, which compacts every isolate's heap some 10-16 s after start (measured per
 * second: 5-7 % of a core for 2-3 s, then steady). That cost is reported as start-up CPU.
 */
export const WINDOW_AFTER_ANSWER_S = 18;
const ANSWER_TIMEOUT_S = 20;
export const FOOTPRINT_TARGETS = { rssBytes: 100 * 2 ** 20, cpuPercent: 1, answerMs: 2000 };

interface Config {
  name: string;
  channels: number;
}
const CONFIGS: Config[] = [
  { name: '2x2', channels: 2 },
  { name: '64x64', channels: 64 },
];

interface Measured {
  config: string;
  arcAnswerMs: number;
  mdnsAnswerMs: number;
  /** CPU from start to the idle window, which is not part of the idle figure. */
  startup: { untilAnsweredS: number; untilAnsweredCpuMs: number; untilWindowS: number; untilWindowCpuMs: number; afterAnswerCpuPercent: number };
  /** The idle window: from WINDOW_AFTER_ANSWER_S after the device answered, for the duration. */
  idle: Omit<ProcFigures, 'samples'> & { windowStartS: number; windowSeconds: number; cpuPercentTicks: number; threads: ThreadGroupFigures[] };
  samples: ProcFigures['samples'];
}

async function measure(cfg: Config, seconds: number, report: (f: number, t: string) => void): Promise<Measured> {
  const lan: BenchLan = createBenchLan(2);
  let dev: BenchDevice | undefined;
  try {
    const [devHost, probeHost] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0]];
    const probe = probeHost.spawn(process.execPath, [PROBE_JS, devHost.ip, String(ARC_PORT), probeHost.ip, String(ANSWER_TIMEOUT_S)]);
    const seen: Record<string, number> = {};
    let wake: () => void = () => undefined;
    const output = jsonLines(probe, (v) => {
      if (typeof v.event === 'string') seen[v.event] = typeof v.atMs === 'number' ? v.atMs : 0;
      wake();
    });
    const until = (pred: () => boolean, timeoutS: number, what: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${what} not seen within ${timeoutS} s; probe said: ${output().slice(-500)}; device said: ${dev?.output().slice(-1000) ?? ''}`)), timeoutS * 1000);
        wake = () => {
          if (pred()) {
            clearTimeout(timer);
            resolve();
          }
        };
        wake();
      });
    await until(() => 'ready' in seen, 10, 'probe ready');
    report(0.05, `${cfg.name}: starting device`);
    dev = startDevice(devHost, `bench-fp-${cfg.name}`, ['--tx-channels', String(cfg.channels), '--rx-channels', String(cfg.channels)]);
    const sinceStartS = () => (performance.timeOrigin + performance.now() - dev!.startedAtMs) / 1000;
    await until(() => 'done' in seen, ANSWER_TIMEOUT_S + 5, 'probe result');
    if (!('arc' in seen) || !('mdns' in seen)) throw new Error(`device ${cfg.name} not answerable within ${ANSWER_TIMEOUT_S} s (arc: ${'arc' in seen}, mdns: ${'mdns' in seen}); device said: ${dev.output().slice(-1000)}`);
    const answered = { s: sinceStartS(), cpuMs: processCpuMs(dev.pid) };
    await waitWithProgress({ update: report }, WINDOW_AFTER_ANSWER_S, `${cfg.name}: start-up aftermath`, 0.1, 0.6);
    const windowStart = { s: sinceStartS(), cpuMs: processCpuMs(dev.pid), threads: readThreads(dev.pid), ns: process.hrtime.bigint() };
    const sampler = startSampler(dev.pid, 250);
    await waitWithProgress({ update: report }, seconds, `${cfg.name}: sampling idle device`, 0.6, 1);
    const threadsAfter = readThreads(dev.pid);
    const wallNs = Number(process.hrtime.bigint() - windowStart.ns);
    const { samples, ...idle } = sampler.stop();
    const perThread = threadFigures(windowStart.threads, threadsAfter, wallNs);
    const r1 = (v: number) => round(v, 1);
    return {
      config: cfg.name,
      arcAnswerMs: r1(seen.arc! - dev.startedAtMs),
      mdnsAnswerMs: r1(seen.mdns! - dev.startedAtMs),
      startup: {
        untilAnsweredS: round(answered.s, 2),
        untilAnsweredCpuMs: r1(answered.cpuMs),
        untilWindowS: round(windowStart.s, 2),
        untilWindowCpuMs: r1(windowStart.cpuMs),
        afterAnswerCpuPercent: round(((windowStart.cpuMs - answered.cpuMs) / 10 / (windowStart.s - answered.s)), 2),
      },
      idle: {
        ...idle,
        // schedstat (ns) summed over the threads, not the 10 ms ticks of /proc/<pid>/stat: at 0.5 %
        // ten seconds hold five ticks. The tick figure stays as a cross-check.
        cpuPercent: round(perThread.totalCpuPercent, 3),
        cpuPercentTicks: round(idle.cpuPercent, 2),
        cpuPeakPercent: round(idle.cpuPeakPercent, 1),
        windowStartS: round(windowStart.s, 2),
        windowSeconds: round(wallNs / 1e9, 2),
        threads: perThread.threads,
      },
      samples,
    };
  } finally {
    await dev?.stop();
    await lan.destroy();
  }
}

export const footprintScenario: Scenario = {
  name: 'footprint',
  description: 'idle RSS and CPU (per thread; start-up CPU apart) of a 2×2 and a 64×64 device; time from start to answering ARC and mDNS (root: namespaces)',
  defaultDurationS: 10,
  unavailable: async () => namespaceProblem(),
  async run(opts, progress) {
    const seconds = durationOf(footprintScenario, opts);
    const session = newSession('footprint', { idleSampleSeconds: seconds, window: `idle figures from ${WINDOW_AFTER_ANSWER_S} s after the device answered ARC and mDNS, for ${seconds} s; CPU before that is start-up CPU`, windowAfterAnswerSeconds: WINDOW_AFTER_ANSWER_S, sampleIntervalMs: 250, configs: CONFIGS, clock: 'the device default (built-in PTP)', where: 'device in its own network namespace; probe in a second one on the same bridge' });
    const results: Measured[] = [];
    for (const [i, cfg] of CONFIGS.entries()) {
      results.push(await measure(cfg, seconds, (f, t) => progress.update((i + f) / CONFIGS.length, t)));
    }
    session.figures = { devices: results.map(({ samples: _s, ...r }) => r) };
    const small = results[0]!;
    session.targets.push(
      checkTarget('2x2 idle RSS', 'idle 2×2 device ≤ 100 MB resident', 'max', small.idle.rssBytes, FOOTPRINT_TARGETS.rssBytes, 'bytes'),
      checkTarget('2x2 idle CPU', `idle 2×2 device < 1 % of one core (from ${WINDOW_AFTER_ANSWER_S} s after it answered)`, 'max', small.idle.cpuPercent, FOOTPRINT_TARGETS.cpuPercent, '%'),
    );
    for (const r of results) {
      session.targets.push(
        checkTarget(`${r.config} ARC answer`, `${r.config}: ARC 0x1002 answered within 2 s of start`, 'max', r.arcAnswerMs, FOOTPRINT_TARGETS.answerMs, 'ms'),
        checkTarget(`${r.config} mDNS answer`, `${r.config}: mDNS ${'_netaudio-arc._udp.local'} answered within 2 s of start`, 'max', r.mdnsAnswerMs, FOOTPRINT_TARGETS.answerMs, 'ms'),
      );
    }
    const threadCpu = (r: Measured) => r.idle.threads.map((t) => `${t.thread.replace(/^inf-/, '')} ${t.cpuPercent.toFixed(2)}`).join(', ');
    const table = [
      ['device', 'RSS', 'peak RSS', 'idle CPU', 'idle window', 'start-up CPU', 'ARC after', 'mDNS after', 'idle CPU per thread (%)'],
      ...results.map((r) => [
        r.config, mb(r.idle.rssBytes), mb(r.idle.peakRssBytes), `${r.idle.cpuPercent.toFixed(2)} %`, `${r.idle.windowStartS}-${round(r.idle.windowStartS + r.idle.windowSeconds, 1)} s`,
        `${Math.round(r.startup.untilWindowCpuMs)} ms`, `${r.arcAnswerMs} ms`, `${r.mdnsAnswerMs} ms`, threadCpu(r),
      ]),
    ];
    const plots: Plot[] = [];
    if (opts.plot) {
      plots.push({
        name: 'rss',
        svg: lineSvg('footprint: resident memory of the idle device', 'seconds of sampling', 'RSS (MB)', results.map((r) => ({ label: r.config, points: r.samples.map((s) => [s.atMs / 1000, s.rssBytes / 2 ** 20] as [number, number]) }))),
      });
    }
    return { session, table, plots };
  },
};
