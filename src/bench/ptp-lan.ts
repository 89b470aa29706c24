// A private LAN of network namespaces for the PTP benchmark (the benchmark never runs PTP in the
// machine's own namespace): a bridge namespace and one namespace per host, deleted by name on
// destroy() and at exit. The tests use their own helper with the same layout.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { PtpHost } from './ptp-lab.js';

export interface BenchLan {
  hosts: PtpHost[];
  destroy(): void;
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${(r.stderr || r.stdout || '').trim()}`);
}

let counter = 0;

export function createBenchLan(count: number, tag: string): BenchLan {
  const id = `${process.pid % 100000}${(counter++).toString(36)}`;
  const sw = `inf-${tag}-${id}-sw`;
  const names = [sw];
  const children: ChildProcess[] = [];
  const destroy = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const n of names) spawnSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
  };
  process.once('exit', destroy);
  const hosts: PtpHost[] = [];
  try {
    ip(['netns', 'add', sw]);
    ip(['-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    ip(['-n', sw, 'link', 'set', 'br0', 'up']);
    for (let i = 1; i <= count; i++) {
      const ns = `inf-${tag}-${id}-h${i}`;
      ip(['netns', 'add', ns]);
      names.push(ns);
      ip(['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', sw]);
      ip(['-n', sw, 'link', 'set', `p${i}`, 'master', 'br0']);
      ip(['-n', sw, 'link', 'set', `p${i}`, 'up']);
      const addr = `10.78.0.${i}`;
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
          children.push(c);
          return c;
        },
      });
    }
  } catch (err) {
    destroy();
    throw err;
  }
  return { hosts, destroy };
}
