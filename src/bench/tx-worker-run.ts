// The transmit worker measured like the pacers: device A (in a namespace) sends 16 flows of 8
// channels, fpp 16, 24-bit, to `bench/flow-sink.c` in a second namespace, which asked for them
// over the flows port, keeps them alive and never reads the audio (the pacers' sink never reads
// either). No receiving device shares the CPUs, so ours and the C reference face the same machine.
import { encode as encodeFlowRequest } from '../core/flows/request.js';
import { decodeReply } from '../core/flows/messages.js';
import { FLOW_STATUS_OK } from '../core/flows/limits.js';
import { DEFAULT_PORTS } from '../config/device-config.js';
import { buildC } from './cbuild.js';
import { startDevice } from './device-process.js';
import type { BenchDevice } from './device-process.js';
import { createBenchLan, stopChild } from './netns.js';
import { startSampler } from './proc.js';
import { waitWithProgress } from './progress.js';
import type { Progress } from './scenario.js';
import { round } from './stats.js';

export interface TxWorkerParams {
  flows: number;
  channelsPerFlow: number;
  fpp: number;
  seconds: number;
  /** A's TX latency (ns); it bounds how early A may send, not the lateness measured. */
  latencyNs: number;
  /** Pacing flags for A (--tx-spin-us, --realtime). */
  txFlags: string[];
}

export interface TxWorkerResult {
  flows: number;
  lateness?: unknown;
  thread?: unknown;
  gc?: unknown;
  processCpuPercent: number;
  peakRssBytes: number;
}

const SINK_BASE_PORT = 17000;
const START_TIMEOUT_MS = 25_000;
type Json = Record<string, unknown>;

/** Polls `probe` until it gives a value; `what` is evaluated at the timeout, with what is known then. */
async function waitFor<T>(what: () => string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function runTxWorker(p: TxWorkerParams, progress: Progress, from = 0.8, to = 1): Promise<TxWorkerResult> {
  const say = (f: number, text: string) => progress.update(from + (to - from) * f, text);
  const sinkProgram = buildC('flow-sink');
  const lan = createBenchLan(2, '10.79.2');
  const [ha, hb] = lan.hosts as [(typeof lan.hosts)[0], (typeof lan.hosts)[0]];
  let a: BenchDevice | undefined;
  let sink: ReturnType<typeof ha.spawn> | undefined;
  try {
    say(0, 'transmit worker: starting the device');
    const channels = p.flows * p.channelsPerFlow;
    a = startDevice(ha, 'bench-tx', ['--clock', 'local', '--sample-rate', '48000', '--tx-channels', String(channels), '--rx-channels', '2',
      '--tx-source', 'pattern', '--tx-latency-ns', String(p.latencyNs), ...p.txFlags]);
    const dev = a;
    await waitFor(() => `the device to answer /status (it said: ${dev.output().slice(-300)})`, START_TIMEOUT_MS, () => dev.status());
    const requests = Array.from({ length: p.flows }, (_, i) => encodeFlowRequest({
      transactionId: 0x100 + i,
      receiverName: 'bench-sink',
      flowName: `sink-${i}`,
      sampleRate: 48000,
      bitsPerSample: 24,
      channels: Array.from({ length: p.channelsPerFlow }, (_, c) => i * p.channelsPerFlow + c + 1),
      framesPerPacket: p.fpp,
      receiverIp: hb.ip,
      receiverPort: SINK_BASE_PORT + i,
    }).toString('hex'));
    const s = hb.spawn(sinkProgram, [hb.ip, String(SINK_BASE_PORT), ha.ip, String(DEFAULT_PORTS.flows), ...requests]);
    sink = s;
    let out = '';
    s.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    s.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
    await waitFor(() => `the flow sink (it said: ${out.slice(-300)})`, START_TIMEOUT_MS, () => {
      if (/^ready$/m.test(out)) return true;
      if (s.exitCode !== null) throw new Error(`the flow sink ended: ${out.slice(-400)}`);
      return undefined;
    });
    for (const m of out.matchAll(/^reply (\d+) (\S+)$/gm)) {
      const ok = m[2] !== 'timeout' && decodeReply(Buffer.from(m[2]!, 'hex')).status === FLOW_STATUS_OK;
      if (!ok) throw new Error(`flow ${m[1]} was refused: ${m[2]}`);
    }
    say(0.1, 'transmit worker: measuring');
    const sampler = startSampler(dev.pid, 500);
    await waitWithProgress({ update: (f, t) => say(0.1 + 0.9 * f, `transmit worker: ${t}`) }, p.seconds, 'measuring');
    const fig = sampler.stop();
    const tx = (await dev.status())?.transmit as Json | undefined;
    const flows = (tx?.flows as unknown[] | undefined)?.length ?? 0;
    return { flows, lateness: tx?.lateness, thread: tx?.thread, gc: tx?.gc, processCpuPercent: round(fig.cpuPercent, 1), peakRssBytes: fig.peakRssBytes };
  } finally {
    if (sink) await stopChild(sink);
    await a?.stop();
    await lan.destroy();
  }
}
