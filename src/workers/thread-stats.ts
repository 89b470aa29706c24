// CPU use of the calling thread from /proc/thread-self/schedstat: time on a CPU and time spent
// runnable but waiting for one (run-queue wait). A pacing thread that is late while its run-queue
// wait grows lost its CPU to other threads; one that is late without it was busy or slept too long.
import { readFileSync } from 'node:fs';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface ThreadSchedFigures {
  /** Share of wall time on a CPU, %. */
  cpuPercent: number;
  /** Share of wall time runnable but not running, %. */
  runqueueWaitPercent: number;
  /** Times the thread was put on a CPU, per second. */
  timeslicesPerS: number;
}

type Reading = { wallNs: number; cpuNs: number; waitNs: number; slices: number };

function between(prev: Reading, now: Reading): ThreadSchedFigures {
  const wall = now.wallNs - prev.wallNs;
  const pct = (v: number) => Math.round((v / wall) * 1000) / 10;
  return {
    cpuPercent: pct(now.cpuNs - prev.cpuNs),
    runqueueWaitPercent: pct(now.waitNs - prev.waitNs),
    timeslicesPerS: Math.round(((now.slices - prev.slices) * 1e9) / wall),
  };
}

/** Figures over the last interval and since the first call; undefined on the first call or where schedstat is missing. */
export class ThreadSchedSampler {
  private first: Reading | undefined;
  private last: Reading | undefined;

  sample(): { last: ThreadSchedFigures; total: ThreadSchedFigures } | undefined {
    let f: string[];
    try {
      f = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(' ');
    } catch {
      return undefined;
    }
    if (f.length < 3) return undefined;
    const now = { wallNs: Number(process.hrtime.bigint()), cpuNs: Number(f[0]), waitNs: Number(f[1]), slices: Number(f[2]) };
    const prev = this.last;
    this.last = now;
    this.first ??= now;
    if (!prev || !(now.wallNs > prev.wallNs)) return undefined;
    return { last: between(prev, now), total: between(this.first, now) };
  }
}

/** Garbage collections of this thread's isolate since start: a send loop that allocates nothing shows none. */
export class GcCounter {
  readonly figures = { minor: 0, major: 0, pauseMs: 0, maxPauseMs: 0 };
  private readonly observer: PerformanceObserver;

  constructor() {
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) this.figures.minor++;
        else this.figures.major++;
        this.figures.pauseMs += e.duration;
        if (e.duration > this.figures.maxPauseMs) this.figures.maxPauseMs = e.duration;
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  summary(): { minor: number; major: number; pauseMs: number; maxPauseMs: number } {
    const f = this.figures;
    return { minor: f.minor, major: f.major, pauseMs: Math.round(f.pauseMs * 100) / 100, maxPauseMs: Math.round(f.maxPauseMs * 100) / 100 };
  }

  stop(): void {
    this.observer.disconnect();
  }
}
