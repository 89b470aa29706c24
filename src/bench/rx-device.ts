// A receive-only device whose receive worker takes the rx-capacity load. Its 8 flows are opened the
// real way: device A transmits 64 channels, B subscribes to all of them (8 flows of 8 channels,
// 24-bit, 16 frames per packet), then A is stopped and the benchmark's sender takes over the flows'
// ports. B counts what its receive worker read in /status; the sender counts what it sent.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { BenchDevice } from './device-process.js';
import { startDevice, STATUS_PORT } from './device-process.js';
import type { BenchHost, BenchLan } from './netns.js';
import { stopChild } from './netns.js';
import type { RxSocketSetting } from '../config/schema.js';

export const RX_CAPACITY_FLOWS = 8;
export const RX_CAPACITY_CHANNELS = 64;
/** RX latency of B: 64 samples, for which the receiver asks 16 frames per packet (a quarter). */
const RX_LATENCY_NS = 1_340_000;
const START_TIMEOUT_S = 30;

type Json = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);

export interface RxCounts {
  /** Datagrams the receive worker read: well-formed plus malformed. */
  read: number;
  /** Flows B still has open (a flow without audio for 2 s is dropped). */
  flows: number;
  /** UDP datagrams B's namespace dropped because a socket's receive buffer was full (RcvbufErrors). */
  rcvbufErrors: number;
  /** Bytes still queued on B's flow sockets, not yet read by the receive worker. */
  queuedBytes: number;
  /** Host-wide input backlog drops (see backlogDrops). */
  backlogDrops: number;
}

/** Datagrams waiting in the receive queues of `ports` inside the namespace (/proc/net/udp). */
export function udpQueuedBytes(ns: string, ports: readonly number[]): number {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/udp'], { encoding: 'utf8' });
  const want = new Set(ports);
  let queued = 0;
  for (const line of (r.stdout ?? '').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const port = parseInt(f[1]!.split(':')[1] ?? '', 16);
    if (want.has(port)) queued += parseInt(f[4]!.split(':')[1] ?? '0', 16);
  }
  return queued;
}

/** Packets the kernel dropped because a CPU's input backlog was full (net.core.netdev_max_backlog),
 *  summed over CPUs from /proc/net/softnet_stat: host-wide, so other traffic counts too. */
export function backlogDrops(): number {
  try {
    return readFileSync('/proc/net/softnet_stat', 'utf8').split('\n').filter(Boolean).reduce((a, l) => a + parseInt(l.split(' ')[1] ?? '0', 16), 0);
  } catch {
    return NaN;
  }
}

/** A counter of the Udp line of /proc/net/snmp inside the namespace (NaN when unreadable). */
export function udpCounter(ns: string, name: string): number {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp'], { encoding: 'utf8' });
  const lines = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('Udp:'));
  if (lines.length < 2) return NaN;
  const keys = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[keys.indexOf(name)]);
}

export interface RxCapacityDevice {
  device: BenchDevice;
  /** The receive worker's flow sockets: 'native' (batched recvmmsg) or 'dgram'. */
  socket: string;
  ports: number[];
  /** Frames per packet B asked for; the same on every flow. */
  fpp: number;
  /** Bytes per datagram of B's flows: header + fpp frames × 8 channels × 3 bytes. */
  packetBytes: number;
  counts(): Promise<RxCounts>;
  stop(): Promise<void>;
}

function countsOf(st: Json | undefined, kernel: Pick<RxCounts, 'rcvbufErrors' | 'queuedBytes' | 'backlogDrops'>): RxCounts {
  const rx = st?.receive as Json | undefined;
  if (!rx) throw new Error('the receiving device did not answer /status');
  return { read: num(rx.packets) + num(rx.malformed), flows: ((rx.flows as Json[] | undefined) ?? []).filter((f) => f.state === 'active').length, ...kernel };
}

/** One process in the host's namespace that fetches a URL per line on its stdin: reading /status
 *  between load steps must not cost a Node.js start-up each time (on a busy machine that took
 *  seconds, long enough for B to drop its flows). */
