// The browser's record cache: every answer and additional heard while it runs, with expiry
// (TTL 0 = goodbye removes the record, a cache-flush record replaces older data of its name
// and type, RFC 6762 §10.2).
import type { Answer } from 'dns-packet';
import { nameKey } from '../../core/mdns/names.js';
import { rdataKey } from '../../core/mdns/records.js';
import { ttlOf } from './packets.js';

export interface CachedRecord {
  answer: Answer;
  /** Responder address the record came from. */
  from: string;
  /** ms timestamp. */
  received: number;
  expires: number;
}

/** Grace for cache-flush: records received within the last second are kept (RFC 6762 §10.2). */
const FLUSH_GRACE_MS = 1000;

export class RecordCache {
  private entries = new Map<string, Map<string, CachedRecord>>();

  constructor(private readonly now: () => number = Date.now) {}

  add(answers: readonly Answer[], from: string): void {
    const t = this.now();
    const flushed = new Set<string>();
    for (const a of answers) {
      const type = a.type;
      if (type !== 'PTR' && type !== 'SRV' && type !== 'TXT' && type !== 'A') continue;
      const slot = `${nameKey(a.name)}|${type}`;
      const rkey = rdataKey({ type, data: (a as { data: unknown }).data });
      let m = this.entries.get(slot);
      if (!m) this.entries.set(slot, (m = new Map()));
      const ttl = ttlOf(a);
      if (ttl === 0) {
        m.delete(rkey);
        continue;
      }
      if ((a as { flush?: boolean }).flush && !flushed.has(slot)) {
        flushed.add(slot);
        for (const [k, r] of m) if (t - r.received > FLUSH_GRACE_MS) m.delete(k);
      }
      m.set(rkey, { answer: a, from, received: t, expires: t + ttl * 1000 });
    }
  }

  get(name: string, type: 'PTR' | 'SRV' | 'TXT' | 'A'): CachedRecord[] {
    const m = this.entries.get(`${nameKey(name)}|${type}`);
    if (!m) return [];
    const t = this.now();
    for (const [k, r] of m) if (r.expires <= t) m.delete(k);
    return [...m.values()].sort((x, y) => y.received - x.received);
  }
}
