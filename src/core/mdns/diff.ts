// What a responder must do when its record set changes (RFC 6762 §8, §10): pure, so renames and
// bundle changes are testable without sockets.
import { nameKey } from './names.js';
import { recordKey } from './records.js';
import type { MdnsRecord } from './records.js';

export interface PublicationPlan {
  /** Records to withdraw with a goodbye (TTL 0). */
  goodbye: MdnsRecord[];
  /** Records that stay published unchanged. */
  keep: MdnsRecord[];
  /** Records on names we already own: publish and announce now (cache-flush replaces old data). */
  announce: MdnsRecord[];
  /** Records on new unique names (and the PTRs of those instances): probe first. */
  probe: MdnsRecord[];
}

/** The owner name of a record: a PTR belongs to the instance it points at. */
export function ownerName(r: MdnsRecord): string {
  return r.type === 'PTR' ? nameKey(r.data) : nameKey(r.name);
}

export function planPublication(published: Iterable<MdnsRecord>, wanted: readonly MdnsRecord[]): PublicationPlan {
  const current = new Map<string, MdnsRecord>();
  for (const r of published) current.set(recordKey(r), r);
  const wantedKeys = new Set(wanted.map(recordKey));
  const owned = new Set([...current.values()].filter((r) => r.unique).map((r) => nameKey(r.name)));
  const wantedUniqueTypes = new Set(wanted.filter((r) => r.unique).map((r) => `${nameKey(r.name)}|${r.type}`));
  const plan: PublicationPlan = { goodbye: [], keep: [], announce: [], probe: [] };
  // Removed records get a goodbye, unless a unique record only changes its data: the new one
  // goes out with the cache-flush bit, which replaces it in caches.
  for (const [k, r] of current) {
    if (wantedKeys.has(k)) continue;
    if (!(r.unique && wantedUniqueTypes.has(`${nameKey(r.name)}|${r.type}`))) plan.goodbye.push(r);
  }
  const newNames = new Set(wanted.filter((r) => r.unique && !owned.has(nameKey(r.name))).map((r) => nameKey(r.name)));
  for (const r of wanted) {
    if (current.has(recordKey(r))) plan.keep.push(r);
    else if (newNames.has(ownerName(r))) plan.probe.push(r);
    else plan.announce.push(r);
  }
  return plan;
}
