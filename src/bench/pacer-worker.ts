// "js-pacer": our transmit pacing in a worker thread, built from the primitives the transmit
// worker uses (native sleepUntil on the media-clock deadline, optional spin, encodeAudioPacket,
// the transmit worker's flow sockets: one connected non-blocking socket per flow, sending in the
// call). The loop blocks like the transmit worker's and never yields to the event loop while pacing.
import { parentPort, workerData } from 'node:worker_threads';
import { TxSampleConverter, encodeAudioPacket } from '../core/audio/index.js';
import type { BytesPerSample, InterleavedSource } from '../core/audio/index.js';
import { loadNative, type UdpSender } from '../native/index.js';
import { threadCpuNs } from './proc.js';

export interface PacerConfig {
  ip: string;
  port: number;
  flows: number;
  channels: number;
  fpp: number;
  rate: number;
  bytesPerSample: BytesPerSample;
  seconds: number;
  mode: 'sleep' | 'spin';
  /** spin mode: wake this long before the deadline and spin the rest. */
  spinNs: number;
  realtime: boolean;
}

export interface PacerReport {
  /** ns after the deadline, taken right after each send returned. */
  lateness: Int32Array;
  packets: number;
  packetBytes: number;
  sendErrors: number;
  cpuNs: number;
  wallNs: number;
  sched: string;
  schedError: string;
  native: boolean;
}

async function run(c: PacerConfig): Promise<PacerReport> {
  const native = loadNative();
  const MONO = native.CLOCK_MONOTONIC;
  native.setTimerSlackNs(1); // as the transmit worker does
  let sched = 'other';
  let schedError = '';
  if (c.realtime) {
    const r = native.setRealtimePriority('rr', 1);
    if (r.ok) sched = 'rr';
    else schedError = `${r.errno}: ${r.message}`;
  }
  const sockets: UdpSender[] = [];
  for (let f = 0; f < c.flows; f++) sockets.push(await native.udpSenderOpen({ bindAddress: c.ip, address: c.ip, port: c.port }));
  // A counting pattern per channel, so encoding does real work on changing samples.
  const samples = new Int32Array(c.fpp * c.channels);
  const source: InterleavedSource = { samples, stride: c.channels, slotMap: Array.from({ length: c.channels }, (_, i) => i) };
  const tx = new TxSampleConverter(c.bytesPerSample === 3 ? 24 : c.bytesPerSample === 2 ? 16 : 32);
  const bufs = sockets.map(() => Buffer.alloc(9 + c.fpp * c.channels * c.bytesPerSample));
  const cycles = Math.floor((c.seconds * c.rate) / c.fpp);
  const lateness = new Int32Array(cycles * c.flows);
  let errors = 0;
  const now = () => Number(native.clockNs(MONO));
  const sleepTo = (ns: number) => native.sleepUntilParts(MONO, Math.floor(ns / 1e9), ns % 1e9);
  const origin = Math.ceil((now() + 50e6) / 1e3) * 1e3;
  const cpu0 = threadCpuNs();
  const wall0 = now();
  let len = 0;
  for (let k = 0; k < cycles; k++) {
    // Exact media-clock deadline of packet k (integer ns, no accumulated rounding).
    const deadline = origin + Math.floor((k * c.fpp * 1e9) / c.rate);
    if (c.mode === 'spin') {
      sleepTo(deadline - c.spinNs);
      while (now() < deadline) { /* spin the last stretch */ }
    } else sleepTo(deadline);
    const media = k * c.fpp;
    for (let i = 0; i < samples.length; i++) samples[i] = (media + i) << 8;
    for (let f = 0; f < c.flows; f++) {
      len = encodeAudioPacket(bufs[f]!, media, c.rate, source, 0, c.fpp, c.bytesPerSample, tx);
      if (sockets[f]!.send(bufs[f]!, len, 1) !== 1) errors++;
      const l = now() - deadline;
      lateness[k * c.flows + f] = l > 0x7fffffff ? 0x7fffffff : l;
    }
  }
  const cpuNs = threadCpuNs() - cpu0;
  const wallNs = now() - wall0;
  for (const s of sockets) s.close();
  return { lateness, packets: lateness.length, packetBytes: len, sendErrors: errors, cpuNs, wallNs, sched, schedError, native: native.native };
}

if (parentPort && (workerData as { role?: string } | undefined)?.role === 'js-pacer') {
  const port = parentPort;
  run((workerData as { config: PacerConfig }).config).then(
    (r) => port.postMessage(r, [r.lateness.buffer as ArrayBuffer]),
    (err: unknown) => port.postMessage({ error: err instanceof Error ? err.message : String(err) }),
  );
}
