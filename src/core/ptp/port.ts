// A PTP ordinary clock with one port, version-independent: the version's codec and best-master
// comparison come in through a PtpProtocol. Pure: `handle(event)` returns actions; timers are
// deadlines on the underlying clock, evaluated on `tick` events (`nextWakeUp()` says when).
import { DecodeError } from '../errors.js';
import { DelayFilter } from './delay-filter.js';
import { Overlay, DEFAULT_TIMESCALE_OFFSET_NS, type OverlayParams } from './overlay.js';
import type { ParsedMessage, PtpProtocol } from './protocol.js';
import { Servo, type ServoConfig } from './servo.js';
import type { PortMode, PortState, PtpAction, PtpEvent, PtpPortStatus } from './types.js';

export interface PortOptions {
  mode?: PortMode;
  /** Leader timescale: PTP time = underlying + this (see overlay.ts). */
  timescaleOffsetNs?: bigint;
  servo?: Partial<ServoConfig>;
}

interface ForeignRecord<DS> {
  ds: DS;
  receipts: bigint[];
  lastSeen: bigint;
  logInterval?: number;
  utcOffsetS?: number;
}

/** Outstanding transmit timestamps we wait for; older tags are forgotten. */
const MAX_PENDING_TX = 16;
/** A Delay_Req unanswered for this long is abandoned. */
const DELAY_REQ_TIMEOUT_NS = 2_000_000_000n;

export class PtpPort<DS> {
  state: PortState = 'initializing';
  readonly mode: PortMode;
  private readonly timescaleOffsetNs: bigint;
  private readonly servoConfig: Partial<ServoConfig>;
  private now = 0n;
  private overlay: Overlay | null = null;
  private servo: Servo | null = null;
  private readonly foreign = new Map<string, ForeignRecord<DS>>();
  private parent: string | null = null;
  private leaderId: string | null = null;
  private listenDeadline = 0n;
  private nextSyncAt = 0n;
  private nextAnnounceAt = 0n;
  private nextDelayReqAt = 0n;
  private seq = { sync: 0, announce: 0, delayReq: 0 };
  private tag = 0;
  private readonly pendingTx = new Map<number, { kind: 'sync' | 'delayReq'; seq: number }>();
  private pendingSync: { seq: number; t2: bigint; correction: bigint } | null = null;
  private lastSyncPair: { t1: bigint; t2: bigint } | null = null;
  private delayReq: { seq: number; tag: number; t3: bigint | null; sentAt: bigint } | null = null;
  private readonly delay = new DelayFilter();
  private readonly drops: Record<string, number> = {};
  private out: PtpAction[] = [];

  constructor(
    readonly protocol: PtpProtocol<DS>,
    options: PortOptions = {},
  ) {
    this.mode = options.mode ?? 'auto';
    this.timescaleOffsetNs = options.timescaleOffsetNs ?? DEFAULT_TIMESCALE_OFFSET_NS;
    this.servoConfig = options.servo ?? {};
  }

  handle(ev: PtpEvent): PtpAction[] {
    this.out = [];
    const t = ev.type === 'rx' ? ev.rxTimestamp : ev.type === 'tick' ? ev.now : this.now;
    if (t > this.now) this.now = t;
    if (this.state === 'initializing') this.start();
    if (ev.type === 'rx') this.onRx(ev.data, ev.rxTimestamp);
    else if (ev.type === 'txTimestamp') this.onTxTimestamp(ev.tag, ev.timestamp);
    this.runTimers();
    return this.out;
  }

  /** Underlying-clock time at which the port wants its next tick. */
  nextWakeUp(): bigint {
    let next = this.now + 1_000_000_000n;
    // Deadlines already past are either handled or waiting for a message; only future ones count.
    const consider = (d: bigint): void => {
      if (d > this.now && d < next) next = d;
    };
    if (this.state === 'listening') consider(this.listenDeadline);
    if (this.state === 'leader') {
      consider(this.nextSyncAt);
      if (this.protocol.hasAnnounce) consider(this.nextAnnounceAt);
    }
    if (this.isFollowing()) {
      consider(this.nextDelayReqAt);
      if (this.delayReq) consider(this.delayReq.sentAt + DELAY_REQ_TIMEOUT_NS + 1n);
    }
    for (const r of this.foreign.values()) consider(r.lastSeen + this.protocol.receiptTimeoutNs(r.logInterval) + 1n);
    return next;
  }

