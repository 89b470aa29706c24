// Seeded random and broken datagrams for the flows-control port (4455) and mDNS (5353), built
// from valid packets of the project's own encoders so many get past the first length checks.
import { decodeMessage, dnsCodec } from '../../dist/net/mdns/packets.js';
import { encodeFlowRequest, encodeStop, encodeUpdate, KEEPALIVE } from '../../dist/core/flows/index.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tools(seed: number) {
  const rnd = mulberry32(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  /** Up to four random bytes overwritten in `[from, to)`. */
  const flip = (b: Buffer, from = 0, to = b.length) => {
    const out = Buffer.from(b);
    for (let i = 1 + int(4); i > 0 && to > from; i--) out[from + int(to - from)] = int(256);
    return out;
  };
  return { rnd, int, bytes, flip };
}

/**
 * Flows-control datagrams (PROTOCOL.md §5): valid, truncated and bit-flipped requests, updates
 * and stops, stray keepalives, random bytes. Requests name `receiverIp` (the sending host) as
 * the audio destination, and a bit flip never touches that address.
 */
export function flowsFuzzPackets(count: number, seed: number, receiverIp: string): Buffer[] {
  const { int, bytes, flip } = tools(seed);
  const request = () =>
    encodeFlowRequest({
      transactionId: int(65536),
      receiverName: `rx${int(100)}`,
      flowName: `${int(40)}_0`,
      sampleRate: [48000, 48000, 44100, int(200000)][int(4)]!,
      bitsPerSample: [24, 24, 16, 32, int(64)][int(5)]!,
      channels: Array.from({ length: 1 + int(8) }, () => int(6)),
      framesPerPacket: [16, 32, 64, int(1000)][int(4)]!,
      receiverIp,
      receiverPort: 9,
    });
  const handle = () => ({ flowNumber: int(40), cookie: int(65536) });
  const out: Buffer[] = [];
  while (out.length < count) {
    const kind = int(8);
    if (kind === 0) out.push(bytes(int(120)));
    else if (kind === 1) out.push(request());
    else if (kind === 2) {
      const r = request();
      out.push(r.subarray(0, int(r.length)));
    } else if (kind === 3) {
      const r = request();
      out.push(flip(r, 0, r.length - 4));
    } else if (kind === 4) {
      // A header that passes the length check; flows opcode or not, random content.
      const p = Buffer.concat([Buffer.alloc(10), bytes(int(80))]);
      p.writeUInt16BE([0x1102, 0x1102, int(65536)][int(3)]!, 0);
      p.writeUInt16BE(int(4) ? p.length : int(65536), 2);
      p.writeUInt16BE(int(65536), 4);
      p.writeUInt16BE([0x0100, 0x0101, 0x0102, int(65536)][int(4)]!, 6);
      out.push(p);
    } else if (kind === 5) out.push(Buffer.from(KEEPALIVE));
    else if (kind === 6) out.push(encodeStop({ transactionId: int(65536), handle: handle() }));
    else {
      const u = encodeUpdate({ transactionId: int(65536), handle: handle(), channels: Array.from({ length: int(6) }, () => int(8)) });
      out.push(int(2) ? u : flip(u));
    }
  }
  return out;
}

/** Valid mDNS messages about names that are not the device's (so nothing gets renamed). */
function mdnsBases(): Buffer[] {
  const q = (name: string, type: string) =>
    dnsCodec.encode({ type: 'query', id: 0, flags: 0, questions: [{ name, type, class: 'IN' } as never] });
  return [
    q('_netaudio-arc._udp.local', 'PTR'),
    q('_netaudio-chan._udp.local', 'PTR'),
    q('other-device._netaudio-arc._udp.local', 'SRV'),
    q('nobody.local', 'A'),
    dnsCodec.encode({
      type: 'response', id: 0, flags: 0x8400,
      answers: [
        { type: 'PTR', name: '_netaudio-arc._udp.local', ttl: 120, data: 'fuzz-peer._netaudio-arc._udp.local' },
        { type: 'SRV', name: 'fuzz-peer._netaudio-arc._udp.local', ttl: 120, data: { port: 4440, target: 'fuzz-peer.local' } },
        { type: 'TXT', name: 'fuzz-peer._netaudio-arc._udp.local', ttl: 120, data: ['arcp_vers=2.7.41', 'router_info="DAO2"'] },
        { type: 'A', name: 'fuzz-peer.local', ttl: 120, data: '10.99.0.9' },
      ],
    }),
  ];
}

export interface MdnsFuzz {
  packets: Buffer[];
  /** Datagrams the device's decoder must reject (counted as `malformed`). */
  malformed: number;
  /** Decodable responses: they come from an ephemeral port, so each is a `response-bad-port` drop. */
  responses: number;
  queries: number;
}

/** mDNS datagrams: random bytes, truncated, bit-flipped and header-only-valid messages, and valid ones. */
export function mdnsFuzzPackets(count: number, seed: number): MdnsFuzz {
  const { int, bytes, flip } = tools(seed);
  const bases = mdnsBases();
  const packets: Buffer[] = [];
  while (packets.length < count) {
    const base = bases[int(bases.length)]!;
    const kind = int(5);
    if (kind === 0) packets.push(bytes(int(200)));
    else if (kind === 1) packets.push(base.subarray(0, int(base.length)));
    else if (kind === 2) packets.push(flip(base, 0, base.length));
    else if (kind === 3) {
      // A plausible header (flags, small counts) over random records.
      const h = Buffer.alloc(12);
      h.writeUInt16BE(int(2) ? 0 : 0x8400, 2);
      for (let i = 4; i < 12; i += 2) h.writeUInt16BE(int(3), i);
      packets.push(Buffer.concat([h, bytes(int(150))]));
    } else packets.push(base);
  }
  let malformed = 0;
  let responses = 0;
  let queries = 0;
  for (const p of packets) {
    try {
      if (decodeMessage(p).isResponse) responses++;
      else queries++;
    } catch {
      malformed++;
    }
  }
  return { packets, malformed, responses, queries };
}

/** A legacy unicast (RFC 6762 §6.7) PTR query for the device's ARC service. */
export function arcServiceQuery(id: number): Buffer {
  return dnsCodec.encode({ type: 'query', id, flags: 0, questions: [{ name: '_netaudio-arc._udp.local', type: 'PTR', class: 'IN' }] });
}

/** The PTR targets in an mDNS reply. */
export function ptrTargets(reply: Buffer): string[] {
  return decodeMessage(reply).answers.filter((a) => a.type === 'PTR').map((a) => String((a as { data: unknown }).data));
}
