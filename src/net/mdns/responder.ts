// The device's mDNS responder (RFC 6762/6763 with the Dante quirks of PROTOCOL.md §2.4): probes
// its unique names, renames on conflict, announces, answers queries (multicast, QU unicast,
// legacy unicast, known-answer suppression), re-publishes changes and says goodbye.
import { EventEmitter } from 'node:events';
import type { Answer, Question } from 'dns-packet';
import { DecodeError } from '../../core/errors.js';
import { buildDanteRecordSet } from '../../core/mdns/dante.js';
import type { DanteMdnsDevice } from '../../core/mdns/dante.js';
import { conflictDeviceName, conflictHostLabel, hostLabelFor, nameKey } from '../../core/mdns/names.js';
import { ownerName, planPublication } from '../../core/mdns/diff.js';
import { allRecords, rdataKey, recordKey } from '../../core/mdns/records.js';
import type { DanteRecordSet, MdnsRecord } from '../../core/mdns/records.js';
import { getLogger } from '../../log.js';
import type { Logger } from '../../log.js';
import { RecordIndex, compareProbeRecords, planAnswers, toUnits } from './answer.js';
import { DEFAULT_MAX_PAYLOAD, MDNS_PORT, decodeMessage, encodeQueries, encodeResponses, question, toAnswer, ttlOf } from './packets.js';
import type { MdnsMessage } from './packets.js';
import { DEFAULT_TIMING, OWN_ECHO_MS } from './responder-types.js';
import type { MdnsConflict, MdnsResponderEvents, MdnsResponderOptions, MdnsResponderStats, ResponderState, ResponderTiming } from './responder-types.js';
import { UdpMdnsTransport } from './transport.js';
import type { Endpoint, MdnsTransport } from './transport.js';

export * from './responder-types.js';

export class MdnsResponder extends EventEmitter<MdnsResponderEvents> {
  private readonly transport: MdnsTransport;
  private readonly maxPayload: number;
  private readonly log: Logger;
  private readonly timing: ResponderTiming;
  private device: DanteMdnsDevice | undefined;
  private set: DanteRecordSet | undefined;
  private deviceSuffix = 1;
  private hostSuffix = 1;
  /** Records we own and answer for. */
  private published = new Map<string, MdnsRecord>();
  /** Records waiting for their unique names to be probed. */
  private pending = new Map<string, MdnsRecord>();
  private index = new RecordIndex([], undefined);
  private probeGeneration = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private timers = new Set<NodeJS.Timeout>();
  private ownSent = new Map<string, number>();
  private readonly conflictLog: MdnsConflict[] = [];
  private started = false;
  private stopped = false;
  private readonly counters: MdnsResponderStats = {
    queries: 0, responses: 0, answers: 0, announcements: 0, goodbyes: 0, probes: 0,
    knownAnswerSuppressed: 0, legacyUnicast: 0, unicastReplies: 0, conflicts: 0, datagramsSent: 0, drops: {},
  };

  constructor(opts: MdnsResponderOptions) {
    super();
    this.transport = opts.transport ?? new UdpMdnsTransport({ interfaceIp: opts.interfaceIp });
    this.maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.log = opts.logger ?? getLogger('mdns');
    this.timing = { ...DEFAULT_TIMING, ...opts.timing };
    this.transport.onMessage((buf, from) => this.onDatagram(buf, from));
  }

  /** Binds the transport; records given to setDevice before or after are then probed. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.transport.start();
    this.started = true;
    // Records on names that need no probe (reservations) were set aside until now.
    if (this.published.size) this.announce([...this.published.values()]);
    if (this.pending.size) this.scheduleProbe(Math.random() * this.timing.probeIntervalMs);
  }

  /** Publishes `device` (or re-publishes after a change): goodbyes for removed records, probes for new names, announcements. */
  setDevice(device: DanteMdnsDevice): void {
    if (this.stopped) return;
    this.device = device;
    this.apply(this.build(device));
  }

  /** Effective device name (after conflict renames). */
  get deviceName(): string | undefined {
    return this.set?.deviceName;
  }

  get hostName(): string | undefined {
    return this.set?.hostName;
  }

  get recordSet(): DanteRecordSet | undefined {
    return this.set;
  }

  get conflicts(): readonly MdnsConflict[] {
    return this.conflictLog;
  }

  get state(): ResponderState {
    if (this.stopped) return 'stopped';
    if (this.pending.size) return 'probing';
    return this.published.size ? 'announced' : 'idle';
  }

  stats(): MdnsResponderStats {
    return { ...this.counters, drops: { ...this.counters.drops } };
  }