  status(): PtpPortStatus {
    const rec = this.parent ? this.foreign.get(this.parent) : undefined;
    return {
      version: this.protocol.version,
      state: this.state,
      leaderId: this.leaderId,
      parentPort: this.parent,
      offsetNs: this.servo?.lastOffsetNs ?? 0,
      meanPathDelayNs: this.delay.value,
      freqPpb: this.servo?.freqPpb ?? 0,
      meanFreqPpb: this.servo?.meanFreqPpb ?? 0,
      locked: this.servo?.locked ?? false,
      servoPhase: this.servo?.phase ?? 'idle',
      utcOffsetS: this.state === 'leader' ? this.protocol.utcOffsetS : (rec?.utcOffsetS ?? null),
      drops: { ...this.drops },
    };
  }

  /**
   * While leading, serve this time instead of our own: a bridge that leads one PTP version with the
   * time another port follows. Ignored in any other state (a follower's servo owns the overlay).
   */
  serveOverlay(p: OverlayParams): void {
    if (this.state !== 'leader' || !this.overlay) return;
    this.overlay.lastSyncNs = p.lastSyncNs;
    this.overlay.shiftNs = p.shiftNs;
    this.overlay.freqScale = p.freqScale;
  }

  /** The current overlay (null before the first event). */
  currentOverlay(): Overlay | null {
    return this.overlay;
  }

  // ---- state changes ----

  private start(): void {
    this.overlay = Overlay.leader(this.now, this.timescaleOffsetNs);
    this.servo = new Servo(this.overlay, this.servoConfig);
    this.setState('listening', 'started');
    this.listenDeadline = this.now + this.protocol.receiptTimeoutNs();
  }

  private setState(to: PortState, reason: string): void {
    if (to === this.state) return;
    const from = this.state;
    this.state = to;
    this.out.push({ type: 'stateChange', from, to, reason });
    this.publish();
  }

  private publish(): void {
    const o = this.overlay!;
    const valid = this.state === 'leader' || this.servo!.phase === 'estimating' || this.servo!.phase === 'tracking';
    this.out.push({
      type: 'publishOverlay',
      lastSyncNs: o.lastSyncNs,
      shiftNs: o.shiftNs,
      freqScale: o.freqScale,
      valid,
      locked: this.state === 'leader' || this.servo!.locked,
      state: this.state,
      leaderId: this.leaderId,
    });
  }

  private isFollowing(): boolean {
    return this.state === 'uncalibrated' || this.state === 'follower';
  }

  private becomeLeader(reason: string): void {
    this.parent = null;
    this.leaderId = this.protocol.selfId();
    this.nextSyncAt = this.now;
    this.nextAnnounceAt = this.now;
    this.setState('leader', reason);
  }

  private follow(key: string, rec: ForeignRecord<DS>): void {
    this.leaderId = this.protocol.grandmasterId(rec.ds);
    if (this.parent === key && this.isFollowing()) return;
    this.parent = key;
    this.servo!.reacquire();
    this.delay.reset();
    this.pendingSync = null;
    this.lastSyncPair = null;
    this.delayReq = null;
    this.nextDelayReqAt = this.now;
    this.setState('uncalibrated', `following ${key}`);
  }

  /** Best-master decision (1588-2008 §9.3.3 for one port; the v1 variant via the protocol hooks). */
  private decide(): void {
    for (const [key, r] of this.foreign) {
      if (this.now - r.lastSeen > this.protocol.receiptTimeoutNs(r.logInterval)) {
        this.foreign.delete(key);
        if (key === this.parent && this.isFollowing()) {
          this.out.push({ type: 'log', level: 'warn', msg: 'leader lost', data: { leader: key } });
          this.parent = null;
          this.setState('holdover', 'leader receipt timeout');
        }
      }
    }
    let best: [string, ForeignRecord<DS>] | null = null;
    for (const entry of this.foreign) {
      // The current parent stays eligible until its receipt timeout, even if messages thin out.
      if (!this.qualified(entry[1]) && entry[0] !== this.parent) continue;
      if (!best || this.protocol.compare(entry[1].ds, best[1].ds) < 0) best = entry;
    }
    if (this.mode === 'leader-only') {
      if (this.state !== 'leader') this.becomeLeader('leader-only mode');
      return;
    }
    if (!best) {
      const waiting = this.state === 'listening' && this.now < this.listenDeadline;
      if (!waiting && this.state !== 'leader' && this.mode === 'auto' && this.protocol.canLead()) {
        this.becomeLeader('no better leader');
      }
      return;
    }
    const ownBetter = this.protocol.compare(this.protocol.ownDataset(), best[1].ds) < 0;
    if (this.mode === 'auto' && ownBetter && this.protocol.canLead()) {
      if (this.state !== 'leader') this.becomeLeader('own clock is best');
    } else if (this.mode === 'auto' && this.protocol.passiveWhenBeaten()) {
      this.parent = null;
      this.setState('passive', `beaten by ${best[0]}`);
    } else {
      this.follow(best[0], best[1]);
    }
  }

