// An in-memory Ethernet segment for unit tests: every transport attached to it receives the
// datagrams sent to 224.0.0.251:5353 (the sender too, like IP_MULTICAST_LOOP), and unicast
// datagrams reach the transport with that address and port. Like undici's MockAgent, it is
// exported so other modules' tests can run a responder without sockets.
import type { Endpoint, MdnsTransport, MessageHandler } from './transport.js';
import { MDNS_GROUP, MDNS_PORT } from './packets.js';

export interface SentDatagram {
  from: Endpoint;
  to: Endpoint;
  buf: Buffer;
  /** ms timestamp of the send. */
  at: number;
}

export class MemoryMdnsSegment {
  readonly transports = new Set<MemoryMdnsTransport>();
  /** Every datagram ever sent on the segment, in order. */
  readonly log: SentDatagram[] = [];

  /** A transport for `interfaceIp`; `port` other than 5353 behaves as a legacy-unicast querier. */
  attach(interfaceIp: string, port = MDNS_PORT): MemoryMdnsTransport {
    const t = new MemoryMdnsTransport(this, interfaceIp, port);
    this.transports.add(t);
    return t;
  }

  deliver(d: SentDatagram): void {
    this.log.push(d);
    const copy = () => Buffer.from(d.buf);
    // Asynchronous like a socket, so handlers never run inside send().
    queueMicrotask(() => {
      for (const t of this.transports) {
        const multicast = d.to.address === MDNS_GROUP && d.to.port === MDNS_PORT && t.port === MDNS_PORT;
        const unicast = d.to.address === t.interfaceIp && d.to.port === t.port;
        if (multicast || unicast) t.receive(copy(), d.from);
      }
    });
  }
}

export class MemoryMdnsTransport implements MdnsTransport {
  private handlers: MessageHandler[] = [];
  private closed = false;

  constructor(
    private readonly segment: MemoryMdnsSegment,
    readonly interfaceIp: string,
    readonly port: number,
  ) {}

  async start(): Promise<void> {}

  async send(buf: Buffer, to: Endpoint = { address: MDNS_GROUP, port: MDNS_PORT }): Promise<void> {
    if (this.closed) return;
    this.segment.deliver({ from: { address: this.interfaceIp, port: this.port }, to, buf: Buffer.from(buf), at: Date.now() });
  }

  onMessage(handler: MessageHandler): void {
    this.handlers.push(handler);
  }

  receive(buf: Buffer, from: Endpoint): void {
    if (this.closed) return;
    for (const h of this.handlers) h(buf, from);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.segment.transports.delete(this);
  }
}
