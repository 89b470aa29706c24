// RX subscriptions and the flows that carry them (PROTOCOL.md §1.3, §3.7, §5.4–§5.6): a pure state
// machine. Events in (commands, resolution results, flows-control outcomes, audio seen, time), actions
// out (see types.ts). Times are milliseconds on any monotonic clock.
import { MAX_RX_FLOWS } from '../flows/limits.js';
import { RxStatus } from '../arc/constants.js';
import { bytesPerSampleOf, flowFramesPerPacket, flowSlotCount, transmitterKey } from './plan.js';
import type { Endpoint, FlowHandleRef, FlowRequestOutcome, FlowRoute, ResolveFailure, ResolvedTxChannel, RxAction } from './types.js';

/** Low-u16 subscription status 3 (§3.7 vocabulary): resolution failed for a reason other than absence. */
export const RX_STATUS_RESOLVE_FAILED = 0x00000003;
/** Re-resolution backoff: first retry after this, doubling up to the maximum (Inferno: fixed 9 s). */
export const RESOLVE_BACKOFF_BASE_MS = 500;
export const RESOLVE_BACKOFF_MAX_MS = 3000;
/** §5.5: a flow with channels in use but no audio for this long is dropped and re-resolved... */
export const NO_AUDIO_DROP_MS = 2000;
/** ...once it is at least this old (§5.5: 6 s), so a new flow gets time to start. */
export const NEW_FLOW_GRACE_MS = 6000;

export interface RxSubscriptionsOptions {
  rxChannels: number;
  sampleRate: number;
  latencyNs: number;
  /** Frames per packet to ask unicast transmitters for (within their advertised range); 0 or unset = from the latency. */
  framesPerPacket?: number;
  /** Our device name: the TX device `.` means this device (§3.8). */
  selfName: string;
  processId: number;
}

export interface RxSubscriptionView {
  rx: number;
  txChannel: string;
  txDevice: string;
  status: number;
  flowId?: number;
}

interface RxSubscription {
  rx: number;
  txChannel: string;
  txDevice: string;
  status: number;
  generation: number;
  resolving: boolean;
  nextResolveAt: number;
  failures: number;
  flowId?: number;
  slot?: number;
}

type FlowState = 'opening' | 'requesting' | 'active';

interface RxFlow {
  id: number;
  key: string;
  multicast: boolean;
  to: Endpoint;
  startCode: number;
  /** TX channel number per slot (0 = empty). */
  slots: number[];
  bits: number;
  fpp: number;
  state: FlowState;
  port?: number;
  handle?: FlowHandleRef;
  createdAt: number;
  lastAudioAt: number;
  audioSeen: boolean;
  /** Slots changed while a request or update was outstanding: send 0x0102 when it completes. */
  dirty: boolean;
  updating: boolean;
}

export class RxSubscriptions {
  private readonly subs = new Map<number, RxSubscription>();
  private readonly flows = new Map<number, RxFlow>();
  private generation = 0;
  private readonly latencySamples: number;

  constructor(private readonly opts: RxSubscriptionsOptions) {
    this.latencySamples = Math.floor((opts.latencyNs * opts.sampleRate) / 1e9);
  }

  subscribe(rx: number, txChannel: string, txDevice: string, now: number): RxAction[] {
    if (!Number.isInteger(rx) || rx < 1 || rx > this.opts.rxChannels) throw new RangeError(`RX channel ${rx} not in 1..${this.opts.rxChannels}`);
    if (!txChannel || !txDevice) throw new RangeError('TX channel and device must be non-empty');
    const out: RxAction[] = [];
    const old = this.subs.get(rx);
    if (old) this.detach(old, out);
    const sub: RxSubscription = { rx, txChannel, txDevice, status: RxStatus.UNRESOLVED, generation: ++this.generation, resolving: false, nextResolveAt: now, failures: 0 };
    this.subs.set(rx, sub);
    out.push(this.statusAction(sub));
    this.resolveDue(now, out);
    return out;
  }

  /** Saved subscriptions at start (§1.3): each behaves as a fresh subscribe. */
  restore(list: readonly { rx: number; txChannel: string; txDevice: string }[], now: number): RxAction[] {
    return list.flatMap((s) => this.subscribe(s.rx, s.txChannel, s.txDevice, now));
  }

