// SubscriptionManager (runs in the control worker): drives the RxSubscriptions state machine with
// real I/O. Resolves `<channel>@<device>` over mDNS (§2.3), talks flows control to transmitters
// (§5.1–§5.4; requests to one transmitter sequential, different transmitters in parallel), asks the
// receive worker to open, route and close flow sockets, and polls it for audio seen (§5.5).
import { EventEmitter } from 'node:events';
import { encodeFlowRequest, encodeStop, encodeUpdate, FLOW_STATUS_OK, FLOWS_OPCODE_REQUEST, FLOWS_OPCODE_STOP, FLOWS_OPCODE_UPDATE } from '../../core/flows/index.js';
import { RxSubscriptions } from '../../core/rx/subscriptions.js';
import type { RxSubscriptionView } from '../../core/rx/subscriptions.js';
import type { FlowRequestOutcome, ResolveFailure, ResolvedTxChannel, RxAction } from '../../core/rx/types.js';
import type { ResolvedChannel } from '../mdns/browser.js';
import { getLogger } from '../../log.js';
import { sendFlowsRequest } from './flows-client.js';

/** How often the state machine ticks and the receive worker is asked for audio seen. */
export const RX_TICK_MS = 250;
export const RX_RESOLVE_TIMEOUT_MS = 1000;
const STOP_WAIT_MS = 300;

export interface ChannelResolver {
  resolveChannel(subscription: string, timeoutMs?: number): Promise<ResolvedChannel>;
}

/** The receive worker's flow commands (relayed through the main thread in a device). */
export interface ReceiveWorkerPort {
  request(op: 'open-flow' | 'configure-flow' | 'close-flow' | 'flows', args?: unknown): Promise<unknown>;
}

export interface SubscriptionManagerOptions {
  deviceName: string;
  deviceIp: string;
  processId: number;
  rxChannels: number;
  sampleRate: number;
  rxLatencyNs: number;
  /** `--rx-fpp`: frames per packet asked of unicast transmitters (0/unset = from the latency). */
  rxFpp?: number;
  resolver: ChannelResolver;
  receive: ReceiveWorkerPort;
  /** Monotonic milliseconds (tests may pass synthetic time). */
  now?: () => number;
}

export interface SubscriptionManagerEvents {
  status: [RxSubscriptionView];
}

export class SubscriptionManager extends EventEmitter<SubscriptionManagerEvents> {
  private readonly sm: RxSubscriptions;
  private readonly log = getLogger('rx.subscriptions');
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private transactionId = Math.floor(Math.random() * 0x10000);
  /** Per transmitter: the tail of its sequential flows-control requests. */
  private readonly txChains = new Map<string, Promise<unknown>>();
  /** Per flow id: the tail of its receive-worker commands, and which incarnation opened it. */
  private readonly flowChains = new Map<number, Promise<unknown>>();
  private readonly incarnation = new Map<number, number>();
  private incarnations = 0;
  private readonly packetsSeen = new Map<number, number>();
  readonly counters = { resolves: 0, resolveFailures: 0, flowRequests: 0, flowRequestFailures: 0, flowUpdates: 0, flowStops: 0 };

  constructor(private readonly opts: SubscriptionManagerOptions) {
    super();
    this.now = opts.now ?? (() => performance.now());
    this.sm = new RxSubscriptions({ rxChannels: opts.rxChannels, sampleRate: opts.sampleRate, latencyNs: opts.rxLatencyNs, framesPerPacket: opts.rxFpp, selfName: opts.deviceName, processId: opts.processId });
  }