  /** Sends goodbyes (TTL 0) for everything published and closes the transport. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.probeGeneration++;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const all = [...this.published.values()];
    this.published.clear();
    this.pending.clear();
    if (this.started && all.length) await this.sendGoodbyes(all);
    await this.transport.close();
  }

  private build(device: DanteMdnsDevice): DanteRecordSet {
    const name = this.deviceSuffix > 1 ? conflictDeviceName(device.name, this.deviceSuffix) : device.name;
    const baseHost = device.hostLabel ?? hostLabelFor(device.name);
    const hostLabel = this.hostSuffix > 1 ? conflictHostLabel(baseHost, this.hostSuffix) : baseHost;
    return buildDanteRecordSet({ ...device, name, hostLabel });
  }

  /** Diffs the published records against `next` and acts on the difference. */
  private apply(next: DanteRecordSet): void {
    this.set = next;
    const plan = planPublication(this.published.values(), allRecords(next));
    this.published = new Map([...plan.keep, ...plan.announce].map((r) => [recordKey(r), r]));
    this.pending = new Map(plan.probe.map((r) => [recordKey(r), r]));
    this.reindex();
    if (!this.started) return;
    if (plan.goodbye.length) void this.sendGoodbyes(plan.goodbye);
    if (plan.announce.length) this.announce(plan.announce);
    if (this.pending.size) this.scheduleProbe(Math.random() * this.timing.probeIntervalMs);
  }

  private reindex(): void {
    this.index = new RecordIndex(this.published.values(), this.set);
  }

  private pendingNames(): Set<string> {
    return new Set([...this.pending.values()].filter((r) => r.unique).map((r) => nameKey(r.name)));
  }

  // --- probing (RFC 6762 §8.1) -------------------------------------------------------------

  private scheduleProbe(delayMs: number): void {
    const gen = ++this.probeGeneration;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    let sent = 0;
    const step = () => {
      if (gen !== this.probeGeneration || this.stopped) return;
      if (sent < this.timing.probeCount) {
        sent++;
        void this.sendProbe();
        this.probeTimer = setTimeout(step, this.timing.probeIntervalMs);
        return;
      }
      this.probeTimer = undefined;
      this.probeSucceeded();
    };
    this.probeTimer = setTimeout(step, delayMs);
  }

  private async sendProbe(): Promise<void> {
    const unique = [...this.pending.values()].filter((r) => r.unique);
    const names = [...new Map(unique.map((r) => [nameKey(r.name), r.name])).values()];
    const questions = names.map((name) => question(name, 'ANY'));
    const authorities = unique.map((r) => toAnswer(r, { flush: false }));
    this.counters.probes++;
    this.rememberSent(unique);
    for (const buf of encodeQueries(questions, authorities, this.maxPayload)) await this.send(buf);
  }

  private probeSucceeded(): void {
    const won = [...this.pending.entries()];
    this.pending.clear();
    for (const [k, r] of won) this.published.set(k, r);
    this.reindex();
    this.log.info('mDNS names published', { device: this.set?.deviceName, host: this.set?.hostName, records: won.length });
    this.announce(won.map(([, r]) => r));
    if (this.set) this.emit('published', this.set);
  }

  private onConflict(kind: 'device' | 'host', name: string, peer: string): void {
    if (!this.device || !this.set) return;
    const from = kind === 'device' ? this.set.deviceName : this.set.hostName;
    if (kind === 'device') this.deviceSuffix++;
    else this.hostSuffix++;
    const next = this.build(this.device);
    const conflict: MdnsConflict = { kind, name, from, to: kind === 'device' ? next.deviceName : next.hostName, peer };
    this.conflictLog.push(conflict);
    this.counters.conflicts++;
    this.log.warn('mDNS name conflict: renamed', { ...conflict });
    this.emit('conflict', conflict);
    this.apply(next);
  }

  private kindOf(name: string): 'device' | 'host' {
    return this.set && nameKey(this.set.hostName) === nameKey(name) ? 'host' : 'device';
  }

  // --- announcements and goodbyes (RFC 6762 §8.3, §10.1) -----------------------------------

  private announce(records: MdnsRecord[]): void {
    let n = 0;
    const once = () => {
      if (this.stopped) return;
      const current = records.filter((r) => this.published.has(recordKey(r)));
      if (!current.length) return;
      this.counters.announcements++;
      void this.sendRecords(current, toAnswer);
      if (++n < this.timing.announceCount) this.later(once, this.timing.announceIntervalMs * 2 ** (n - 1));
    };
    once();
  }

  private async sendGoodbyes(records: MdnsRecord[]): Promise<void> {
    this.counters.goodbyes++;
    await this.sendRecords(records, (r) => toAnswer(r, { ttl: 0 }));
  }

