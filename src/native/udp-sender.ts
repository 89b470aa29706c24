// TX flow sockets (UdpSender): the addon's non-blocking sendmmsg sockets, or node:dgram when the
// addon is absent or predates them. See UdpSender in types.ts.
import dgram from 'node:dgram';
import { constants } from 'node:os';
import type { Addon, UdpSender, UdpSenderOptions } from './types.js';

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([k, v]) => [v, k]));

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

/** The addon's sender; undefined when this build has none (the caller falls back to dgram). */
export function openNativeUdpSender(addon: Addon, opts: UdpSenderOptions): UdpSender | undefined {
  const { udpTxOpen, udpTxSend, udpTxDrain, udpTxInfo, udpTxClose } = addon;
  if (!udpTxOpen || !udpTxSend || !udpTxDrain || !udpTxInfo || !udpTxClose) return undefined;
  const h = udpTxOpen(opts);
  const { localAddress, localPort } = udpTxInfo(h);
  let closed = false;
  let lastErrno = 0;
  return {
    native: true,
    localAddress,
    localPort,
    errors: 0,
    get lastError() {
      return lastErrno ? errnoName(lastErrno) : '';
    },
    send(data: Uint8Array, length: number, count: number): number {
      if (closed) {
        this.errors += count;
        return 0;
      }
      const r = udpTxSend(h, data, length, count);
      if (r === count) return r;
      // A batch stops at the first failure; the rest of it is not sent.
      if (r < 0) lastErrno = -r;
      const sent = r < 0 ? 0 : r;
      this.errors += count - sent;
      return sent;
    },
    received: () => (closed ? 0 : udpTxDrain(h)),
    close() {
      if (!closed) udpTxClose(h);
      closed = true;
    },
  } as UdpSender & { errors: number };
}

/** node:dgram with the same behaviour: bound, connected, counting keepalives from 'message'. */
export async function openDgramUdpSender(opts: UdpSenderOptions): Promise<UdpSender> {
  const socket = dgram.createSocket({ type: 'udp4' });
  let heard = 0;
  let closed = false;
  const sender = {
    native: false,
    localAddress: '',
    localPort: 0,
    errors: 0,
    lastError: '',
    send(data: Uint8Array, length: number, count: number): number {
      if (closed) {
        sender.errors += count;
        return 0;
      }
      for (let i = 0; i < count; i++) {
        // A copy: dgram may hold the buffer until the kernel takes it, and ours is reused.
        socket.send(Buffer.from(data.subarray(i * length, (i + 1) * length)), onSent);
      }
      return count;
    },
    received(): number {
      const n = heard;
      heard = 0;
      return n;
    },
    close(): void {
      if (!closed) socket.close();
      closed = true;
    },
  };
  function onSent(err: Error | null): void {
    if (!err) return;
    sender.errors++;
    sender.lastError = (err as NodeJS.ErrnoException).code ?? err.message;
  }
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: opts.bindAddress, port: 0 }, () => {
      try {
        if (opts.multicastInterface) socket.setMulticastInterface(opts.multicastInterface);
        if (opts.ttl) socket.setMulticastTTL(opts.ttl);
      } catch (err) {
        reject(err as Error);
        return;
      }
      socket.connect(opts.port, opts.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  }).catch((err: unknown) => {
    socket.close();
    throw err;
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    sender.errors++;
    sender.lastError = err.code ?? err.message;
  });
  socket.on('message', () => heard++);
  const a = socket.address();
  sender.localAddress = a.address;
  sender.localPort = a.port;
  return sender;
}
