// CPU and memory of threads and processes from /proc: the figures a user's `top` would show,
// read without any dependency.
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clkTck: number | undefined;
/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on practically every Linux). */
export function clockTicksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** CPU time (ns) of the calling thread: schedstat when present (ns resolution), else stat ticks. */
export function threadCpuNs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    const f = statFields(readFileSync('/proc/thread-self/stat', 'utf8'));
    return ((f.utime + f.stime) * 1e9) / clockTicksPerSecond();
  }
}

/** utime and stime (ticks) from a /proc/.../stat line; the command name may contain spaces. */
export function statFields(line: string): { utime: number; stime: number } {
  const rest = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return { utime: Number(rest[11]), stime: Number(rest[12]) };
}

export interface ProcSample {
  /** ms since the sampler started. */
  atMs: number;
  cpuTicks: number;
  rssBytes: number;
  hwmBytes: number;
}

/** Reads one sample of process `pid`; undefined when it has exited. */
export function sampleProcess(pid: number, t0: number): ProcSample | undefined {
  try {
    const f = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { atMs: Date.now() - t0, cpuTicks: f.utime + f.stime, rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

export interface ProcFigures {
  /** Mean CPU over the window, % of one core. */
  cpuPercent: number;
  /** Highest CPU over any one sampling interval, % of one core. */
  cpuPeakPercent: number;
  rssBytes: number;
  /** Peak resident set (VmHWM) over the process's life. */
  peakRssBytes: number;
  samples: ProcSample[];
}

/** Samples `pid` every `intervalMs` until stop() is called. */
export function startSampler(pid: number, intervalMs = 500): { stop(): ProcFigures } {
  const t0 = Date.now();
  const samples: ProcSample[] = [];
  const take = () => {
    const s = sampleProcess(pid, t0);
    if (s) samples.push(s);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return procFigures(samples);
    },
  };
}

export function procFigures(samples: ProcSample[]): ProcFigures {
  const hz = clockTicksPerSecond();
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.atMs === first.atMs) return { cpuPercent: NaN, cpuPeakPercent: NaN, rssBytes: last?.rssBytes ?? NaN, peakRssBytes: last?.hwmBytes ?? NaN, samples };
  const pctOf = (ticks: number, ms: number) => (ticks / hz / (ms / 1000)) * 100;
  let peak = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (b.atMs > a.atMs) peak = Math.max(peak, pctOf(b.cpuTicks - a.cpuTicks, b.atMs - a.atMs));
  }
  return {
    cpuPercent: pctOf(last.cpuTicks - first.cpuTicks, last.atMs - first.atMs),
    cpuPeakPercent: peak,
    rssBytes: last.rssBytes,
    peakRssBytes: Math.max(...samples.map((s) => s.hwmBytes)),
    samples,
  };
}

/** One thread's scheduler figures from /proc/<pid>/task/<tid>/schedstat (ns resolution). */
export interface ThreadReading {
  tid: number;
  /** `main` for the process's first thread, else the thread's name (comm). */
  name: string;
  cpuNs: number;
  /** Times the thread was put on a CPU. */
  slices: number;
}

/** Every live thread of `pid`; threads that exit between the reads are left out. */
export function readThreads(pid: number): ThreadReading[] {
  const out: ThreadReading[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tids) {
    try {
      const f = readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').trim().split(' ');
      const comm = readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim();
      out.push({ tid: Number(t), name: Number(t) === pid ? 'main' : comm, cpuNs: Number(f[0]), slices: Number(f[2]) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

export interface ThreadGroupFigures {
  /** `main`, a named thread (the device's workers are `inf-<worker>`), or `other` for the unnamed
   *  ones (V8 platform threads, the libuv pool). */
  thread: string;
  threads: number;
  /** Share of one core over the window, %. */
  cpuPercent: number;
  /** Times put on a CPU per second: wake-ups, plus preemptions on a busy machine. */
  timeslicesPerS: number;
}

/**
 * CPU per thread between two readings `wallNs` apart, grouped by name (threads still called after
 * the executable, `node`, go to `other`); threads born in between count from zero.
 */
export function threadFigures(before: ThreadReading[], after: ThreadReading[], wallNs: number): { totalCpuPercent: number; threads: ThreadGroupFigures[] } {
  const prev = new Map(before.map((r) => [r.tid, r]));
  const groups = new Map<string, { threads: number; cpuNs: number; slices: number }>();
  let total = 0;
  for (const r of after) {
    const p = prev.get(r.tid);
    const cpuNs = r.cpuNs - (p?.cpuNs ?? 0);
    const slices = r.slices - (p?.slices ?? 0);
    const key = r.name === 'main' || r.name.startsWith('inf-') ? r.name : 'other';
    const g = groups.get(key) ?? { threads: 0, cpuNs: 0, slices: 0 };
    g.threads++;
    g.cpuNs += cpuNs;
    g.slices += slices;
    groups.set(key, g);
    total += cpuNs;
  }
  const pctOf = (ns: number) => Math.round((ns / wallNs) * 100 * 1000) / 1000;
  const threads = [...groups].map(([thread, g]) => ({ thread, threads: g.threads, cpuPercent: pctOf(g.cpuNs), timeslicesPerS: Math.round((g.slices * 1e9 * 10) / wallNs) / 10 }));
  threads.sort((a, b) => b.cpuPercent - a.cpuPercent);
  return { totalCpuPercent: pctOf(total), threads };
}

/** CPU time (ms) the process used since it started, exited threads included (tick resolution). */
export function processCpuMs(pid: number): number {
  try {
    const f = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return ((f.utime + f.stime) * 1000) / clockTicksPerSecond();
  } catch {
    return NaN;
  }
}
