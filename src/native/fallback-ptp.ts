// PtpSocket on node:dgram for the JS fallback. Timestamps are CLOCK_REALTIME estimates read in JS
// when the datagram event runs (receive) or just before send() (transmit), so they include
// event-loop latency: enough to follow a leader loosely, not for sub-microsecond PTP.
import dgram from 'node:dgram';
import type { PtpMessage, PtpSendOptions, PtpSendResult, PtpSocket, PtpSocketInfo, PtpSocketOptions } from './types.js';

// Datagrams kept while nobody is in recv(); PTP rates are tens per second, so this is seconds' worth.
const QUEUE_LIMIT = 256;

export async function openFallbackPtpSocket(opts: PtpSocketOptions, realtimeNs: () => bigint): Promise<PtpSocket> {
  validate(opts);
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const queue: PtpMessage[] = [];
  let waiter: ((m: PtpMessage | null) => void) | undefined;
  let readable: (() => void) | null = null;
  let closed = false;
  let lastError: Error | undefined;

  sock.on('message', (data, rinfo) => {
    const m: PtpMessage = { data, address: rinfo.address, port: rinfo.port, timestampNs: realtimeNs(), timestampKind: 'js' };
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(m);
      return;
    }
    if (queue.length >= QUEUE_LIMIT) queue.shift();
    queue.push(m);
    readable?.();
  });
  // After bind, a runtime socket error surfaces on the next recv()/send() instead of crashing the thread.
  await new Promise<void>((resolve, reject) => {
    sock.once('error', (err) => {
      sock.close();
      reject(err);
    });
    sock.bind({ address: opts.bindAddress, port: opts.port, exclusive: false }, () => {
      sock.removeAllListeners('error');
      sock.on('error', (err) => {
        lastError = err;
      });
      resolve();
    });
  });
  try {
    if (opts.multicastGroup) sock.addMembership(opts.multicastGroup, opts.interfaceAddress);
    if (opts.interfaceAddress) sock.setMulticastInterface(opts.interfaceAddress);
    sock.setMulticastLoopback(opts.loopback ?? false);
    sock.setMulticastTTL(opts.ttl ?? 1);
  } catch (err) {
    sock.close();
    throw err;
  }

  const throwPending = (): void => {
    if (!lastError) return;
    const e = lastError;
    lastError = undefined;
    throw e;
  };

  return {
    info(): PtpSocketInfo {
      const a = sock.address();
      return {
        timestampKind: 'js',
        txTimestamps: true,
        hardwareNote: opts.hardware ? 'JS fallback: no hardware timestamps' : '',
        localAddress: a.address,
        localPort: a.port,
      };
    },
    // async: argument and socket errors arrive as rejections, as with the native implementation
    async recv(timeoutMs: number): Promise<PtpMessage | null> {
      checkTimeout(timeoutMs);
      throwPending();
      const m = queue.shift();
      if (m) return m;
      if (closed) return null;
      if (waiter) throw new Error('recv() already pending on this PTP socket');
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          resolve(null);
        }, timeoutMs);
        waiter = (x) => {
          clearTimeout(timer);
          resolve(x);
        };
      });
    },
    tryRecv(): PtpMessage | null {
      throwPending();
      return queue.shift() ?? null;
    },
    onReadable(cb: (() => void) | null): void {
      readable = cb;
      if (cb && queue.length > 0) queueMicrotask(cb);
    },
    async send(data: Uint8Array, address: string, port: number, o?: PtpSendOptions): Promise<PtpSendResult> {
      if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Buffer or Uint8Array');
      throwPending();
      const ts = realtimeNs();
      return new Promise((resolve, reject) => {
        sock.send(data, port, address, (err) => {
          if (err) return reject(err);
          const want = o?.wantTxTimestamp ?? false;
          resolve({ txTimestampNs: want ? ts : null, txTimestampKind: want ? 'js' : null });
        });
      });
    },
    close(): void {
      if (closed) return;
      closed = true;
      readable = null;
      sock.close();
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w(null);
      }
    },
  };
}

// Same argument rules as the native helper, so code tested on one behaves the same on the other.
function validate(o: PtpSocketOptions): void {
  if (typeof o !== 'object' || o === null) throw new TypeError('options must be an object');
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
  const isV4 = (s: unknown): boolean => typeof s === 'string' && ipv4.test(s) && s.split('.').every((p) => Number(p) <= 255);
  if (!isV4(o.bindAddress)) throw new TypeError(`bindAddress must be an IPv4 address, got '${String(o.bindAddress)}'`);
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new TypeError('port must be an integer between 0 and 65535');
  if (o.multicastGroup !== undefined) {
    if (!isV4(o.multicastGroup)) throw new TypeError('multicastGroup must be an IPv4 address');
    const first = Number(o.multicastGroup.split('.')[0]);
    if (first < 224 || first > 239) throw new TypeError('multicastGroup must be a multicast address');
  }
  if (o.interfaceAddress !== undefined && !isV4(o.interfaceAddress)) throw new TypeError('interfaceAddress must be an IPv4 address');
  if (o.ttl !== undefined && (!Number.isInteger(o.ttl) || o.ttl < 1 || o.ttl > 255)) throw new TypeError('ttl must be an integer between 1 and 255');
}

function checkTimeout(ms: number): void {
  if (!Number.isInteger(ms) || ms < 0) throw new TypeError('timeoutMs must be a non-negative integer');
}
