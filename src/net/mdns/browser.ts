// Browsing and resolving Dante services (PROTOCOL.md §2.1, §2.3): lists instances with SRV, TXT
// and address, groups ARC/CMC into devices by SRV target, resolves `<channel>@<device>` and its
// multicast bundle, and checks multicast address reservations.
import { EventEmitter } from 'node:events';
import type { SrvAnswer } from 'dns-packet';
import { DecodeError } from '../../core/errors.js';
import { RESPONSE_ORIGIN_NAME, SERVICE_ARC, SERVICE_BUND, SERVICE_CHAN, SERVICE_CMC, atDeviceLabel, firstLabel, instanceFqdn, nameKey, reservationName, sameName, splitAtDevice } from '../../core/mdns/names.js';
import { parseBundleTxt, parseChannelTxt } from '../../core/mdns/parse.js';
import type { BundleTxt, ChannelTxt } from '../../core/mdns/parse.js';
import { decodeTxt, parseTxtInt, txtMap } from '../../core/mdns/txt.js';
import type { TxtEntry } from '../../core/mdns/txt.js';
import { getLogger } from '../../log.js';
import type { Logger } from '../../log.js';
import { RecordCache } from './cache.js';
import { DEFAULT_MAX_PAYLOAD, MDNS_PORT, dataOf, decodeMessage, encodeQueries, question } from './packets.js';
import { UdpMdnsTransport } from './transport.js';
import type { Endpoint, MdnsTransport } from './transport.js';

/** Re-send an unanswered one-shot query this often (RFC 6762 §5.2 allows ≥ 1 s). */
const QUERY_RETRY_MS = 1000;
/** §2.3 step 7: the follow-up A query waits up to 3 s. */
export const A_QUERY_TIMEOUT_MS = 3000;
/** §2.3: reservation check, 400 ms per try, 3 tries. */
export const RESERVATION_TIMEOUT_MS = 400;
export const RESERVATION_TRIES = 3;

export interface ResolvedService {
  fqdn: string;
  serviceType: string;
  label: string;
  host: string;
  port: number;
  /** IPv4 of `host`, when an A record was heard. */
  ip?: string;
  /** TXT strings in order. */
  txt: TxtEntry[];
  /** Address of the responder that answered. */
  from: string;
}

export interface DanteDeviceListing {
  name: string;
  host: string;
  ip?: string;
  arcPort?: number;
  cmcPort?: number;
  /** CMC `id` (device id hex) and `process`. */
  deviceId?: string;
  processId?: number;
  arc?: ResolvedService;
  cmc?: ResolvedService;
}

export interface ResolvedBundle {
  id: number;
  /** 1-based position of the channel in the bundle. */
  position: number;
  service: ResolvedService;
  txt: BundleTxt;
}

export interface ResolvedChannel {
  channel: string;
  device: string;
  ip: string;
  /** Flows-control port of the transmitter. */
  port: number;
  host: string;
  txt: ChannelTxt;
  /** First multicast bundle the channel is in, resolved (§2.3 step 5). */
  bundle?: ResolvedBundle;
  service: ResolvedService;
}

export class MdnsResolveError extends Error {
  constructor(readonly reason: 'not-found' | 'no-address' | 'bad-txt' | 'bad-name', message: string) {
    super(`${reason}: ${message}`);
    this.name = 'MdnsResolveError';
  }
}

export interface MdnsBrowserOptions {
  interfaceIp: string;
  transport?: MdnsTransport;
  maxPayload?: number;
  logger?: Logger;
  /** Our own `_inferno-response-origin` string, to ignore our own reservations (§2.3 step 8). */
  ownOrigin?: string;
}

export class MdnsBrowser {
  private readonly transport: MdnsTransport;
  private readonly maxPayload: number;
  private readonly log: Logger;
  private readonly cache = new RecordCache();
  private readonly updates = new EventEmitter();
  private readonly ownOrigin: string | undefined;
  /** Reservation answers by name: responder origin strings seen. */
  private readonly origins = new Map<string, Set<string>>();
  private started: Promise<void> | undefined;
  private readonly counters = { responses: 0, drops: {} as Record<string, number> };

  constructor(opts: MdnsBrowserOptions) {
    this.transport = opts.transport ?? new UdpMdnsTransport({ interfaceIp: opts.interfaceIp });
    this.maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.log = opts.logger ?? getLogger('mdns.browser');
    this.ownOrigin = opts.ownOrigin;
    this.updates.setMaxListeners(0);
    this.transport.onMessage((buf, from) => this.onDatagram(buf, from));
  }

