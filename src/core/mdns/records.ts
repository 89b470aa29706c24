// The generic mDNS resource records our responder publishes, independent of any packet codec.
export type MdnsRecordType = 'PTR' | 'SRV' | 'TXT' | 'A';

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

interface RecordBase {
  name: string;
  ttl: number;
  /**
   * Unique records (SRV/TXT of an instance, the host A) are probed at start, sent with the
   * cache-flush bit and renamed on conflict (RFC 6762 §8, §10.2). Shared ones (PTR, address
   * reservations, the origin marker) are not.
   */
  unique: boolean;
}

export type MdnsRecord =
  | (RecordBase & { type: 'PTR'; data: string })
  | (RecordBase & { type: 'SRV'; data: SrvData })
  | (RecordBase & { type: 'TXT'; data: Buffer[] })
  | (RecordBase & { type: 'A'; data: string });

/** Name + type + rdata, case-insensitive on names: two records with equal keys are the same record. */
export function recordKey(r: MdnsRecord): string {
  return `${r.name.toLowerCase()}|${r.type}|${rdataKey(r)}`;
}

export function rdataKey(r: Pick<MdnsRecord, 'type' | 'data'> | { type: string; data: unknown }): string {
  switch (r.type) {
    case 'PTR':
      return String(r.data).toLowerCase();
    case 'A':
      return String(r.data);
    case 'SRV': {
      const d = r.data as SrvData;
      return `${d.priority} ${d.weight} ${d.port} ${String(d.target).toLowerCase()}`;
    }
    case 'TXT': {
      const list = Array.isArray(r.data) ? r.data : [r.data];
      return list.map((b) => Buffer.from(b as Buffer).toString('hex')).join(',');
    }
    default:
      return Buffer.isBuffer(r.data) ? r.data.toString('hex') : JSON.stringify(r.data);
  }
}

/** One DNS-SD service instance: the records that belong to it. */
export interface ServiceInstance {
  serviceType: string;
  /** The instance label, e.g. `01@Dev`. */
  label: string;
  fqdn: string;
  ptr: MdnsRecord & { type: 'PTR' };
  srv: MdnsRecord & { type: 'SRV' };
  txt: MdnsRecord & { type: 'TXT' };
}

/** Everything one Dante device publishes (§2.2), built by `buildDanteRecordSet`. */
export interface DanteRecordSet {
  /** Effective device name used in instance labels. */
  deviceName: string;
  /** SRV target of every service, e.g. `Dev.local`. */
  hostName: string;
  services: ServiceInstance[];
  hostA: MdnsRecord & { type: 'A' };
  /** `<d>.<c>.<b>.<a>.in-addr.local` A records (§2.2), answered with `origin` as additional. */
  reservations: (MdnsRecord & { type: 'A' })[];
  origin: MdnsRecord & { type: 'TXT' };
}

/**
 * The records a set announces and answers for: services (PTR, SRV, TXT), the host A and the
 * reservations. The origin marker is not among them: it only rides along as an additional.
 */
export function allRecords(set: DanteRecordSet): MdnsRecord[] {
  const out: MdnsRecord[] = [];
  for (const s of set.services) out.push(s.ptr, s.srv, s.txt);
  out.push(set.hostA, ...set.reservations);
  return out;
}
