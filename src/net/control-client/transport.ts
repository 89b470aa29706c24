// The datagram transport under the controller side (ArcClient, conmon sender): one UDP socket on
// the chosen interface, and (memory-transport.ts) an in-memory network for unit tests.
import dgram from 'node:dgram';

export interface Endpoint {
  address: string;
  port: number;
}

export type DatagramHandler = (buf: Buffer, from: Endpoint) => void;

export interface ControlTransport {
  /** The interface address we send from. */
  readonly localAddress: string;
  /** Resolves once the socket is bound. */
  start(): Promise<void>;
  send(buf: Buffer, to: Endpoint): Promise<void>;
  onMessage(handler: DatagramHandler): void;
  close(): Promise<void>;
}

/** UDP bound to `interfaceIp` on an ephemeral port: replies come back to it, nothing else reaches it. */
export class UdpControlTransport implements ControlTransport {
  private readonly socket = dgram.createSocket({ type: 'udp4' });
  private readonly handlers: DatagramHandler[] = [];
  private ready: Promise<void> | undefined;
  private closed = false;

  constructor(readonly localAddress: string) {
    this.socket.on('message', (buf, r) => {
      for (const h of this.handlers) h(buf, { address: r.address, port: r.port });
    });
    // Late socket errors (ICMP unreachable etc.) show up as timeouts; they must not crash us.
    this.socket.on('error', () => {});
  }

  start(): Promise<void> {
    this.ready ??= new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: this.localAddress, port: 0 }, () => {
        this.socket.off('error', reject);
        resolve();
      });
    });
    return this.ready;
  }

  async send(buf: Buffer, to: Endpoint): Promise<void> {
    await this.start();
    if (this.closed) return;
    await new Promise<void>((resolve, reject) => this.socket.send(buf, to.port, to.address, (err) => (err ? reject(err) : resolve())));
  }

  onMessage(handler: DatagramHandler): void {
    this.handlers.push(handler);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return closeSocket(this.socket);
  }
}

/** Receives a multicast group (the conmon answers on 224.0.0.231:8702, §4.3). */
export interface MulticastListener {
  start(): Promise<void>;
  onMessage(handler: DatagramHandler): void;
  close(): Promise<void>;
}

/**
 * Bound to the group address itself (not 0.0.0.0) with SO_REUSEADDR, so it shares the port with
 * a device on this host and sees only that group's traffic; joined on the chosen interface.
 */
export class UdpMulticastListener implements MulticastListener {
  private readonly socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  private readonly handlers: DatagramHandler[] = [];
  private ready: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly group: Endpoint,
    private readonly interfaceIp: string,
  ) {
    this.socket.on('message', (buf, r) => {
      for (const h of this.handlers) h(buf, { address: r.address, port: r.port });
    });
    this.socket.on('error', () => {});
  }

  start(): Promise<void> {
    this.ready ??= new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: this.group.address, port: this.group.port }, () => {
        this.socket.off('error', reject);
        try {
          this.socket.addMembership(this.group.address, this.interfaceIp);
          resolve();
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    return this.ready;
  }

  onMessage(handler: DatagramHandler): void {
    this.handlers.push(handler);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return closeSocket(this.socket);
  }
}

/** Closes a dgram socket; one that is already closed resolves at once. */
function closeSocket(socket: { close(cb: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
