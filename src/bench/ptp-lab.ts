// Starting measurement peers inside a namespace host: our PTP node (ptp-node.ts) and linuxptp's
// ptp4l, always free-running with software timestamps so it never touches a system clock.
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PtpNodeOptions } from './ptp-node.js';

/** What the harness needs of a namespace host (test/support/netns.ts's LanHost fits). */
export interface PtpHost {
  ns: string;
  ifname: string;
  ip: string;
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
}

export interface Peer {
  proc: ChildProcess;
  output(): string;
  errors(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const NODE_JS = fileURLToPath(new URL('./ptp-node.js', import.meta.url));

function peer(proc: ChildProcess): Peer {
  let out = '';
  let err = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    output: () => out,
    errors: () => err,
    exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
      proc.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}

export function startPtpNode(host: PtpHost, opts: Omit<PtpNodeOptions, 'ip'>, env: NodeJS.ProcessEnv = {}): Peer {
  return peer(host.spawn(process.execPath, [NODE_JS, JSON.stringify({ ...opts, ip: host.ip })], { env: { ...process.env, INFERNO_LOG_LEVEL: 'info', ...env } }));
}

export interface Ptp4lOptions {
  domain?: number;
  priority1?: number;
  priority2?: number;
  /** Never lead (slaveOnly). */
  followerOnly?: boolean;
  /** Extra `key value` lines for [global]. */
  extra?: Record<string, string | number>;
}

/**
 * ptp4l over UDP/IPv4 with software timestamps and `free_running 1`: it measures and logs offsets
 * but never adjusts CLOCK_REALTIME (which all namespaces share).
 */
export function startPtp4l(host: PtpHost, o: Ptp4lOptions = {}): Peer {
  const dir = mkdtempSync(join(tmpdir(), 'inferno-ptp4l-'));
  const conf = join(dir, 'ptp4l.conf');
  const lines = [
    '[global]',
    `domainNumber ${o.domain ?? 0}`,
    `priority1 ${o.priority1 ?? 128}`,
    `priority2 ${o.priority2 ?? 128}`,
    `slaveOnly ${o.followerOnly ? 1 : 0}`,
    'free_running 1',
    'time_stamping software',
    'network_transport UDPv4',
    'delay_mechanism E2E',
    // AES67 media profile intervals, as our v2 port uses.
    'logSyncInterval -3',
    'logAnnounceInterval 1',
    'logMinDelayReqInterval -3',
    'announceReceiptTimeout 3',
    ...Object.entries(o.extra ?? {}).map(([k, v]) => `${k} ${v}`),
  ];
  writeFileSync(conf, lines.join('\n') + '\n');
  const proc = host.spawn('ptp4l', ['-4', '-S', '-m', '-q', '--free_running=1', '-f', conf, '-i', host.ifname], { env: process.env });
  proc.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return peer(proc);
}
