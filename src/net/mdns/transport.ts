// The datagram transport under the responder and the browser: the real one on multicast-dns,
// and (memory-transport.ts) an in-memory segment for unit tests.
import dgram from 'node:dgram';
import makeMdns from 'multicast-dns';
import { MDNS_GROUP, MDNS_PORT } from './packets.js';

export interface Endpoint {
  address: string;
  port: number;
}

export type MessageHandler = (buf: Buffer, from: Endpoint) => void;

export interface MdnsTransport {
  /** The device's interface address (our source address on the wire). */
  readonly interfaceIp: string;
  /** Resolves once the socket is bound and joined to 224.0.0.251. */
  start(): Promise<void>;
  /** Sends one datagram; `to` defaults to 224.0.0.251:5353. */
  send(buf: Buffer, to?: Endpoint): Promise<void>;
  onMessage(handler: MessageHandler): void;
  close(): Promise<void>;
}

export interface UdpTransportOptions {
  interfaceIp: string;
  /** Receive our own multicasts (so local devices see each other, §2.3 step 8). Default true. */
  loopback?: boolean;
}

/**
 * mDNS on UDP 5353 bound to the group address 224.0.0.251 (not 0.0.0.0): the socket receives
 * only mDNS multicast, never other unicast traffic of the host; several processes share the
 * port (SO_REUSEADDR), which is how several devices run on one IP (§9.3). Membership and the
 * outgoing multicast interface are the device's interface address, so multicasts leave on
 * that interface with that source address (Linux takes the source of a group-bound socket
 * from IP_MULTICAST_IF). Unicast replies (legacy/QU) take the routing table's source address.
 * Because of that bind, unicast datagrams to port 5353 are not received: our browser
 * therefore never sets the QU bit.
 */
export class UdpMdnsTransport implements MdnsTransport {
  readonly interfaceIp: string;
  private readonly socket: dgram.Socket;
  private readonly mdns: makeMdns.MulticastDNS;
  private readonly ready: Promise<void>;
  private handlers: MessageHandler[] = [];
  private closed = false;
  /** Last socket error after start, for diagnostics. */
  lastError: Error | undefined;

  constructor(opts: UdpTransportOptions) {
    this.interfaceIp = opts.interfaceIp;
    this.socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    // multicast-dns binds the socket (`bind`), joins the group on `interface` (re-checked every
    // 5 s, so an interface that comes back is rejoined), sets IP_MULTICAST_IF to `interface`,
    // TTL 255 and loopback. We read raw datagrams ourselves to count malformed ones.
    this.mdns = makeMdns({
      socket: this.socket,
      interface: opts.interfaceIp,
      bind: MDNS_GROUP,
      port: MDNS_PORT,
      loopback: opts.loopback !== false,
      reuseAddr: true,
    });
    this.mdns.on('warning', () => { /* decode failures: counted by our own decoder */ });
    this.socket.on('message', (buf, rinfo) => {
      for (const h of this.handlers) h(buf, { address: rinfo.address, port: rinfo.port });
    });
    this.ready = new Promise((resolve, reject) => {
      let started = false;
      this.mdns.once('ready', () => {
        started = true;
        resolve();
      });
      // Bind failures reject start(); later socket errors must not crash the process.
      this.mdns.on('error', (err: Error) => {
        if (!started) reject(err);
        this.lastError = err;
      });
    });
  }

  start(): Promise<void> {
    return this.ready;
  }

  send(buf: Buffer, to: Endpoint = { address: MDNS_GROUP, port: MDNS_PORT }): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.send(buf, to.port, to.address, (err) => (err ? reject(err) : resolve()));
    });
  }

  onMessage(handler: MessageHandler): void {
    this.handlers.push(handler);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.mdns.destroy(() => resolve()));
  }
}