  unsubscribe(rx: number): RxAction[] {
    const sub = this.subs.get(rx);
    if (!sub) return [];
    const out: RxAction[] = [];
    this.detach(sub, out);
    this.subs.delete(rx);
    out.push({ type: 'status', rx, status: RxStatus.NONE });
    return out;
  }

  resolved(rx: number, generation: number, tx: ResolvedTxChannel, now: number): RxAction[] {
    const sub = this.current(rx, generation);
    if (!sub) return [];
    sub.resolving = false;
    const out: RxAction[] = [];
    if (tx.bundle) this.planMulticast(sub, tx, now, out);
    else this.planUnicast(sub, tx, now, out);
    return out;
  }

  resolveFailed(rx: number, generation: number, reason: ResolveFailure, now: number): RxAction[] {
    const sub = this.current(rx, generation);
    if (!sub) return [];
    sub.resolving = false;
    this.backoff(sub, now);
    return this.setStatus(sub, reason === 'not-found' ? RxStatus.UNRESOLVED : RX_STATUS_RESOLVE_FAILED);
  }

  /** The receive worker bound the flow's socket (unicast: ephemeral port; multicast: the group). */
  flowOpened(flowId: number, port: number, now: number): RxAction[] {
    const f = this.flows.get(flowId);
    if (!f || f.state !== 'opening') return [];
    f.port = port;
    const out: RxAction[] = [this.configure(f)];
    if (f.multicast) {
      f.state = 'active';
      f.createdAt = now;
      return out;
    }
    f.state = 'requesting';
    f.dirty = false;
    out.push({
      type: 'request-flow', flowId, to: f.to, startCode: f.startCode, channels: [...f.slots], framesPerPacket: f.fpp,
      bitsPerSample: f.bits, receiverPort: port, flowName: `${flowId}_${this.opts.processId}`,
    });
    return out;
  }

  flowOpenFailed(flowId: number, now: number): RxAction[] {
    const f = this.flows.get(flowId);
    return f ? this.dropFlow(f, now, RxStatus.UNRESOLVED, true) : [];
  }

  flowRequestDone(flowId: number, outcome: FlowRequestOutcome, now: number): RxAction[] {
    const f = this.flows.get(flowId);
    if (!f || f.state !== 'requesting') return [];
    if (!outcome.ok) return this.dropFlow(f, now, RxStatus.TX_FAILURE, true);
    f.state = 'active';
    f.handle = outcome.handle;
    f.createdAt = now;
    const out: RxAction[] = [];
    if (f.dirty) this.sendUpdate(f, out);
    return out;
  }

  flowUpdateDone(flowId: number, outcome: FlowRequestOutcome, now: number): RxAction[] {
    const f = this.flows.get(flowId);
    if (!f) return [];
    f.updating = false;
    // 0x0103: the transmitter forgot the flow (expired); start over.
    if (!outcome.ok) return this.dropFlow(f, now, RxStatus.UNRESOLVED, false);
    const out: RxAction[] = [];
    if (f.dirty) this.sendUpdate(f, out);
    return out;
  }

  /** Audio packets arrived on the flow since the last report. */
  audio(flowId: number, now: number): RxAction[] {
    const f = this.flows.get(flowId);
    if (!f || f.state !== 'active') return [];
    f.lastAudioAt = now;
    f.audioSeen = true;
    const status = f.multicast ? RxStatus.RECEIVING_MULTICAST : RxStatus.RECEIVING_UNICAST;
    return [...this.subsOf(f)].flatMap((s) => this.setStatus(s, status));
  }

  /** Drops silent flows (§5.5) and starts due re-resolutions. Call every few hundred ms. */
  tick(now: number): RxAction[] {
    const out: RxAction[] = [];
    for (const f of [...this.flows.values()]) {
      if (f.state !== 'active') continue;
      const since = f.audioSeen ? f.lastAudioAt : f.createdAt;
      if (now - since >= NO_AUDIO_DROP_MS && now - f.createdAt >= (f.audioSeen ? NO_AUDIO_DROP_MS : NEW_FLOW_GRACE_MS)) {
        out.push(...this.dropFlow(f, now, RxStatus.UNRESOLVED, false));
      }
    }
    this.resolveDue(now, out);
    return out;
  }

  /** Flows asked for or open (any state). */
  get flowCount(): number {
    return this.flows.size;
  }

