// End-to-end helpers: real devices (`node dist/main.js`, `--clock local`) in namespace hosts and an
// ARC controller run next to them. Their captured audio is checked by capture-check.ts.
import { resolve } from 'node:path';
import type { LanHost, RunResult } from './netns.js';
import type { ChildProcess } from 'node:child_process';
import { mainJs, projectRoot, startInferno, waitFor } from './inferno-process.js';
import type { InfernoProcess } from './inferno-process.js';
import { mediaTimeFromSplit } from '../../dist/core/media-time.js';
import { CLOCK_TAI, loadNative } from '../../dist/native/index.js';

const native = loadNative();
const clk = new Float64Array(2);
/** Media time now on the devices' clock (`--clock local`: this machine's CLOCK_TAI). */
export function mediaNow(rate: number): number {
  native.clockReadInto(CLOCK_TAI, clk, 0);
  return mediaTimeFromSplit(clk[0]!, clk[1]!, rate);
}

export const arcScript = resolve(projectRoot, 'dist-test', 'support', 'e2e-arc.js');
export const HTTP_PORT = 18080;

export interface DeviceOptions {
  name: string;
  stateDir: string;
  /** Stable device id, so a restarted device is the same device. */
  deviceId: string;
  tx?: number;
  rx?: number;
  rate?: number;
  rxLatencyNs?: number;
  sink?: string;
  extra?: string[];
  /** Command the device is exec'd through (see startInferno), e.g. `['chrt', '-f', '10']`. */
  wrap?: string[];
}

export interface E2eDevice {
  name: string;
  host: LanHost;
  opts: DeviceOptions;
  proc: InfernoProcess;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status(): Promise<any>;
}

export function deviceArgs(o: DeviceOptions): string[] {
  return [
    '--bind-ip', 'eth0', '--name', o.name, '--device-id', o.deviceId, '--state-dir', o.stateDir, '--http', `127.0.0.1:${HTTP_PORT}`,
    '--tx-channels', String(o.tx ?? 8), '--rx-channels', String(o.rx ?? 2), '--sample-rate', String(o.rate ?? 48000),
    // Transmitters at SCHED_FIFO (as a real deployment would run them): on a loaded 2-core machine a
    // CFS-scheduled transmit worker stalls 10-280 ms. E2E_NORT=1 runs them without it.
    '--rx-latency-ns', String(o.rxLatencyNs ?? 10_000_000), '--tx-source', 'pattern', ...(process.env.E2E_NORT ? [] : ['--realtime', 'true']), '--rx-sink', o.sink ?? 'none',
    ...(o.extra ?? []),
  ];
}

/**
 * One long-lived fetcher per namespace host (a node start costs a core for ~50 ms on this kind of
 * machine, which disturbs the audio; polling through a fresh process each time would measure that).
 */
const fetchers = new Map<string, { proc: ChildProcess; queue: ((line: string) => void)[] }>();
const FETCHER = `const rl = require('node:readline').createInterface({ input: process.stdin });
let chain = Promise.resolve();
rl.on('line', (url) => (chain = chain.then(() => fetch(url, { signal: AbortSignal.timeout(3000) }).then((r) => r.status === 200 ? r.text() : '').catch(() => '')
  .then((body) => process.stdout.write(JSON.stringify(body) + '\\n')))));`;

export function fetchIn(host: LanHost, url: string): Promise<string> {
  let f = fetchers.get(host.ns);
  if (!f || f.proc.exitCode !== null) {
    const proc = host.spawn(process.execPath, ['-e', FETCHER]);
    const entry = { proc, queue: [] as ((line: string) => void)[] };
    let buf = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        entry.queue.shift()?.(JSON.parse(line) as string);
      }
    });
    proc.once('exit', () => { for (const q of entry.queue.splice(0)) q(''); fetchers.delete(host.ns); });
    f = entry;
    fetchers.set(host.ns, f);
  }
  const entry = f;
  return new Promise((resolve) => {
    entry.queue.push(resolve);
    entry.proc.stdin!.write(url + '\n');
  });
}

export function stopFetchers(): void {
  for (const f of fetchers.values()) f.proc.stdin?.end();
  fetchers.clear();
}

export async function startDevice(host: LanHost, o: DeviceOptions): Promise<E2eDevice> {
  const proc = startInferno(host, deviceArgs(o), {}, o.wrap);
  const dev: E2eDevice = {
    name: o.name, host, opts: o, proc,
    async status() {
      const body = await fetchIn(host, `http://127.0.0.1:${HTTP_PORT}/status`);
      return body ? JSON.parse(body) : undefined;
    },
  };
  await waitFor(async () => ((await dev.status())?.control ? true : undefined), 15000).catch((e: Error) => {
    throw new Error(`${o.name}: ${e.message}\n${proc.output()}`);
  });
  return dev;
}

/** Runs an ARC request from `host` to `target` (see e2e-arc.ts). */
export async function arc(host: LanHost, target: LanHost, op: 'subscribe' | 'multicast' | 'remove', arg: unknown): Promise<RunResult> {
  const r = await host.run(process.execPath, [arcScript, target.ip, '4440', op, JSON.stringify(arg)], { timeoutMs: 10000 });
  if (r.code !== 0) throw new Error(`ARC ${op} to ${target.ip} failed: ${r.stderr}${r.stdout}`);
  return r;
}

export function ctl(host: LanHost, ...args: string[]): Promise<RunResult> {
  return host.run(process.execPath, [mainJs, 'ctl', ...args, '--interface', host.ifname], { timeoutMs: 20000 });
}

/** RX channel statuses (ARC 0x3000 status word) via `inferno ctl channels IP --json`. */
export async function rxStatuses(host: LanHost, target: LanHost): Promise<number[] | undefined> {
  const r = await ctl(host, 'channels', target.ip, '--json');
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as { rx: { status: number }[] }).rx.map((c) => c.status);
}

/** Low u16 of the RX status word: 9 unicast, 10 multicast receiving (§3.7). */
export const RECEIVING = new Set([9, 10]);
export const isReceiving = (status: number): boolean => RECEIVING.has(status & 0xffff);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a receiving device at SCHED_FIFO 10 from its start (its transmit and receive workers raise
 * themselves to 81/80 with `--realtime`), as an audio deployment would run it: on a loaded 2-core
 * machine the thread-pool thread that writes the FIFO sink otherwise stalls long enough to fill the
 * sink's buffers, which is a property of the machine, not of the device under test.
 */
export const REALTIME_DEVICE = ['chrt', '-f', '10'];

/**
 * A device's /status, retried: one fetch may time out while a loaded machine catches up, and a
 * fetcher process that stopped answering is replaced.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function statusOf(dev: { name: string; status(): Promise<any>; proc?: { output(): string } }): Promise<any> {
  let failures = 0;
  return waitFor(async () => {
    const s = await dev.status();
    if (s === undefined && ++failures % 2 === 0) stopFetchers();
    return s;
  }, 30000, 200).catch((e: Error) => {
    throw new Error(`${dev.name} /status: ${e.message}\n${dev.proc?.output().slice(-2000) ?? ''}`);
  });
}

/** The namespace's UDP receive-buffer overflows (/proc/net/snmp RcvbufErrors): packets the kernel dropped. */
export async function udpRcvbufErrors(host: LanHost): Promise<number> {
  const r = await host.run('cat', ['/proc/net/snmp']);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, values] = lines.map((l) => l.trim().split(/\s+/));
  const i = names?.indexOf('RcvbufErrors') ?? -1;
  return i > 0 ? Number(values?.[i]) : NaN;
}
