// The receive path under load, in a worker thread: one dgram socket per flow feeding the same
// per-packet code the receive worker runs (RxFlowReceiver: header, loss accounting, sample decode,
// media-ring writes for every routed channel). Counts are read and reset by the harness per step.
import dgram from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';
import { createMediaRing, MediaRingWriter } from '../core/media-ring.js';
import { RxFlowReceiver } from '../core/rx/flow-receiver.js';
import type { BytesPerSample } from '../core/audio/index.js';
import { threadCpuNs } from './proc.js';

export interface RxWorkerData {
  role: 'rx-capacity';
  ip: string;
  flows: number;
  channelsPerFlow: number;
  bytesPerSample: BytesPerSample;
  rate: number;
  recvBufferBytes: number;
}

export interface RxCounts {
  packets: number;
  malformed: number;
  lostPackets: number;
  cpuNs: number;
}

export type RxWorkerMessage = { type: 'ready'; ports: number[]; recvBufferBytes: number } | ({ type: 'counts' } & RxCounts);

async function main(d: RxWorkerData, port: NonNullable<typeof parentPort>): Promise<void> {
  const receivers: RxFlowReceiver[] = [];
  const sockets: dgram.Socket[] = [];
  for (let f = 0; f < d.flows; f++) {
    const writers = Array.from({ length: d.channelsPerFlow }, () => new MediaRingWriter(createMediaRing({ channels: 1, capacity: 16384, holeFixWait: 4800 })));
    const r = new RxFlowReceiver(d.rate, writers);
    r.configure(d.channelsPerFlow, d.bytesPerSample, Array.from({ length: d.channelsPerFlow }, (_, i) => [i, i] as const));
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: d.recvBufferBytes });
    // Media time from the packet itself: the sender runs faster than real time, so "now" follows it.
    s.on('message', (msg) => void r.onPacket(msg, msg.length, 0, -Infinity));
    await new Promise<void>((resolve) => s.bind(0, d.ip, resolve));
    receivers.push(r);
    sockets.push(s);
  }
  let cpu0 = threadCpuNs();
  const base = { packets: 0, malformed: 0, lostPackets: 0 };
  const totals = () => {
    const t = { packets: 0, malformed: 0, lostPackets: 0 };
    for (const r of receivers) {
      t.packets += r.counters.packets;
      t.malformed += r.counters.malformed;
      t.lostPackets += r.counters.lostPackets;
    }
    return t;
  };
  port.on('message', (m: 'reset' | 'count' | 'stop') => {
    if (m === 'reset') {
      Object.assign(base, totals());
      cpu0 = threadCpuNs();
    } else if (m === 'count') {
      const t = totals();
      port.postMessage({ type: 'counts', packets: t.packets - base.packets, malformed: t.malformed - base.malformed, lostPackets: t.lostPackets - base.lostPackets, cpuNs: threadCpuNs() - cpu0 } satisfies RxWorkerMessage);
    } else {
      for (const s of sockets) s.close();
      port.close();
    }
  });
  port.postMessage({ type: 'ready', ports: sockets.map((s) => s.address().port), recvBufferBytes: sockets[0]!.getRecvBufferSize() } satisfies RxWorkerMessage);
}

if (parentPort && (workerData as { role?: string } | undefined)?.role === 'rx-capacity') {
  void main(workerData as RxWorkerData, parentPort);
}
