// The one interface the control servers send and receive through, so unit tests can swap the
// UDP socket for an in-memory transport.
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';

export interface Peer {
  address: string;
  port: number;
}

export interface DatagramTransport {
  /** Local address and port the transport is bound to. */
  readonly local: Peer;
  send(data: Uint8Array, to: Peer): Promise<void>;
  onMessage(handler: (data: Buffer, from: Peer) => void): void;
  close(): Promise<void>;
}

export interface UdpOptions {
  ip: string;
  port: number;
  /** Set up for sending multicast from this socket (outgoing interface = `ip`). */
  multicast?: boolean;
}

/**
 * Link-local control multicast (224.0.0.x) is never routed; real devices send it with TTL 1 and
 * PROTOCOL.md names no other value (§1.2).
 */
export const CONTROL_MULTICAST_TTL = 1;
/** Bursts (controllers polling many devices, a fuzzer) must not overflow the default buffer. */
const RECV_BUFFER_BYTES = 1 << 20;

export class UdpTransport implements DatagramTransport {
  private constructor(
    private readonly socket: Socket,
    readonly local: Peer,
  ) {}

  /** Binds a UDP socket to the device address (never 0.0.0.0, §1.2). */
  static async bind(opts: UdpOptions): Promise<UdpTransport> {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: opts.ip, port: opts.port, exclusive: true }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    try {
      socket.setRecvBufferSize(RECV_BUFFER_BYTES);
    } catch { /* capped by net.core.rmem_max; the default still works */ }
    if (opts.multicast) {
      socket.setMulticastInterface(opts.ip);
      socket.setMulticastTTL(CONTROL_MULTICAST_TTL);
      // Several devices on one host (§9.3) must see each other's notifications and heartbeats.
      socket.setMulticastLoopback(true);
    }
    const addr = socket.address();
    return new UdpTransport(socket, { address: addr.address, port: addr.port });
  }

  send(data: Uint8Array, to: Peer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(data, to.port, to.address, (err) => (err ? reject(err) : resolve()));
    });
  }

  onMessage(handler: (data: Buffer, from: Peer) => void): void {
    this.socket.on('message', (msg, rinfo) => handler(msg, { address: rinfo.address, port: rinfo.port }));
    // A send error (e.g. no route) must not become an unhandled 'error' event.
    this.socket.on('error', () => undefined);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
