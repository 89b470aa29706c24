// `bench rx-capacity`: the highest packet rate one receive thread takes with zero loss. A separate
// sender process (the C program's blast mode) offers stepped load over loopback to 8 flows of
// 8 channels (fpp 16, 24-bit); the receiving thread runs the receive worker's per-packet path.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildC, cBuildUnavailable } from '../cbuild.js';
import { onCleanup } from '../cleanup.js';
import { checkTarget, newSession } from '../results.js';
import type { RxCounts, RxWorkerData, RxWorkerMessage } from '../rx-worker.js';
import { round } from '../stats.js';
import { lineSvg } from '../svg.js';
import { durationOf } from '../scenario.js';
import type { Plot, Scenario } from '../scenario.js';

const WORKER = fileURLToPath(new URL('../rx-worker.js', import.meta.url));
export const RX_TARGET_PPS = 200_000;
export const RX_STEPS_PPS = [50_000, 100_000, 150_000, 200_000, 250_000, 300_000, 400_000, 500_000];
/** Time after the sender exits for queued datagrams to be read before counting. */
const DRAIN_MS = 300;

interface Step {
  offeredPps: number;
  sent: number;
  received: number;
  lost: number;
  /** Achieved send rate: the sender may fall short of the offer on a busy machine. */
  sentPps: number;
  receiverCpuPercent: number;
}

function blast(exe: string, ports: number[], flows: number, bytes: number, pps: number, seconds: number): Promise<{ sent: number; sendErrors: number; wallNs: number }> {
  return new Promise((resolve, reject) => {
    const c = spawn(exe, ['blast', '127.0.0.1', ports.join(','), String(flows), String(bytes), '16', String(pps), String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const off = onCleanup(() => c.kill('SIGKILL'));
    let out = '';
    let err = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    c.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    c.once('error', reject);
    c.once('exit', (code) => {
      off();
      if (code !== 0) reject(new Error(`sender exited with ${String(code)}: ${err.trim()}`));
      else resolve(JSON.parse(out) as { sent: number; sendErrors: number; wallNs: number });
    });
  });
}

export const rxCapacityScenario: Scenario = {
  name: 'rx-capacity',
  description: 'highest zero-loss packet rate of one receive thread (receive-path code, 8 flows × 8 ch, fpp 16) from a separate sender process (duration is per step)',
  defaultDurationS: 2,
  async unavailable() {
    return cBuildUnavailable('tx-pacer');
  },
  async run(opts, progress) {
    const seconds = durationOf(rxCapacityScenario, opts);
    const exe = buildC('tx-pacer');
    const data: RxWorkerData = { role: 'rx-capacity', ip: '127.0.0.1', flows: 8, channelsPerFlow: 8, bytesPerSample: 3, rate: 48000, recvBufferBytes: 4 * 2 ** 20 };
    const bytes = 9 + 16 * data.channelsPerFlow * data.bytesPerSample;
    const worker = new Worker(WORKER, { workerData: data });
    const off = onCleanup(() => void worker.terminate());
    const inbox: RxWorkerMessage[] = [];
    let wake: () => void = () => undefined;
    worker.on('message', (m: RxWorkerMessage) => {
      inbox.push(m);
      wake();
    });
    const next = async <T extends RxWorkerMessage['type']>(type: T): Promise<Extract<RxWorkerMessage, { type: T }>> => {
      for (;;) {
        const i = inbox.findIndex((m) => m.type === type);
        if (i >= 0) return inbox.splice(i, 1)[0] as Extract<RxWorkerMessage, { type: T }>;
        await new Promise<void>((r) => (wake = r));
      }
    };
    const steps: Step[] = [];
    let ready: Extract<RxWorkerMessage, { type: 'ready' }>;
    try {
      ready = await next('ready');
      let failures = 0;
      for (const [i, pps] of RX_STEPS_PPS.entries()) {
        progress.update(i / RX_STEPS_PPS.length, `offering ${pps / 1000}k packets/s`);
        worker.postMessage('reset');
        const s = await blast(exe, ready.ports, data.flows, bytes, pps, seconds);
        await new Promise((r) => setTimeout(r, DRAIN_MS));
        worker.postMessage('count');
        const c: RxCounts = await next('counts');
        steps.push({ offeredPps: pps, sent: s.sent, received: c.packets, lost: s.sent - c.packets, sentPps: Math.round(s.sent / (s.wallNs / 1e9)), receiverCpuPercent: round((c.cpuNs / (s.wallNs + DRAIN_MS * 1e6)) * 100, 1) });
        // One failing step may be a burst of background load; two in a row end the search.
        if (s.sent - c.packets > 0 && ++failures >= 2) break;
      }
    } finally {
      worker.postMessage('stop');
      await worker.terminate();
      off();
    }
    const clean = steps.filter((s) => s.lost === 0);
    const best = clean.length ? Math.max(...clean.map((s) => s.sentPps)) : 0;
    const samplesPerPacket = 16 * data.channelsPerFlow;
    const session = newSession('rx-capacity', { secondsPerStep: seconds, steps: RX_STEPS_PPS, flows: data.flows, channelsPerFlow: data.channelsPerFlow, fpp: 16, bytesPerSample: 3, packetBytes: bytes, recvBufferBytes: ready.recvBufferBytes, transport: 'UDP over loopback; sender: separate process, sendmmsg in 1 ms batches', receiver: 'one worker thread, node:dgram sockets, RxFlowReceiver + media rings (the receive worker\'s packet path)' });
    session.figures = { zeroLossPacketsPerSecond: best, zeroLossSamplesPerSecond: best * samplesPerPacket, steps };
    session.notes.push(`zero loss up to ${best} packets/s = ${((best * samplesPerPacket) / 1e6).toFixed(1)} Msamples/s`);
    session.notes.push('measures the receive worker\'s packet path in a harness thread; the device\'s receive worker itself is measured end to end by e2e');
    session.targets.push(checkTarget('zero-loss packet rate', `≥ ${RX_TARGET_PPS} packets/s with zero loss`, 'min', best, RX_TARGET_PPS, 'packets/s'));
    const table = [
      ['offered pps', 'sent pps', 'received pps', 'lost packets', 'receiver CPU'],
      ...steps.map((s) => [String(s.offeredPps), String(s.sentPps), String(Math.round(s.received / seconds)), String(s.lost), `${s.receiverCpuPercent} %`]),
    ];
    const plots: Plot[] = [];
    if (opts.plot && steps.length) {
      plots.push({ name: 'loss', svg: lineSvg('rx-capacity: received vs offered', 'offered packets/s', 'packets/s', [
        { label: 'received', points: steps.map((s) => [s.offeredPps, s.received / seconds] as [number, number]) },
        { label: 'lost', points: steps.map((s) => [s.offeredPps, s.lost / seconds] as [number, number]) },
      ]) });
    }
    return { session, table, plots };
  },
};
