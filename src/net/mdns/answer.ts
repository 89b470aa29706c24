// Which of our records answer a query (RFC 6762 §6, RFC 6763 §12): matching by name and type
// for every question of the packet (the searchfire fork's behaviour, §2.4), known-answer
// suppression (§7.1) and the additionals that travel with each answer.
import type { Answer } from 'dns-packet';
import { nameKey } from '../../core/mdns/names.js';
import { rdataKey, recordKey } from '../../core/mdns/records.js';
import type { DanteRecordSet, MdnsRecord } from '../../core/mdns/records.js';
import { LEGACY_UNICAST_TTL, dnsCodec, toAnswer, ttlOf } from './packets.js';
import type { AnswerUnit, MdnsMessage } from './packets.js';

/** DNS-SD service type enumeration (RFC 6763 §9). */
export const SERVICES_META_QUERY = '_services._dns-sd._udp.local';

export interface PlannedAnswers {
  /** Answers with their additionals, in question order. */
  units: { record: MdnsRecord; additionals: MdnsRecord[]; qu: boolean }[];
  /** Answers left out because the querier already has them. */
  suppressed: number;
}

/** The published records, indexed by lower-cased name. */
export class RecordIndex {
  private byName = new Map<string, MdnsRecord[]>();
  private keys = new Set<string>();

  constructor(records: Iterable<MdnsRecord>, readonly set: DanteRecordSet | undefined) {
    for (const r of records) {
      const k = nameKey(r.name);
      const list = this.byName.get(k) ?? [];
      list.push(r);
      this.byName.set(k, list);
      this.keys.add(recordKey(r));
    }
  }

  named(name: string): MdnsRecord[] {
    return this.byName.get(nameKey(name)) ?? [];
  }

  has(r: MdnsRecord): boolean {
    return this.keys.has(recordKey(r));
  }

  /** Service types we publish at least one instance of. */
  serviceTypes(): string[] {
    const out = new Set<string>();
    for (const list of this.byName.values()) for (const r of list) if (r.type === 'PTR') out.add(r.name);
    return [...out];
  }
}

function knownAnswerKey(a: Answer): string | undefined {
  const t = a.type;
  if (t !== 'PTR' && t !== 'SRV' && t !== 'TXT' && t !== 'A') return undefined;
  return `${nameKey(a.name)}|${t}|${rdataKey({ type: t, data: (a as { data: unknown }).data })}`;
}

/** Additionals of RFC 6763 §12 plus the reservation origin marker (§2.2). */
function additionalsFor(r: MdnsRecord, index: RecordIndex): MdnsRecord[] {
  const set = index.set;
  if (!set) return [];
  if (r.type === 'PTR') {
    const inst = index.named(r.data).filter((x) => x.type === 'SRV' || x.type === 'TXT');
    const hosts = inst.flatMap((x) => (x.type === 'SRV' ? index.named(x.data.target).filter((a) => a.type === 'A') : []));
    return [...inst, ...hosts];
  }
  if (r.type === 'SRV') return index.named(r.data.target).filter((a) => a.type === 'A');
  if (r.type === 'A' && set.reservations.some((x) => recordKey(x) === recordKey(r))) return [set.origin];
  return [];
}

/** Plans the answers to one query against the published records. */
export function planAnswers(query: MdnsMessage, index: RecordIndex): PlannedAnswers {
  // Known answers: the querier's answer section, kept when their TTL is ≥ half ours (§7.1).
  const known = new Map<string, number>();
  for (const a of query.answers) {
    const k = knownAnswerKey(a);
    if (k) known.set(k, Math.max(known.get(k) ?? 0, ttlOf(a)));
  }
  const units: PlannedAnswers['units'] = [];
  const chosen = new Set<string>();
  let suppressed = 0;
  for (const q of query.questions) {
    if (!q.inClass) continue;
    let matches: MdnsRecord[];
    if (nameKey(q.name) === SERVICES_META_QUERY && (q.type === 'PTR' || q.type === 'ANY')) {
      matches = index.serviceTypes().map((t) => ({ name: SERVICES_META_QUERY, type: 'PTR', ttl: 4500, unique: false, data: t }));
    } else {
      matches = index.named(q.name).filter((r) => q.type === 'ANY' || q.type === r.type);
    }
    for (const r of matches) {
      const key = recordKey(r);
      if (chosen.has(key)) continue;
      const knownTtl = known.get(key);
      if (knownTtl !== undefined && knownTtl >= r.ttl / 2) {
        suppressed++;
        continue;
      }
      chosen.add(key);
      units.push({ record: r, additionals: additionalsFor(r, index).filter((a) => !known.has(recordKey(a))), qu: q.qu });
    }
  }
  return { units, suppressed };
}

/** Wire units: legacy unicast answers carry TTL ≤ 10 and no cache-flush bit (RFC 6762 §6.7). */
export function toUnits(planned: PlannedAnswers['units'], legacy: boolean): AnswerUnit[] {
  const wire = (r: MdnsRecord): Answer =>
    legacy ? toAnswer(r, { ttl: Math.min(r.ttl, LEGACY_UNICAST_TTL), flush: false }) : toAnswer(r);
  return planned.map((u) => ({ answer: wire(u.record), additionals: u.additionals.map(wire) }));
}

/** Raw rdata bytes of a wire answer (dns-packet never compresses, so this is exact). */
export function rdataBytes(a: Answer): Buffer {
  const buf = dnsCodec.answer.encode(a);
  const nameLen = dnsCodec.name.encodingLength(a.name);
  return buf.subarray(nameLen + 10);
}

/**
 * Simultaneous-probe tie-break (RFC 6762 §8.2): compares the two sets of proposed records for
 * one name. Negative: ours sort first, so we lose and must defer; 0: identical (our own probe
 * looped back); positive: we win.
 */
export function compareProbeRecords(ours: Answer[], theirs: Answer[]): number {
  const norm = (list: Answer[]) =>
    list
      .map((a) => ({ cls: 1, type: dnsCodec.answer.encode(a).readUInt16BE(dnsCodec.name.encodingLength(a.name)), rdata: rdataBytes(a) }))
      .sort((x, y) => x.cls - y.cls || x.type - y.type || Buffer.compare(x.rdata, y.rdata));
  const a = norm(ours);
  const b = norm(theirs);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const d = x.cls - y.cls || x.type - y.type || Buffer.compare(x.rdata, y.rdata);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