  start(): Promise<void> {
    this.started ??= this.transport.start();
    return this.started;
  }

  async stop(): Promise<void> {
    await this.transport.close();
  }

  stats(): { responses: number; drops: Record<string, number> } {
    return { responses: this.counters.responses, drops: { ...this.counters.drops } };
  }

  private onDatagram(buf: Buffer, from: Endpoint): void {
    let msg;
    try {
      msg = decodeMessage(buf);
    } catch (err) {
      const reason = err instanceof DecodeError ? err.reason : 'malformed';
      this.counters.drops[reason] = (this.counters.drops[reason] ?? 0) + 1;
      return;
    }
    if (!msg.isResponse || from.port !== MDNS_PORT) return;
    this.counters.responses++;
    const records = [...msg.answers, ...msg.additionals];
    this.cache.add(records, from.address);
    // Remember which origin answered each reservation name in this packet (§2.3 step 8).
    const origin = records.find((a) => a.type === 'TXT' && sameName(a.name, RESPONSE_ORIGIN_NAME));
    const originText = origin ? decodeTxt([(dataOf(origin) as Buffer[])[0] ?? Buffer.alloc(0)])[0]![0] : '';
    for (const a of msg.answers) {
      if (a.type !== 'A' || !nameKey(a.name).endsWith('.in-addr.local')) continue;
      const set = this.origins.get(nameKey(a.name)) ?? new Set<string>();
      set.add(originText);
      this.origins.set(nameKey(a.name), set);
    }
    this.updates.emit('update');
  }

  private async query(questions: { name: string; type: string }[]): Promise<void> {
    await this.start();
    for (const buf of encodeQueries(questions.map((q) => question(q.name, q.type)), [], this.maxPayload)) {
      try {
        await this.transport.send(buf);
      } catch (err) {
        this.log.debug('mDNS query failed', { err: err as Error });
      }
    }
  }