  /** RX channels with a subscription (any status). */
  get subscriptionCount(): number {
    return this.subs.size;
  }

  statuses(): RxSubscriptionView[] {
    return [...this.subs.values()]
      .sort((a, b) => a.rx - b.rx)
      .map((s) => ({ rx: s.rx, txChannel: s.txChannel, txDevice: s.txDevice, status: s.status, ...(s.flowId !== undefined ? { flowId: s.flowId } : {}) }));
  }

  flowViews(): { id: number; multicast: boolean; to: Endpoint; slots: number[]; state: FlowState; fpp: number; bits: number; port?: number }[] {
    return [...this.flows.values()].map((f) => ({ id: f.id, multicast: f.multicast, to: f.to, slots: [...f.slots], state: f.state, fpp: f.fpp, bits: f.bits, ...(f.port !== undefined ? { port: f.port } : {}) }));
  }

  private current(rx: number, generation: number): RxSubscription | undefined {
    const sub = this.subs.get(rx);
    return sub && sub.generation === generation && sub.flowId === undefined ? sub : undefined;
  }

  private resolveDue(now: number, out: RxAction[]): void {
    for (const s of this.subs.values()) {
      if (s.flowId !== undefined || s.resolving || now < s.nextResolveAt) continue;
      s.resolving = true;
      const device = s.txDevice === '.' ? this.opts.selfName : s.txDevice;
      out.push({ type: 'resolve', rx: s.rx, generation: s.generation, name: `${s.txChannel}@${device}` });
    }
  }

  private backoff(sub: RxSubscription, now: number): void {
    sub.nextResolveAt = now + Math.min(RESOLVE_BACKOFF_MAX_MS, RESOLVE_BACKOFF_BASE_MS * 2 ** sub.failures);
    sub.failures++;
  }

  private planMulticast(sub: RxSubscription, tx: ResolvedTxChannel, now: number, out: RxAction[]): void {
    const b = tx.bundle!;
    const key = `m:${b.group}:${b.port}`;
    let f = [...this.flows.values()].find((x) => x.key === key);
    if (!f) {
      // The transmitter chose the packet size (bundle TXT `fpp`): shown in the flow list (0x3200).
      f = this.newFlow(key, true, { ip: b.group, port: b.port }, tx.dbcp1, Array<number>(b.nchan).fill(0), b.bitsPerSample, b.fpp, now);
      if (!f) return this.noFlowSlot(sub, now, out);
      out.push({ type: 'open-flow', flowId: f.id, multicast: { ip: b.group, port: b.port } });
    }
    const slot = b.position - 1;
    f.slots[slot] = tx.txChannelId;
    this.attach(sub, f, slot, out);
  }

  private planUnicast(sub: RxSubscription, tx: ResolvedTxChannel, now: number, out: RxAction[]): void {
    const key = transmitterKey(tx.ip, tx.port);
    const mine = [...this.flows.values()].filter((f) => f.key === key);
    // §5.4 reuse order: a flow already carrying the TX channel, then a free slot, then a new flow.
    for (const f of mine) {
      const slot = f.slots.indexOf(tx.txChannelId);
      if (slot >= 0) return this.attach(sub, f, slot, out);
    }
    for (const f of mine) {
      const slot = f.slots.indexOf(0);
      if (slot < 0 || f.bits !== tx.bitsPerSample) continue;
      f.slots[slot] = tx.txChannelId;
      this.slotsChanged(f, out);
      return this.attach(sub, f, slot, out);
    }
    const slots = flowSlotCount(tx.nchan, this.opts.rxChannels);
    const fpp = flowFramesPerPacket(tx, slots, bytesPerSampleOf(tx.bitsPerSample), this.latencySamples, this.opts.framesPerPacket);
    const channels = Array<number>(slots).fill(0);
    channels[0] = tx.txChannelId;
    const f = this.newFlow(key, false, { ip: tx.ip, port: tx.port }, tx.dbcp1, channels, tx.bitsPerSample, fpp, now);
    if (!f) return this.noFlowSlot(sub, now, out);
    out.push({ type: 'open-flow', flowId: f.id });
    this.attach(sub, f, 0, out);
  }

