// Helpers for mDNS unit tests on the in-memory segment: decoding what was sent, waiting, and
// crafting queries (with the QU bit, which dns-packet cannot encode).
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import type { MemoryMdnsSegment, SentDatagram } from '../../dist/net/mdns/index.js';

export interface Seen extends SentDatagram {
  packet: DecodedPacket;
}

export function decodeLog(seg: MemoryMdnsSegment, from?: string): Seen[] {
  return seg.log
    .filter((d) => !from || d.from.address === from)
    .map((d) => ({ ...d, packet: dnsPacket.decode(d.buf) }));
}

export function responses(seg: MemoryMdnsSegment, from?: string): Seen[] {
  return decodeLog(seg, from).filter((s) => s.packet.type === 'response');
}

export function probes(seg: MemoryMdnsSegment, from?: string): Seen[] {
  return decodeLog(seg, from).filter((s) => s.packet.type === 'query' && (s.packet.authorities ?? []).length > 0);
}

export const answersOf = (s: Seen[]): Answer[] => s.flatMap((x) => x.packet.answers ?? []);
export const additionalsOf = (s: Seen[]): Answer[] => s.flatMap((x) => x.packet.additionals ?? []);
export const ttl = (a: Answer): number => (a as { ttl?: number }).ttl ?? -1;
export const flushOf = (a: Answer): boolean => !!(a as { flush?: boolean }).flush;
export const dataOf = (a: Answer): unknown => (a as { data?: unknown }).data;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, timeoutMs = 3000, stepMs = 10): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(stepMs);
  }
  return cond();
}

/** Encodes a query; `qu` sets the unicast-response bit on every question. */
export function encodeQuery(p: Packet, qu = false): Buffer {
  const buf = dnsPacket.encode({ type: 'query', id: 0, flags: 0, ...p });
  if (!qu) return buf;
  let off = 12;
  for (let i = 0; i < (p.questions ?? []).length; i++) {
    while (buf[off] !== 0) off += buf[off]! + 1;
    off += 1 + 2; // root label, type
    buf.writeUInt16BE(buf.readUInt16BE(off) | 0x8000, off);
    off += 2;
  }
  return buf;
}

export function q(name: string, type: string): NonNullable<Packet['questions']>[number] {
  return { name, type: type as 'A', class: 'IN' };
}