  private qualified(r: ForeignRecord<DS>): boolean {
    const window = this.protocol.qualificationWindowNs(r.logInterval);
    return r.receipts.filter((t) => this.now - t <= window).length >= 2;
  }

  private noteForeign(p: ParsedMessage<DS>): void {
    const rec = this.foreign.get(p.sender);
    const window = this.protocol.qualificationWindowNs(p.logInterval);
    const receipts = (rec?.receipts ?? []).filter((t) => this.now - t <= window);
    receipts.push(this.now);
    if (receipts.length > 4) receipts.shift();
    this.foreign.set(p.sender, {
      ds: p.dataset!,
      receipts,
      lastSeen: this.now,
      logInterval: p.logInterval,
      utcOffsetS: p.utcOffsetS,
    });
  }

  // ---- timers ----

  private runTimers(): void {
    this.decide();
    if (this.state === 'leader') this.leaderTimers();
    if (this.isFollowing()) this.followerTimers();
  }

  private nextTag(kind: 'sync' | 'delayReq', seq: number): number {
    this.tag = (this.tag + 1) >>> 0;
    this.pendingTx.set(this.tag, { kind, seq });
    if (this.pendingTx.size > MAX_PENDING_TX) this.pendingTx.delete(this.pendingTx.keys().next().value!);
    return this.tag;
  }

  private leaderTimers(): void {
    const p = this.protocol;
    const ptpNow = this.overlay!.read(this.now);
    if (p.hasAnnounce && this.now >= this.nextAnnounceAt) {
      const seq = this.seq.announce;
      this.seq.announce = (seq + 1) & 0xffff;
      this.out.push({ type: 'send', port: 'general', data: p.buildAnnounce(seq, ptpNow), wantTxTimestamp: false, tag: 0 });
      this.nextAnnounceAt = advance(this.nextAnnounceAt, p.announceIntervalNs, this.now);
    }
    if (this.now >= this.nextSyncAt) {
      const seq = this.seq.sync;
      this.seq.sync = (seq + 1) & 0xffff;
      const tag = this.nextTag('sync', seq);
      this.out.push({ type: 'send', port: 'event', data: p.buildSync(seq, ptpNow), wantTxTimestamp: true, tag });
      this.nextSyncAt = advance(this.nextSyncAt, p.syncIntervalNs, this.now);
    }
  }

  private followerTimers(): void {
    if (this.delayReq && this.now - this.delayReq.sentAt > DELAY_REQ_TIMEOUT_NS) this.delayReq = null;
    if (this.delayReq || this.now < this.nextDelayReqAt || !this.lastSyncPair) return;
    const seq = this.seq.delayReq;
    this.seq.delayReq = (seq + 1) & 0xffff;
    const tag = this.nextTag('delayReq', seq);
    this.delayReq = { seq, tag, t3: null, sentAt: this.now };
    const data = this.protocol.buildDelayReq(seq, this.overlay!.read(this.now));
    this.out.push({ type: 'send', port: 'event', data, wantTxTimestamp: true, tag });
    this.nextDelayReqAt = advance(this.nextDelayReqAt, this.protocol.delayReqIntervalNs, this.now);
  }

  // ---- messages ----

