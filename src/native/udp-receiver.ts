// RX flow sockets (UdpReceiver): the addon's recvmmsg batches into fixed slots, or node:dgram when
// the addon is absent, predates them, or the dgram path is asked for. See UdpReceiver in types.ts.
import dgram from 'node:dgram';
import { errnoName } from './udp-sender.js';
import { RX_META_WORDS } from './types.js';
import type { Addon, RxBatch, RxBatchHandler, UdpReceiver, UdpReceiverOptions, UdpReceiverStats } from './types.js';

/** Datagrams per native batch, and bytes per slot: the Ethernet MTU payload, the largest audio
 *  packet a flow carries (a longer one is counted as truncated and handed over with its length). */
export const RX_BATCH_SLOTS = 64;
export const RX_SLOT_BYTES = 1500;

/** The addon's receiver; undefined when this build has none (the caller falls back to dgram). */
export function openNativeUdpReceiver(addon: Addon, opts: UdpReceiverOptions, onBatch: RxBatchHandler): UdpReceiver | undefined {
  const { udpRxOpen, udpRxStart, udpRxSend, udpRxInfo, udpRxClose } = addon;
  if (!udpRxOpen || !udpRxStart || !udpRxSend || !udpRxInfo || !udpRxClose) return undefined;
  const h = udpRxOpen(opts);
  const data = new Uint8Array(RX_BATCH_SLOTS * RX_SLOT_BYTES);
  // Views made once: the handler gets the same objects every batch.
  const batch: RxBatch = {
    packets: Array.from({ length: RX_BATCH_SLOTS }, (_, i) => data.subarray(i * RX_SLOT_BYTES, (i + 1) * RX_SLOT_BYTES)),
    meta: new Uint32Array(RX_BATCH_SLOTS * RX_META_WORDS),
  };
  let info: ReturnType<NonNullable<Addon['udpRxInfo']>>;
  try {
    udpRxStart(h, data, batch.meta, RX_BATCH_SLOTS, RX_SLOT_BYTES, (count, more) => onBatch(batch, count, more));
    info = udpRxInfo(h);
  } catch (err) {
    udpRxClose(h);
    throw err;
  }
  let closed = false;
  let sendErrors = 0;
  let sendErrno = 0;
  const last = { datagrams: 0, batches: 0, truncated: 0, errors: 0, lastErrno: 0 };
  return {
    native: true,
    localAddress: info.localAddress ?? opts.bindAddress,
    localPort: info.localPort ?? 0,
    recvBufferBytes: info.recvBufferBytes ?? 0,
    send(bytes: Uint8Array, address: string, port: number): void {
      if (closed) return;
      const r = udpRxSend(h, bytes, address, port);
      if (r < 0) {
        sendErrors++;
        sendErrno = -r;
      }
    },
    stats(): UdpReceiverStats {
      // After close the handle still answers its counters; keep the last ones anyway.
      if (!closed) Object.assign(last, udpRxInfo(h));
      const errno = sendErrno || last.lastErrno;
      return { datagrams: last.datagrams, batches: last.batches, truncated: last.truncated, errors: last.errors + sendErrors, lastError: errno ? errnoName(errno) : '' };
    },
    close(): void {
      if (closed) return;
      Object.assign(last, udpRxInfo(h));
      udpRxClose(h);
      closed = true;
    },
  };
}

/** node:dgram with the same interface: each 'message' is a batch of one. */
export async function openDgramUdpReceiver(opts: UdpReceiverOptions, onBatch: RxBatchHandler): Promise<UdpReceiver> {
  const multicast = opts.multicastGroup;
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: multicast !== undefined, recvBufferSize: opts.recvBufferBytes });
  const packets: Uint8Array[] = [new Uint8Array(0)];
  const batch: RxBatch = { packets, meta: new Uint32Array(RX_META_WORDS) };
  const counts = { datagrams: 0, errors: 0, lastError: '' };
  let closed = false;
  socket.on('message', (msg, rinfo) => {
    if (closed) return;
    packets[0] = msg;
    batch.meta[0] = msg.length;
    batch.meta[1] = ipv4ToNumber(rinfo.address);
    batch.meta[2] = rinfo.port;
    batch.meta[3] = 0;
    counts.datagrams++;
    onBatch(batch, 1, false);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    const onBound = (): void => {
      try {
        if (multicast) socket.addMembership(multicast, opts.bindAddress);
      } catch (err) {
        reject(err as Error);
        return;
      }
      socket.off('error', reject);
      resolve();
    };
    if (multicast) socket.bind(opts.port, multicast, onBound);
    else socket.bind(opts.port, opts.bindAddress, onBound);
  }).catch((err: unknown) => {
    socket.close();
    throw err;
  });
  const countError = (err: Error | null): void => {
    if (!err) return;
    counts.errors++;
    counts.lastError = (err as NodeJS.ErrnoException).code ?? err.message;
  };
  socket.on('error', countError);
  const a = socket.address();
  return {
    native: false,
    localAddress: a.address,
    localPort: a.port,
    recvBufferBytes: socket.getRecvBufferSize(),
    send(bytes: Uint8Array, address: string, port: number): void {
      if (!closed) socket.send(bytes, port, address, countError);
    },
    stats: () => ({ datagrams: counts.datagrams, batches: counts.datagrams, truncated: 0, errors: counts.errors, lastError: counts.lastError }),
    close(): void {
      if (!closed) socket.close();
      closed = true;
    },
  };
}

/** Dotted quad to a host-order number, without allocating (rinfo addresses are well-formed). */
export function ipv4ToNumber(s: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + part;
      part = 0;
    } else part = part * 10 + (c - 48);
  }
  return n * 256 + part;
}

export function numberToIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