  private newFlow(key: string, multicast: boolean, to: Endpoint, startCode: number, slots: number[], bits: number, fpp: number, now: number): RxFlow | undefined {
    let id = 1;
    while (this.flows.has(id)) id++;
    if (id > MAX_RX_FLOWS) return undefined;
    const f: RxFlow = { id, key, multicast, to, startCode, slots, bits, fpp, state: 'opening', createdAt: now, lastAudioAt: now, audioSeen: false, dirty: false, updating: false };
    this.flows.set(id, f);
    return f;
  }

  private noFlowSlot(sub: RxSubscription, now: number, out: RxAction[]): void {
    this.backoff(sub, now);
    out.push(...this.setStatus(sub, RxStatus.NO_MORE_TX_FLOWS));
  }

  private attach(sub: RxSubscription, f: RxFlow, slot: number, out: RxAction[]): void {
    sub.flowId = f.id;
    sub.slot = slot;
    sub.failures = 0;
    if (f.port !== undefined) out.push(this.configure(f));
    const receiving = f.audioSeen && f.state === 'active';
    const status = receiving ? (f.multicast ? RxStatus.RECEIVING_MULTICAST : RxStatus.RECEIVING_UNICAST) : RxStatus.IN_PROGRESS;
    out.push(...this.setStatus(sub, status));
  }

  /** Takes a subscription off its flow; stops the flow when nothing else uses it. */
  private detach(sub: RxSubscription, out: RxAction[]): void {
    const f = sub.flowId === undefined ? undefined : this.flows.get(sub.flowId);
    const slot = sub.slot;
    sub.flowId = sub.slot = undefined;
    sub.resolving = false;
    if (!f || slot === undefined) return;
    const users = [...this.subsOf(f)];
    if (users.length === 0) {
      this.closeFlow(f, out);
      return;
    }
    if (!f.multicast && !users.some((u) => u.slot === slot)) {
      f.slots[slot] = 0;
      this.slotsChanged(f, out);
    }
    if (f.port !== undefined) out.push(this.configure(f));
  }

  private slotsChanged(f: RxFlow, out: RxAction[]): void {
    if (f.state === 'active' && !f.updating) this.sendUpdate(f, out);
    else if (f.state !== 'opening') f.dirty = true;
  }

  private sendUpdate(f: RxFlow, out: RxAction[]): void {
    f.dirty = false;
    f.updating = true;
    out.push({ type: 'update-flow', flowId: f.id, to: f.to, startCode: f.startCode, handle: f.handle!, channels: [...f.slots] });
  }

  private closeFlow(f: RxFlow, out: RxAction[]): void {
    this.flows.delete(f.id);
    if (!f.multicast && f.handle) out.push({ type: 'stop-flow', flowId: f.id, to: f.to, startCode: f.startCode, handle: f.handle });
    // Also while opening: the receive worker closes the socket once its open completes.
    out.push({ type: 'close-flow', flowId: f.id });
  }

  /** Ends a flow and sends its channels back to resolution with `status`. */
  private dropFlow(f: RxFlow, now: number, status: number, failed: boolean): RxAction[] {
    const out: RxAction[] = [];
    const users = [...this.subsOf(f)];
    this.closeFlow(f, out);
    for (const s of users) {
      s.flowId = s.slot = undefined;
      if (failed) this.backoff(s, now);
      else {
        s.failures = 0;
        s.nextResolveAt = now;
      }
      out.push(...this.setStatus(s, status));
    }
    this.resolveDue(now, out);
    return out;
  }

  private *subsOf(f: RxFlow): Iterable<RxSubscription> {
    for (const s of this.subs.values()) if (s.flowId === f.id) yield s;
  }

  private configure(f: RxFlow): RxAction {
    const routes: FlowRoute[] = [...this.subsOf(f)].map((s) => [s.slot!, s.rx - 1] as const);
    return { type: 'configure-flow', flowId: f.id, slots: f.slots.length, bytesPerSample: bytesPerSampleOf(f.bits), unicast: !f.multicast, routes };
  }

  private setStatus(sub: RxSubscription, status: number): RxAction[] {
    if (sub.status === status) return [];
    sub.status = status;
    return [this.statusAction(sub)];
  }

  private statusAction(sub: RxSubscription): RxAction {
    return { type: 'status', rx: sub.rx, status: sub.status, txChannel: sub.txChannel, txDevice: sub.txDevice };
  }
}
