// End-to-end helpers: real devices (`node dist/main.js`, `--clock local`) in namespace hosts, an ARC
// controller run next to them, and the sample-exact check of captured s32le files against the
// pattern (`--tx-source pattern`) for the media time of each frame.
import { spawnSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LanHost, RunResult } from './netns.js';
import type { ChildProcess } from 'node:child_process';
import { mainJs, projectRoot, startInferno, waitFor } from './inferno-process.js';
import type { InfernoProcess } from './inferno-process.js';
import { patternSample } from '../../dist/core/pattern.js';
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

export function readS32(path: string): Int32Array {
  const b = readFileSync(path);
  return new Int32Array(b.buffer, b.byteOffset, Math.floor(b.length / 4));
}

export interface ChannelCheck {
  rx: number;
  /** Frame index (in the file) of the first frame equal to the pattern. */
  first: number;
  checked: number;
  mismatches: number;
  /** Zero samples where the pattern is not zero. */
  zeros: number;
  /** Media times of the zero samples, in runs [start, length]. */
  zeroRuns: [number, number][];
  /** Zero samples between the first matching frame and `from` (start-up, not checked). */
  startupZeros: number;
  firstBad?: { frame: number; got: number; want: number; offset?: number; channel?: number; mediaTime: number };
}

/**
 * Checks RX channel `rx` (1-based) of an interleaved capture with `channels` channels, frame k at media
 * time `t0 + k`, against `patternSample(txChannel, t, bits)` from its first matching frame (or media
 * time `from`, if later) to the end.
 */
export function checkChannel(s: Int32Array, channels: number, rx: number, txChannel: number, bits: number, t0: number, from = -Infinity): ChannelCheck {
  const frames = Math.floor(s.length / channels);
  const out: ChannelCheck = { rx, first: -1, checked: 0, mismatches: 0, zeros: 0, zeroRuns: [], startupZeros: 0 };
  let k = 0;
  for (; k < frames; k++) if (s[k * channels + rx - 1] !== 0 && s[k * channels + rx - 1] === patternSample(txChannel, t0 + k, bits)) break;
  if (k === frames) return out;
  out.first = k;
  for (; k < frames && t0 + k < from; k++) if (s[k * channels + rx - 1] === 0) out.startupZeros++;
  for (; k < frames; k++) {
    const got = s[k * channels + rx - 1]!;
    const want = patternSample(txChannel, t0 + k, bits);
    out.checked++;
    if (got === want) continue;
    if (got === 0) {
      out.zeros++;
      const last = out.zeroRuns[out.zeroRuns.length - 1];
      if (last && last[0] + last[1] === t0 + k) last[1]++;
      else out.zeroRuns.push([t0 + k, 1]);
    } else {
      out.mismatches++;
      if (!out.firstBad) {
        // Where the wrong sample belongs: another media time of this channel, or another channel.
        let offset: number | undefined;
        for (let d = 1; d <= 200_000 && offset === undefined; d++) for (const o of [d, -d]) if (patternSample(txChannel, t0 + k + o, bits) === got) offset = o;
        let channel: number | undefined;
        for (let ch = 1; ch <= 128 && channel === undefined; ch++) if (patternSample(ch, t0 + k, bits) === got) channel = ch;
        out.firstBad = { frame: k, got, want, offset, channel, mediaTime: t0 + k };
      }
    }
  }
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface FifoCapture {
  /** Media time (at `rate`) when each chunk arrived, and its size in bytes. */
  chunks: { at: number; bytes: number }[];
  closed: Promise<void>;
  samples(): Int32Array;
}

/** Makes a FIFO at `path` and reads it from this process, time-stamping each chunk on the media clock. */
export function readFifo(path: string, rate: number): FifoCapture {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed`);
  const chunks: { at: number; bytes: number }[] = [];
  const parts: Buffer[] = [];
  const reader = createReadStream(path);
  const closed = new Promise<void>((res) => reader.once('close', () => res()));
  reader.on('data', (b) => {
    chunks.push({ at: mediaNow(rate), bytes: (b as Buffer).length });
    parts.push(b as Buffer);
  });
  return {
    chunks,
    closed,
    samples() {
      const d = Buffer.concat(parts);
      return new Int32Array(d.buffer, d.byteOffset, Math.floor(d.length / 4));
    },
  };
}

/**
 * Delivery latency seen by the FIFO reader: for each chunk, its arrival − the media time just after
 * its last frame (samples), for chunks ending at or after media time `from`.
 */
export function fifoLatencies(cap: FifoCapture, channels: number, t0: number, from: number): number[] {
  let frames = 0;
  const out: number[] = [];
  for (const c of cap.chunks) {
    frames += c.bytes / 4 / channels;
    if (t0 + frames >= from) out.push(c.at - (t0 + frames));
  }
  return out.sort((a, b) => a - b);
}
