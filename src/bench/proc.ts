// CPU and memory of threads and processes from /proc: the figures a user's `top` would show,
// read without any dependency.
import { readFileSync } from 'node:fs';
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