  private async sendRecords(records: MdnsRecord[], wire: (r: MdnsRecord) => Answer, to?: Endpoint): Promise<void> {
    this.rememberSent(records);
    const units = records.map((r) => ({ answer: wire(r), additionals: [] }));
    for (const buf of encodeResponses(units, { maxBytes: this.maxPayload })) await this.send(buf, to);
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private async send(buf: Buffer, to?: Endpoint): Promise<void> {
    this.counters.datagramsSent++;
    try {
      await this.transport.send(buf, to);
    } catch (err) {
      this.drop('send-failed');
      this.log.debug('mDNS send failed', { err: err as Error });
    }
  }

  private rememberSent(records: MdnsRecord[]): void {
    const now = Date.now();
    for (const [k, t] of this.ownSent) if (now - t > OWN_ECHO_MS) this.ownSent.delete(k);
    for (const r of records) this.ownSent.set(recordKey(r), now);
  }

  private drop(reason: string): void {
    this.counters.drops[reason] = (this.counters.drops[reason] ?? 0) + 1;
  }

  // --- receiving -----------------------------------------------------------------------------

  private onDatagram(buf: Buffer, from: Endpoint): void {
    if (this.stopped) return;
    let msg: MdnsMessage;
    try {
      msg = decodeMessage(buf);
    } catch (err) {
      this.drop(err instanceof DecodeError ? err.reason : 'malformed');
      return;
    }
    try {
      if (msg.isResponse) this.onResponse(msg, from);
      else this.onQuery(msg, from);
    } catch (err) {
      // A packet that decodes but still trips us (odd rdata) is a drop, not a crash.
      this.drop('unhandled');
      this.log.debug('mDNS packet dropped', { err: err as Error, from: from.address });
    }
  }

  private onResponse(msg: MdnsMessage, from: Endpoint): void {
    this.counters.responses++;
    if (from.port !== MDNS_PORT) {
      this.drop('response-bad-port'); // RFC 6762 §11: responses come from port 5353
      return;
    }
    const probing = this.pendingNames();
    for (const a of [...msg.answers, ...msg.additionals]) {
      if (!ttlOf(a)) continue; // goodbyes never conflict
      const key = nameKey(a.name);
      const inProbe = probing.has(key);
      const ours = [...this.published.values()].filter((r) => r.unique && nameKey(r.name) === key);
      if (!inProbe && !ours.length) continue;
      const t = a.type;
      if (t !== 'SRV' && t !== 'TXT' && t !== 'A') continue;
      const theirs = `${key}|${t}|${rdataKey({ type: t, data: (a as { data: unknown }).data })}`;
      if (this.ownSent.has(theirs) || this.published.has(theirs) || this.pending.has(theirs)) continue;
      if (inProbe) {
        this.onConflict(this.kindOf(a.name), a.name, from.address);
        return;
      }
      // Already published: someone else claims our name; probe again (RFC 6762 §9) and let the
      // tie-break or their answers decide.
      this.log.info('mDNS conflicting record seen, probing again', { name: a.name, peer: from.address });
      this.reprobe(key);
      return;
    }
  }

  private reprobe(name: string): void {
    const instances = new Set([name]);
    for (const [k, r] of this.published) {
      if (!instances.has(ownerName(r))) continue;
      this.published.delete(k);
      this.pending.set(k, r);
    }
    this.reindex();
    this.scheduleProbe(0);
  }

  private onQuery(msg: MdnsMessage, from: Endpoint): void {
    this.counters.queries++;
    if (msg.authorities.length) this.checkProbeTieBreak(msg);
    const planned = planAnswers(msg, this.index);
    this.counters.knownAnswerSuppressed += planned.suppressed;
    if (!planned.units.length) return;
    this.counters.answers += planned.units.length;
    const legacy = from.port !== MDNS_PORT;
    if (legacy) {
      // RFC 6762 §6.7: unicast to the querier's port, same id, questions echoed, TTL ≤ 10.
      this.counters.legacyUnicast++;
      const questions = msg.questions.map((q) => question(q.name, q.type));
      void this.sendUnits(toUnits(planned.units, true), from, msg.id, questions);
      return;
    }
    const unicast = planned.units.filter((u) => u.qu);
    const multicast = planned.units.filter((u) => !u.qu);
    if (unicast.length) {
      this.counters.unicastReplies++;
      void this.sendUnits(toUnits(unicast, false), from);
    }
    if (!multicast.length) return;
    // Unique answers go at once; shared ones (PTR) wait 20–120 ms so responders don't collide.
    const shared = multicast.some((u) => !u.record.unique);
    const delay = shared ? this.timing.sharedDelayMinMs + Math.random() * (this.timing.sharedDelayMaxMs - this.timing.sharedDelayMinMs) : 0;
    const units = toUnits(multicast, false);
    const send = () => void this.sendUnits(units);
    if (delay > 0) this.later(send, delay);
    else send();
  }

  private async sendUnits(
    units: ReturnType<typeof toUnits>, to?: Endpoint, id = 0, questions?: Question[],
  ): Promise<void> {
    for (const buf of encodeResponses(units, { id, questions, maxBytes: this.maxPayload })) await this.send(buf, to);
  }

  /** Simultaneous probes for a name we are probing (RFC 6762 §8.2). */
  private checkProbeTieBreak(msg: MdnsMessage): void {
    const probing = this.pendingNames();
    if (!probing.size) return;
    for (const q of msg.questions) {
      const key = nameKey(q.name);
      if (!probing.has(key)) continue;
      const theirs = msg.authorities.filter((a) => nameKey(a.name) === key);
      if (!theirs.length) continue;
      const ours = [...this.pending.values()].filter((r) => r.unique && nameKey(r.name) === key).map((r) => toAnswer(r, { flush: false }));
      if (compareProbeRecords(ours, theirs) < 0) {
        this.log.info('mDNS simultaneous probe lost, deferring', { name: q.name });
        this.scheduleProbe(this.timing.probeDeferMs);
        return;
      }
    }
  }
}