  private drop(reason: string): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
  }

  private onRx(data: Uint8Array, rx: bigint): void {
    let p: ParsedMessage<DS>;
    try {
      p = this.protocol.parse(data);
    } catch (e) {
      if (e instanceof DecodeError) return this.drop(e.reason);
      throw e;
    }
    if (p.sender === this.protocol.selfKey) return this.drop('own-message');
    if (p.kind === 'ignore') return this.drop(p.reason ?? 'ignored');
    if (p.dataset && (p.kind === 'announce' || (p.kind === 'sync' && !this.protocol.hasAnnounce))) {
      this.noteForeign(p);
      this.decide();
    }
    switch (p.kind) {
      case 'sync':
        return this.onSync(p, rx);
      case 'followUp':
        return this.onFollowUp(p);
      case 'delayReq':
        return this.onDelayReq(p, rx);
      case 'delayResp':
        return this.onDelayResp(p);
    }
  }

  private fromParent(p: ParsedMessage<DS>): boolean {
    return this.isFollowing() && p.sender === this.parent;
  }

  private onSync(p: ParsedMessage<DS>, rx: bigint): void {
    if (!this.fromParent(p)) return;
    if (p.twoStep) {
      this.pendingSync = { seq: p.sequenceId, t2: rx, correction: p.correctionNs };
    } else {
      this.pendingSync = null;
      this.offsetSample(p.timeNs, rx);
    }
  }

  private onFollowUp(p: ParsedMessage<DS>): void {
    const s = this.pendingSync;
    if (!this.fromParent(p) || !s || s.seq !== p.refSequenceId) return;
    this.pendingSync = null;
    this.offsetSample(p.timeNs + s.correction, s.t2);
  }

  private onDelayReq(p: ParsedMessage<DS>, rx: bigint): void {
    if (this.state !== 'leader') return;
    const data = this.protocol.buildDelayResp(p.request, this.overlay!.read(rx));
    this.out.push({ type: 'send', port: 'general', data, wantTxTimestamp: false, tag: 0 });
  }

  private onDelayResp(p: ParsedMessage<DS>): void {
    const d = this.delayReq;
    if (!this.fromParent(p) || !p.forUs || !d || d.seq !== p.refSequenceId || d.t3 === null) return;
    this.delayReq = null;
    const pair = this.lastSyncPair;
    if (!pair) return;
    // Map both local timestamps through the same overlay so steps in between cancel out.
    const o = this.overlay!;
    const ms = o.read(pair.t2) - pair.t1;
    const sm = p.timeNs - o.read(d.t3);
    if (!this.delay.add(Number(ms + sm) / 2)) this.drop('delay-outlier');
  }

  private onTxTimestamp(tag: number, ts: bigint): void {
    const pend = this.pendingTx.get(tag);
    if (!pend) return;
    this.pendingTx.delete(tag);
    if (pend.kind === 'sync' && this.state === 'leader') {
      const data = this.protocol.buildFollowUp(pend.seq, this.overlay!.read(ts));
      this.out.push({ type: 'send', port: 'general', data, wantTxTimestamp: false, tag: 0 });
    } else if (pend.kind === 'delayReq' && this.delayReq?.tag === tag) {
      this.delayReq.t3 = ts;
    }
  }

  private offsetSample(t1: bigint, t2: bigint): void {
    this.lastSyncPair = { t1, t2 };
    // Without a path delay the offset is biased by it; the first Delay_Resp follows within one interval.
    if (this.delay.value === null) return;
    const servo = this.servo!;
    const raw = this.overlay!.read(t2) - t1;
    const offset = Number(raw) - (this.delay.value ?? 0);
    const r = servo.sample(offset, t2);
    if (r.action === 'none') {
      if (r.reason === 'outlier' || r.reason === 'confirming') this.drop('offset-outlier');
      return;
    }
    if (r.action === 'step') {
      this.out.push({ type: 'log', level: 'info', msg: 'clock step', data: { stepNs: r.stepNs, leader: this.parent } });
    }
    if (this.state === 'uncalibrated' && servo.locked) this.setState('follower', 'servo locked');
    else if (this.state === 'follower' && !servo.locked) this.setState('uncalibrated', 'servo unlocked');
    this.publish();
  }
}

/** Next deadline after `at` by `step`, skipping missed ones so a stalled worker does not burst. */
function advance(at: bigint, step: bigint, now: bigint): bigint {
  const next = at + step;
  return next > now ? next : now + step;
}
