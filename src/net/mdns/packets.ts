// dns-packet glue: our records to wire answers, tolerant decoding, and responses split so no
// datagram exceeds the payload limit (dns-packet does not compress names, so 64 channels are
// ~20 KB of records).
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet';
import { DecodeError } from '../../core/errors.js';
import type { MdnsRecord } from '../../core/mdns/records.js';

/** UDP payload that fits a 1500-byte Ethernet MTU: 1500 − 20 (IPv4) − 8 (UDP). */
export const DEFAULT_MAX_PAYLOAD = 1472;
export const MDNS_GROUP = '224.0.0.251';
export const MDNS_PORT = 5353;
/** Legacy unicast answers carry at most this TTL (RFC 6762 §6.7). */
export const LEGACY_UNICAST_TTL = 10;

const QU_BIT = 0x8000;

/** dns-packet internals its type definitions leave out. */
export const dnsCodec = dnsPacket as unknown as typeof dnsPacket & {
  answer: { encode(a: Answer): Buffer };
  name: { encodingLength(n: string): number };
};

/** A question of any type name dns-packet knows, including `ANY` (missing from its types). */
export function question(name: string, type: string): Question {
  return { name, type: type as Question['type'], class: 'IN' };
}

/** rdata of a decoded answer (undefined for OPT pseudo-records). */
export function dataOf(a: Answer): unknown {
  return (a as { data?: unknown }).data;
}

/** TTL of a decoded answer (0 for OPT pseudo-records). */
export function ttlOf(a: Answer): number {
  return (a as { ttl?: number }).ttl ?? 0;
}

export interface MdnsQuestion {
  name: string;
  /** `A`, `PTR`, `SRV`, `TXT`, `ANY`, or another type name dns-packet knows (`UNKNOWN_n` otherwise). */
  type: string;
  /** Unicast-response bit (RFC 6762 §5.4). */
  qu: boolean;
  /** Class IN (1) or ANY (255); other classes are not ours to answer. */
  inClass: boolean;
}