  /** Starts ticking; `restore` are saved (or command-line) subscriptions. */
  start(restore: readonly { rx: number; txChannel: string; txDevice: string }[] = []): void {
    this.started = true;
    this.run(this.sm.restore(restore, this.now()));
  }

  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.sm.statuses()) this.run(this.sm.unsubscribe(s.rx));
    // Stop requests are sent at once; waiting for their replies is bounded so shutdown stays quick.
    const settled = Promise.allSettled([...this.txChains.values(), ...this.flowChains.values()]);
    await Promise.race([settled, new Promise((r) => setTimeout(r, STOP_WAIT_MS))]);
  }

  subscribe(rx: number, txChannel: string, txDevice: string): void {
    this.run(this.sm.subscribe(rx, txChannel, txDevice, this.now()));
  }

  unsubscribe(rx: number): void {
    this.run(this.sm.unsubscribe(rx));
  }

  statuses(): RxSubscriptionView[] {
    return this.sm.statuses();
  }

  flows(): ReturnType<RxSubscriptions['flowViews']> {
    return this.sm.flowViews();
  }

  private tick(): void {
    this.run(this.sm.tick(this.now()));
    // Audio arrival only matters for flows we have; an idle device skips the round trip.
    if (this.sm.flowCount === 0) return;
    this.opts.receive.request('flows').then(
      (list) => {
        const now = this.now();
        for (const f of list as { id: number; packets: number }[]) {
          if (f.packets > (this.packetsSeen.get(f.id) ?? 0)) this.run(this.sm.audio(f.id, now));
          this.packetsSeen.set(f.id, f.packets);
        }
      },
      (err: Error) => this.log.debug('receive worker did not list flows', { error: err.message }),
    );
  }

  private run(actions: RxAction[]): void {
    for (const a of actions) this.execute(a);
    this.arm();
  }

  /**
   * The tick (re-resolution, silent-flow drops, audio seen) has work only while a subscription or
   * a flow exists: without, the timer stops, so an idle device does not wake up for it. Every
   * change goes through run(), which starts it again.
   */
  private arm(): void {
    const busy = this.started && (this.sm.subscriptionCount > 0 || this.sm.flowCount > 0);
    if (busy && !this.timer) this.timer = setInterval(() => this.tick(), RX_TICK_MS);
    else if (!busy && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Whether the tick is running (false on an idle device). */
  get ticking(): boolean {
    return this.timer !== undefined;
  }

  private execute(a: RxAction): void {
    switch (a.type) {
      case 'status':
        this.emit('status', { rx: a.rx, txChannel: a.txChannel ?? '', txDevice: a.txDevice ?? '', status: a.status });
        return;
      case 'resolve':
        this.counters.resolves++;
        this.opts.resolver.resolveChannel(a.name, RX_RESOLVE_TIMEOUT_MS).then(
          (rc) => this.run(this.sm.resolved(a.rx, a.generation, toResolvedTx(rc), this.now())),
          (err: Error & { reason?: ResolveFailure }) => {
            this.counters.resolveFailures++;
            this.run(this.sm.resolveFailed(a.rx, a.generation, err.reason ?? 'not-found', this.now()));
          },
        );
        return;
      case 'open-flow': {
        const token = ++this.incarnations;
        this.incarnation.set(a.flowId, token);
        this.packetsSeen.delete(a.flowId);
        this.onFlow(a.flowId, () => this.opts.receive.request('open-flow', { flowId: a.flowId, multicast: a.multicast })).then(
          (r) => this.incarnation.get(a.flowId) === token && this.run(this.sm.flowOpened(a.flowId, (r as { port: number }).port, this.now())),
          (err: Error) => {
            this.log.warn('could not open RX flow socket', { flowId: a.flowId, error: err.message });
            if (this.incarnation.get(a.flowId) === token) this.run(this.sm.flowOpenFailed(a.flowId, this.now()));
          },
        );
        return;
      }
      case 'configure-flow':
        void this.onFlow(a.flowId, () => this.opts.receive.request('configure-flow', a)).catch(() => {});
        return;
      case 'close-flow':
        this.incarnation.delete(a.flowId);
        void this.onFlow(a.flowId, () => this.opts.receive.request('close-flow', { flowId: a.flowId })).catch(() => {});
        return;
      case 'request-flow': {
        const token = this.incarnation.get(a.flowId);
        const txid = this.nextTransaction();
        const packet = encodeFlowRequest({
          startCode: a.startCode, transactionId: txid, receiverName: this.opts.deviceName, flowName: a.flowName, sampleRate: this.opts.sampleRate,
          bitsPerSample: a.bitsPerSample, channels: a.channels, framesPerPacket: a.framesPerPacket, receiverIp: this.opts.deviceIp, receiverPort: a.receiverPort,
        });
        this.counters.flowRequests++;
        void this.onTransmitter(a.to, packet, FLOWS_OPCODE_REQUEST, txid).then((outcome) => {
          if (!outcome.ok) this.counters.flowRequestFailures++;
          if (this.incarnation.get(a.flowId) === token) this.run(this.sm.flowRequestDone(a.flowId, outcome, this.now()));
        });
        return;
      }
      case 'update-flow': {
        const token = this.incarnation.get(a.flowId);
        const txid = this.nextTransaction();
        this.counters.flowUpdates++;
        const packet = encodeUpdate({ startCode: a.startCode, transactionId: txid, handle: a.handle, channels: a.channels });
        void this.onTransmitter(a.to, packet, FLOWS_OPCODE_UPDATE, txid).then((outcome) => {
          if (this.incarnation.get(a.flowId) === token) this.run(this.sm.flowUpdateDone(a.flowId, outcome, this.now()));
        });
        return;
      }
      case 'stop-flow': {
        const txid = this.nextTransaction();
        this.counters.flowStops++;
        void this.onTransmitter(a.to, encodeStop({ startCode: a.startCode, transactionId: txid, handle: a.handle }), FLOWS_OPCODE_STOP, txid);
        return;
      }
    }
  }

  private nextTransaction(): number {
    this.transactionId = (this.transactionId + 1) & 0xffff;
    return this.transactionId;
  }

  private onFlow(flowId: number, op: () => Promise<unknown>): Promise<unknown> {
    const p = (this.flowChains.get(flowId) ?? Promise.resolve()).catch(() => {}).then(op);
    this.flowChains.set(flowId, p);
    return p;
  }

  private onTransmitter(to: { ip: string; port: number }, packet: Buffer, opcode: number, txid: number): Promise<FlowRequestOutcome> {
    const key = `${to.ip}:${to.port}`;
    const p = (this.txChains.get(key) ?? Promise.resolve())
      .catch(() => {})
      .then(() => sendFlowsRequest(this.opts.deviceIp, to, packet, opcode, txid))
      .then((r): FlowRequestOutcome => {
        if (r === 'timeout') return { ok: false, status: 'timeout' };
        if (r.status !== FLOW_STATUS_OK) return { ok: false, status: r.status };
        return { ok: true, handle: r.handle ?? { flowNumber: 0, cookie: 0 } };
      });
    this.txChains.set(key, p);
    return p;
  }
}

export function toResolvedTx(rc: ResolvedChannel): ResolvedTxChannel {
  const t = rc.txt;
  const out: ResolvedTxChannel = { ip: rc.ip, port: rc.port, txChannelId: t.id, nchan: t.nchan, bitsPerSample: t.enc, fppMax: t.fppMax, fppMin: t.fppMin, latencyNs: t.latencyNs, dbcp1: t.dbcp1 };
  if (rc.bundle) {
    const b = rc.bundle.txt;
    out.bundle = { id: rc.bundle.id, group: b.group, port: b.port, nchan: b.nchan, position: rc.bundle.position, bitsPerSample: b.enc, fpp: b.fpp };
  }
  return out;
}