  /** Waits until `done()` is true or `timeoutMs` passes; `retry` runs every QUERY_RETRY_MS. */
  private waitFor(done: () => boolean, timeoutMs: number, retry?: () => void): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        clearInterval(retries);
        this.updates.off('update', check);
        resolve();
      };
      const check = () => {
        if (done()) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      const retries = setInterval(() => retry?.(), QUERY_RETRY_MS);
      this.updates.on('update', check);
      check();
    });
  }

  /** What the cache knows about one instance, or undefined while SRV or TXT is missing. */
  private fromCache(fqdn: string, serviceType: string): ResolvedService | undefined {
    const srv = this.cache.get(fqdn, 'SRV')[0];
    const txt = this.cache.get(fqdn, 'TXT')[0];
    if (!srv || !txt) return undefined;
    const data = (srv.answer as SrvAnswer).data;
    const a = this.cache.get(data.target, 'A')[0];
    return {
      fqdn,
      serviceType,
      label: firstLabel(fqdn, serviceType) ?? fqdn,
      host: data.target,
      port: data.port,
      ip: a ? String(dataOf(a.answer)) : undefined,
      txt: decodeTxt(dataOf(txt.answer) as Buffer[]),
      from: srv.from,
    };
  }

  /**
   * Resolves one instance: SRV+TXT query for the exact name, the A record from additionals or a
   * follow-up A query (§2.3 steps 2–4, 7).
   */
  async resolveService(fqdn: string, serviceType: string, timeoutMs = 1000): Promise<ResolvedService | undefined> {
    const ask = () => void this.query([{ name: fqdn, type: 'SRV' }, { name: fqdn, type: 'TXT' }]);
    ask();
    await this.waitFor(() => this.fromCache(fqdn, serviceType) !== undefined, timeoutMs, ask);
    const found = this.fromCache(fqdn, serviceType);
    if (!found || found.ip) return found;
    const askA = () => void this.query([{ name: found.host, type: 'A' }]);
    askA();
    await this.waitFor(() => this.fromCache(fqdn, serviceType)?.ip !== undefined, Math.min(A_QUERY_TIMEOUT_MS, timeoutMs), askA);
    return this.fromCache(fqdn, serviceType);
  }

  /** Lists the instances of `serviceType` heard within `timeoutMs`, each resolved as far as possible. */
  async browse(serviceType: string, timeoutMs = 1500): Promise<ResolvedService[]> {
    const asked = new Set<string>();
    const followUp = () => {
      const questions: { name: string; type: string }[] = [];
      for (const ptr of this.cache.get(serviceType, 'PTR')) {
        const inst = String(dataOf(ptr.answer));
        const known = this.fromCache(inst, serviceType);
        if (known?.ip || asked.has(nameKey(inst))) continue;
        asked.add(nameKey(inst));
        if (!known) questions.push({ name: inst, type: 'SRV' }, { name: inst, type: 'TXT' });
        else questions.push({ name: known.host, type: 'A' });
      }
      if (questions.length) void this.query(questions);
    };
    const onUpdate = () => followUp();
    this.updates.on('update', onUpdate);
    try {
      const ask = () => {
        asked.clear();
        void this.query([{ name: serviceType, type: 'PTR' }]);
      };
      ask();
      await this.waitFor(() => false, timeoutMs, ask);
    } finally {
      this.updates.off('update', onUpdate);
    }
    const out: ResolvedService[] = [];
    for (const ptr of this.cache.get(serviceType, 'PTR')) {
      const s = this.fromCache(String(dataOf(ptr.answer)), serviceType);
      if (s) out.push(s);
    }
    return out.sort((a, b) => a.fqdn.localeCompare(b.fqdn));
  }

  /** Dante devices = `_netaudio-arc` and `_netaudio-cmc` grouped by SRV target host (§2.1). */
  async listDevices(timeoutMs = 1500): Promise<DanteDeviceListing[]> {
    const [arc, cmc] = await Promise.all([this.browse(SERVICE_ARC, timeoutMs), this.browse(SERVICE_CMC, timeoutMs)]);
    const byHost = new Map<string, DanteDeviceListing>();
    const entry = (s: ResolvedService) => {
      const k = `${nameKey(s.host)}|${nameKey(s.label)}`;
      const d = byHost.get(k) ?? { name: s.label, host: s.host, ip: s.ip };
      d.ip ??= s.ip;
      byHost.set(k, d);
      return d;
    };
    for (const s of arc) Object.assign(entry(s), { arc: s, arcPort: s.port });
    for (const s of cmc) {
      const d = entry(s);
      const m = txtMap(s.txt);
      d.cmc = s;
      d.cmcPort = s.port;
      d.deviceId = m.get('id') ?? undefined;
      try {
        if (m.has('process')) d.processId = parseTxtInt(m.get('process'), 'process');
      } catch { /* a device with an odd process key is still listed */ }
    }
    return [...byHost.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Resolves `<channel>@<device>` (§2.3), and its multicast bundle when the TXT has `b.N`. */
  async resolveChannel(subscription: string, timeoutMs = 1000): Promise<ResolvedChannel> {
    const parts = splitAtDevice(subscription);
    if (!parts) throw new MdnsResolveError('bad-name', subscription);
    const service = await this.resolveService(instanceFqdn(subscription, SERVICE_CHAN), SERVICE_CHAN, timeoutMs);
    if (!service) throw new MdnsResolveError('not-found', subscription);
    if (!service.ip) throw new MdnsResolveError('no-address', `${subscription} → ${service.host}`);
    let txt: ChannelTxt;
    try {
      txt = parseChannelTxt(service.txt.map(([k, v]) => (v === null ? k : `${k}=${v}`)));
    } catch (err) {
      throw new MdnsResolveError('bad-txt', `${subscription}: ${(err as Error).message}`);
    }
    const out: ResolvedChannel = { channel: parts.name, device: parts.device, ip: service.ip, port: service.port, host: service.host, txt, service };
    const b = txt.bundles[0];
    if (b) {
      const fqdn = instanceFqdn(atDeviceLabel(b.id, parts.device), SERVICE_BUND);
      const bund = await this.resolveService(fqdn, SERVICE_BUND, timeoutMs);
      if (bund) {
        try {
          out.bundle = { id: b.id, position: b.position, service: bund, txt: parseBundleTxt(bund.txt.map(([k, v]) => (v === null ? k : `${k}=${v}`))) };
        } catch (err) {
          this.log.warn('bad bundle TXT, using unicast', { bundle: fqdn, err: err as Error });
        }
      }
    }
    return out;
  }

  /**
   * "Is this multicast group in use?" (§2.3, §5.6): A query for its reservation name; any reply
   * not carrying our own origin marker means used, silence means free.
   */
  async isMulticastGroupInUse(group: string, timeoutMs = RESERVATION_TIMEOUT_MS, tries = RESERVATION_TRIES): Promise<boolean> {
    const name = nameKey(reservationName(group));
    const used = () => [...(this.origins.get(name) ?? [])].some((o) => o !== this.ownOrigin);
    for (let i = 0; i < tries; i++) {
      this.origins.delete(name);
      await this.query([{ name, type: 'A' }]);
      await this.waitFor(used, timeoutMs);
      if (used()) return true;
    }
    return false;
  }
}
