// Network namespaces for benchmarks that run devices: a bridge namespace and one namespace per
// host, joined by veth pairs. Devices never run in the machine's own namespace. Everything is
// deleted by name in destroy(), and by the harness cleanup on SIGINT/SIGTERM or exit.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { onCleanup } from './cleanup.js';
import { BenchUnavailableError } from './scenario.js';

export interface BenchHost {
  ns: string;
  /** The host's interface (for PTP sockets bound to it). */
  ifname: string;
  ip: string;
  /** Starts a process inside the namespace (`ip netns exec` execs in place: the pid is the command's). */
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
}

export interface BenchLan {
  hosts: BenchHost[];
  destroy(): Promise<void>;
}

let counter = 0;

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${(r.stderr || r.stdout || '').trim()}`);
}

/** Why namespaces cannot be made here, or undefined. */
export function namespaceProblem(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'needs root to create network namespaces (run as root)';
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) return "needs the 'ip' command (iproute2)";
  return undefined;
}

export function createBenchLan(count: number, subnet = '10.78.0'): BenchLan {
  const problem = namespaceProblem();
  if (problem) throw new BenchUnavailableError(problem);
  const id = `${process.pid % 100000}${(counter++).toString(36)}`;
  const sw = `infb-${id}-sw`;
  const names: string[] = [];
  const children = new Set<ChildProcess>();
  const removeAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const n of names) spawnSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
    names.length = 0;
  };
  const off = onCleanup(removeAll);
  const hosts: BenchHost[] = [];
  try {
    ip(['netns', 'add', sw]);
    names.push(sw);
    ip(['-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    ip(['-n', sw, 'link', 'set', 'br0', 'up']);
    for (let i = 1; i <= count; i++) {
      const ns = `infb-${id}-h${i}`;
      ip(['netns', 'add', ns]);
      names.push(ns);
      ip(['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', sw]);
      ip(['-n', sw, 'link', 'set', `p${i}`, 'master', 'br0']);
      ip(['-n', sw, 'link', 'set', `p${i}`, 'up']);
      const addr = `${subnet}.${i}`;
      ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0']);
      hosts.push({
        ns,
        ifname: 'eth0',
        ip: addr,
        spawn(cmd, args, opts = {}) {
          const c = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: 'pipe', ...opts });
          children.add(c);
          c.once('exit', () => children.delete(c));
          return c;
        },
      });
    }
  } catch (err) {
    removeAll();
    off();
    throw err;
  }
  return {
    hosts,
    async destroy() {
      await Promise.all([...children].map((c) => stopChild(c)));
      removeAll();
      off();
    },
  };
}

/** SIGTERM, then SIGKILL after graceMs; resolves when the process has exited. */
export function stopChild(c: ChildProcess, graceMs = 3000): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
    c.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    c.kill('SIGTERM');
  });
}

/** Collects a child's output and resolves JSON lines as they arrive. */
export function jsonLines(c: ChildProcess, onLine: (v: Record<string, unknown>) => void): () => string {
  let buf = '';
  let all = '';
  c.stdout?.setEncoding('utf8').on('data', (d: string) => {
    all += d;
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line.startsWith('{')) {
        try {
          onLine(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not ours (a log line that happens to start with a brace)
        }
      }
    }
  });
  c.stderr?.setEncoding('utf8').on('data', (d: string) => (all += d));
  return () => all;
}