export interface MdnsMessage {
  id: number;
  isResponse: boolean;
  truncated: boolean;
  questions: MdnsQuestion[];
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/**
 * dns-packet reports a question's class as a name and loses the QU bit (class 0x8001 becomes
 * `UNKNOWN_32769`), so we recover both from that name.
 */
function questionClass(cls: unknown): { qu: boolean; inClass: boolean } {
  if (cls === 'IN' || cls === 'ANY' || cls === undefined) return { qu: false, inClass: true };
  const m = /^UNKNOWN_(\d+)$/.exec(String(cls));
  if (!m) return { qu: false, inClass: false };
  const n = Number(m[1]);
  const base = n & ~QU_BIT;
  return { qu: (n & QU_BIT) !== 0, inClass: base === 1 || base === 255 };
}

/** Decodes one datagram; throws DecodeError('malformed') when dns-packet cannot read it. */
export function decodeMessage(buf: Buffer): MdnsMessage {
  let p: DecodedPacket;
  try {
    p = dnsPacket.decode(buf);
  } catch (err) {
    throw new DecodeError('malformed', (err as Error).message);
  }
  return {
    id: p.id ?? 0,
    isResponse: p.type === 'response',
    truncated: p.flag_tc,
    questions: (p.questions ?? []).map((q) => ({ name: q.name, type: String(q.type), ...questionClass(q.class) })),
    answers: p.answers ?? [],
    authorities: p.authorities ?? [],
    additionals: p.additionals ?? [],
  };
}

/** A wire answer for one of our records; `ttl` overrides (goodbye = 0, legacy unicast ≤ 10). */
export function toAnswer(r: MdnsRecord, opts: { ttl?: number; flush?: boolean } = {}): Answer {
  const base = { name: r.name, ttl: opts.ttl ?? r.ttl, class: 'IN' as const, flush: opts.flush ?? r.unique };
  switch (r.type) {
    case 'PTR':
      return { ...base, type: 'PTR', data: r.data };
    case 'A':
      return { ...base, type: 'A', data: r.data };
    case 'SRV':
      return { ...base, type: 'SRV', data: { ...r.data } };
    case 'TXT':
      return { ...base, type: 'TXT', data: r.data };
  }
}

/** An answer plus the additionals that should travel with it in the same datagram. */
export interface AnswerUnit {
  answer: Answer;
  additionals: Answer[];
}

export interface SplitOptions {
  id?: number;
  /** Questions echoed in every datagram (legacy unicast, RFC 6762 §6.7). */
  questions?: Packet['questions'];
  maxBytes: number;
}

function answerKey(a: Answer): string {
  const d = (a as { data?: unknown }).data;
  const data = Buffer.isBuffer(d) ? d.toString('hex') : Array.isArray(d) ? d.map((x) => Buffer.from(x).toString('hex')).join(',') : JSON.stringify(d);
  return `${a.name.toLowerCase()}|${a.type}|${data}`;
}

/**
 * Packs answer units into as few responses as fit `maxBytes` each. Additionals go with their
 * answer when they fit (de-duplicated per datagram); an answer is never dropped, an additional
 * may be (a querier can ask for it).
 */
export function encodeResponses(units: readonly AnswerUnit[], opts: SplitOptions): Buffer[] {
  const out: Buffer[] = [];
  const head: Packet = { type: 'response', id: opts.id ?? 0, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: opts.questions ?? [] };
  let answers: Answer[] = [];
  let additionals: Answer[] = [];
  let keys = new Set<string>();
  const size = (a: Answer[], b: Answer[]) => dnsPacket.encodingLength({ ...head, answers: a, additionals: b });
  const flush = () => {
    if (answers.length) out.push(dnsPacket.encode({ ...head, answers, additionals }));
    answers = [];
    additionals = [];
    keys = new Set();
  };
  for (const unit of units) {
    const k = answerKey(unit.answer);
    if (keys.has(k) && answers.some((a) => answerKey(a) === k)) continue;
    if (size([...answers, unit.answer], additionals) > opts.maxBytes) flush();
    if (size([...answers, unit.answer], additionals) > opts.maxBytes) {
      throw new RangeError(`one mDNS record does not fit ${opts.maxBytes} bytes: ${unit.answer.name}`);
    }
    answers.push(unit.answer);
    keys.add(k);
    // An additional that repeats an answer of this datagram is left out (RFC 6762 §6).
    additionals = additionals.filter((a) => answerKey(a) !== k);
    for (const add of unit.additionals) {
      const ak = answerKey(add);
      if (keys.has(ak)) continue;
      if (size(answers, [...additionals, add]) > opts.maxBytes) continue;
      additionals.push(add);
      keys.add(ak);
    }
  }
  flush();
  return out;
}

/** Queries (or probes, with `authorities`) split like responses: questions first, then authorities. */
export function encodeQueries(
  questions: NonNullable<Packet['questions']>, authorities: Answer[], maxBytes: number, id = 0,
): Buffer[] {
  const out: Buffer[] = [];
  let qs: NonNullable<Packet['questions']> = [];
  let auth: Answer[] = [];
  const size = (q: typeof qs, a: Answer[]) => dnsPacket.encodingLength({ type: 'query', id, questions: q, authorities: a });
  const flush = () => {
    if (qs.length || auth.length) out.push(dnsPacket.encode({ type: 'query', id, flags: 0, questions: qs, authorities: auth }));
    qs = [];
    auth = [];
  };
  // Keep each question with its proposed records so a probe's tie-break sees them together.
  for (const q of questions) {
    const mine = authorities.filter((a) => a.name.toLowerCase() === q.name.toLowerCase());
    if (size([...qs, q], [...auth, ...mine]) > maxBytes) flush();
    qs.push(q);
    auth.push(...mine);
  }
  flush();
  return out;
}
