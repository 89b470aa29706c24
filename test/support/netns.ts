// A private LAN made of network namespaces: one "switch" namespace holding a bridge, and one
// namespace per host joined to it by a veth pair. Tests run devices and third-party peers inside
// these hosts only, never in the machine's own namespace. Everything is deleted by name in
// `destroy()`, and again at process exit as a safety net.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';

export interface LanHost {
  /** Namespace name. */
  ns: string;
  /** Interface name inside the namespace. */
  ifname: string;
  /** IPv4 address of `ifname`. */
  ip: string;
  /** Starts a process inside this host; it is killed by `Lan.destroy()` if still running. */
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** Runs a command to completion inside this host. */
  run(cmd: string, args: string[], opts?: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv }): Promise<RunResult>;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Lan {
  hosts: LanHost[];
  subnet: string;
  destroy(): Promise<void>;
}

const live = new Set<string>();
const children = new Set<ChildProcess>();
let exitHookInstalled = false;
let counter = 0;

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${(r.stderr || r.stdout || '').trim()}`);
}

function deleteNs(name: string): void {
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  live.delete(name);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of children) if (c.exitCode === null && c.pid) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
    for (const n of [...live]) deleteNs(n);
  });
}

export interface LanOptions {
  /** Short tag put into namespace names (letters/digits, ≤ 6 chars). */
  tag?: string;
  /** First three octets; hosts get .1, .2, ... */
  subnet?: string;
}

/** Creates `count` hosts on one bridged segment with multicast routed to it. */
export function createLan(count: number, opts: LanOptions = {}): Lan {
  installExitHook();
  const tag = (opts.tag ?? 't').replace(/[^a-z0-9]/gi, '').slice(0, 6);
  const id = `${process.pid % 100000}${(counter++).toString(36)}`;
  const subnet = opts.subnet ?? '10.77.0';
  const sw = `inf-${tag}-${id}-sw`;
  const hosts: LanHost[] = [];
  try {
    ip(['netns', 'add', sw]);
    live.add(sw);
    ip(['-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    ip(['-n', sw, 'link', 'set', 'br0', 'up']);
    for (let i = 0; i < count; i++) {
      const ns = `inf-${tag}-${id}-h${i + 1}`;
      ip(['netns', 'add', ns]);
      live.add(ns);
      const peer = `p${i + 1}`;
      ip(['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', peer, 'netns', sw]);
      ip(['-n', sw, 'link', 'set', peer, 'master', 'br0']);
      ip(['-n', sw, 'link', 'set', peer, 'up']);
      const addr = `${subnet}.${i + 1}`;
      ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0']);
      hosts.push(makeHost(ns, 'eth0', addr));
    }
  } catch (err) {
    for (const h of hosts) deleteNs(h.ns);
    deleteNs(sw);
    throw err;
  }
  const names = [sw, ...hosts.map((h) => h.ns)];
  return {
    hosts,
    subnet,
    async destroy() {
      const mine = [...children].filter((c) => names.some((n) => (c as ChildProcess & { inferNs?: string }).inferNs === n));
      await Promise.all(mine.map((c) => stopChild(c)));
      for (const n of names) deleteNs(n);
    },
  };
}

/** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process has exited. */
export function stopChild(c: ChildProcess, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null || !c.pid) {
      children.delete(c);
      resolve();
      return;
    }
    const timer = setTimeout(() => { try { c.kill('SIGKILL'); } catch { /* gone */ } }, graceMs);
    c.once('exit', () => {
      clearTimeout(timer);
      children.delete(c);
      resolve();
    });
    try { c.kill('SIGTERM'); } catch { /* gone */ }
  });
}

function makeHost(ns: string, ifname: string, addr: string): LanHost {
  const host: LanHost = {
    ns,
    ifname,
    ip: addr,
    spawn(cmd, args, opts = {}) {
      // `ip netns exec` execs the command in place, so the child's pid is the command's pid.
      const c = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: 'pipe', ...opts }) as ChildProcess & { inferNs?: string };
      c.inferNs = ns;
      children.add(c);
      c.once('exit', () => children.delete(c));
      return c;
    },
    run(cmd, args, opts = {}) {
      return new Promise<RunResult>((resolve, reject) => {
        const c = host.spawn(cmd, args, { env: opts.env ?? process.env });
        let stdout = '';
        let stderr = '';
        c.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        c.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        const timer = opts.timeoutMs ? setTimeout(() => c.kill('SIGKILL'), opts.timeoutMs) : undefined;
        c.on('error', reject);
        c.on('close', (code, signal) => {
          if (timer) clearTimeout(timer);
          resolve({ code, signal, stdout, stderr });
        });
        if (opts.input !== undefined) c.stdin?.end(opts.input);
        else c.stdin?.end();
      });
    },
  };
  return host;
}