function statusReader(host: BenchHost, url: string): { get(): Promise<Json | undefined>; close(): Promise<void> } {
  const script = `require('node:readline').createInterface({ input: process.stdin }).on('line', () =>
    fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(5000) }).then((r) => r.text()).then((t) => console.log(t.replace(/\\n/g, ' ')), () => console.log('null')));`;
  const c = host.spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting: ((v: Json | undefined) => void)[] = [];
  createInterface({ input: c.stdout! }).on('line', (line) => {
    let v: Json | undefined;
    try {
      v = (JSON.parse(line) as Json | null) ?? undefined;
    } catch {
      v = undefined;
    }
    waiting.shift()?.(v);
  });
  c.once('exit', () => {
    for (const w of waiting.splice(0)) w(undefined);
  });
  return {
    get: () =>
      new Promise((resolve) => {
        if (c.exitCode !== null || !c.stdin!.writable) return resolve(undefined);
        waiting.push(resolve);
        c.stdin!.write('\n');
      }),
    close: async () => {
      c.stdin!.end();
      await stopChild(c);
    },
  };
}

export async function startRxCapacityDevice(lan: BenchLan, rxSocket: RxSocketSetting = 'auto'): Promise<RxCapacityDevice> {
  const [ha, hb] = lan.hosts as [BenchLan['hosts'][0], BenchLan['hosts'][0]];
  const common = ['--sample-rate', '48000', '--clock', 'local'];
  const a = startDevice(ha, 'bench-cap-tx', [...common, '--tx-channels', String(RX_CAPACITY_CHANNELS), '--rx-channels', '2', '--tx-source', 'silence']);
  const subs = Array.from({ length: RX_CAPACITY_CHANNELS }, (_, i) => ['--subscribe', `${i + 1}=${String(i + 1).padStart(2, '0')}@bench-cap-tx`]).flat();
  let b: BenchDevice | undefined;
  try {
    b = startDevice(hb, 'bench-cap-rx', [...common, '--rx-channels', String(RX_CAPACITY_CHANNELS), '--tx-channels', '2', '--rx-latency-ns', String(RX_LATENCY_NS), '--rx-socket', rxSocket, ...subs]);
    const end = Date.now() + START_TIMEOUT_S * 1000;
    let flows: Json[] = [];
    let socket = '';
    for (;;) {
      const rx = (await b.status())?.receive as Json | undefined;
      socket = String(rx?.socket ?? 'unknown');
      // The subscription manager's view: one entry per flow, with B's port and the frames per packet.
      flows = (rx?.flows as Json[] | undefined) ?? [];
      if (num(rx?.packets) > 0 && flows.length === RX_CAPACITY_FLOWS && flows.every((f) => f.state === 'active' && num(f.port) > 0)) break;
      if (Date.now() > end) throw new Error(`B did not open ${RX_CAPACITY_FLOWS} receiving flows within ${START_TIMEOUT_S} s; B's flows: ${JSON.stringify(flows).slice(0, 600)}; B said: ${b.output().slice(-600)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const fpps = new Set(flows.map((f) => num(f.fpp)));
    if (fpps.size !== 1) throw new Error(`B's flows differ in frames per packet: ${[...fpps].join(', ')}`);
    const fpp = [...fpps][0]!;
    // Killed, not stopped: a goodbye (mDNS, conmon) could make B drop its subscriptions at once.
    a.proc.kill('SIGKILL');
    await a.stop();
    const device = b;
    const reader = statusReader(hb, `http://${hb.ip}:${STATUS_PORT}/status`);
    const ports = flows.map((f) => num(f.port));
    return {
      device,
      socket,
      ports,
      fpp,
      packetBytes: 9 + fpp * (RX_CAPACITY_CHANNELS / RX_CAPACITY_FLOWS) * 3,
      counts: async () => {
        // Kernel queues first: what is queued then is read by the time /status answers, or still queued.
        const queuedBytes = udpQueuedBytes(hb.ns, ports);
        const kernel = { rcvbufErrors: udpCounter(hb.ns, 'RcvbufErrors'), backlogDrops: backlogDrops() };
        return countsOf(await reader.get(), { ...kernel, queuedBytes });
      },
      stop: async () => {
        await reader.close();
        await device.stop();
      },
    };
  } catch (err) {
    await a.stop();
    await b?.stop();
    throw err;
  }
}
