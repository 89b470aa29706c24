// An in-memory UDP network for unit tests: endpoints bound to an address and port exchange
// datagrams asynchronously, like sockets. `dropNext` loses datagrams to exercise retries.
import type { ControlTransport, DatagramHandler, Endpoint, MulticastListener } from './transport.js';

export type MemoryHandler = (buf: Buffer, from: Endpoint, reply: (buf: Buffer) => void) => void;

export class MemoryUdpNetwork {
  private readonly bound = new Map<string, MemoryHandler>();
  /** Multicast listeners by group key; every one of them gets each datagram. */
  private readonly groups = new Map<string, Set<(buf: Buffer, from: Endpoint) => void>>();
  private nextPort = 40000;
  /** Datagrams to `address:port` still to be lost, by destination key. */
  private readonly drops = new Map<string, number>();
  /** Every datagram sent, in order. */
  readonly log: { from: Endpoint; to: Endpoint; buf: Buffer }[] = [];

  /** Binds a handler (a fake device port); `reply` answers to the source. */
  bind(at: Endpoint, handler: MemoryHandler): () => void {
    const k = key(at);
    if (this.bound.has(k)) throw new Error(`address in use: ${k}`);
    this.bound.set(k, handler);
    return () => this.bound.delete(k);
  }

  /** Listens to a multicast `group:port`. */
  join(group: Endpoint, handler: (buf: Buffer, from: Endpoint) => void): () => void {
    const k = key(group);
    const set = this.groups.get(k) ?? new Set();
    set.add(handler);
    this.groups.set(k, set);
    return () => set.delete(handler);
  }

  /** Loses the next `count` datagrams sent to `to`. */
  dropNext(to: Endpoint, count = 1): void {
    this.drops.set(key(to), (this.drops.get(key(to)) ?? 0) + count);
  }

  ephemeralPort(): number {
    return this.nextPort++;
  }

  deliver(from: Endpoint, to: Endpoint, buf: Buffer): void {
    this.log.push({ from, to, buf: Buffer.from(buf) });
    const k = key(to);
    const lose = this.drops.get(k) ?? 0;
    if (lose > 0) {
      this.drops.set(k, lose - 1);
      return;
    }
    for (const g of this.groups.get(k) ?? []) queueMicrotask(() => g(Buffer.from(buf), from));
    const h = this.bound.get(k);
    if (!h) return;
    queueMicrotask(() => h(Buffer.from(buf), from, (out) => this.deliver(to, from, out)));
  }

  transport(localAddress: string): MemoryControlTransport {
    return new MemoryControlTransport(this, localAddress);
  }
}

export class MemoryControlTransport implements ControlTransport {
  private readonly handlers: DatagramHandler[] = [];
  private readonly port: number;
  private unbind: (() => void) | undefined;

  constructor(
    private readonly net: MemoryUdpNetwork,
    readonly localAddress: string,
  ) {
    this.port = net.ephemeralPort();
  }

  async start(): Promise<void> {
    this.unbind ??= this.net.bind({ address: this.localAddress, port: this.port }, (buf, from) => {
      for (const h of this.handlers) h(buf, from);
    });
  }

  async send(buf: Buffer, to: Endpoint): Promise<void> {
    await this.start();
    this.net.deliver({ address: this.localAddress, port: this.port }, to, buf);
  }

  onMessage(handler: DatagramHandler): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    this.unbind?.();
  }
}

/** A multicast listener on the in-memory network (see ConmonListener). */
export class MemoryMulticastListener implements MulticastListener {
  private readonly handlers: DatagramHandler[] = [];
  private leave: (() => void) | undefined;

  constructor(
    private readonly net: MemoryUdpNetwork,
    private readonly group: Endpoint,
  ) {}

  async start(): Promise<void> {
    this.leave ??= this.net.join(this.group, (buf, from) => {
      for (const h of this.handlers) h(buf, from);
    });
  }

  onMessage(handler: DatagramHandler): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    this.leave?.();
  }
}

function key(e: Endpoint): string {
  return `${e.address}:${e.port}`;
}
