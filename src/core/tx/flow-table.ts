// The transmitter's flow table (PROTOCOL.md §5): unicast flows requested by receivers (0x0100 create
// or reuse, 0x0101 stop, 0x0102 update, keepalive expiry) and multicast flows created by a
// controller (§3.13, §5.6), sharing 32 flow ids. Pure: events carry the media time (samples), the
// caller applies what comes back (replies, the flow set for the transmit worker).
import type { DecodedFlowRequest } from '../flows/request.js';
import { checkFlowRequest } from '../flows/request.js';
import type { FlowHandle } from '../flows/handle.js';
import {
  FLOW_EXPIRY_MS,
  FLOW_STATUS_INVALID,
  FLOW_STATUS_OK,
  FLOW_STATUS_TOO_MANY_FLOWS,
  FLOW_STATUS_UNKNOWN_HANDLE,
  MAX_CHANNELS_PER_FLOW,
  MAX_TX_FLOWS,
} from '../flows/limits.js';

export type WireBitDepth = 16 | 24 | 32;

/** §5.6: Inferno's multicast flows always use fpp 32. */
export const MULTICAST_FPP = 32;

export interface TxFlow {
  /** 1…32, shared by unicast and multicast (§3.12); the handle's flow number is id − 1. */
  id: number;
  multicast: boolean;
  handle: FlowHandle;
  address: string;
  port: number;
  /** TX channel per slot (1-based, 0 = empty slot). */
  channels: number[];
  fpp: number;
  bits: WireBitDepth;
  receiverName: string;
  receiverFlowName: string;
  /** Unicast: sending until `expiresAt`; expired flows stay listed until the next create (§5.5).
   * Multicast: `muted` until its group passed the collision check (§5.6). */
  state: 'active' | 'expired' | 'muted';
  /** Media time after which a unicast flow expires without keepalives; Infinity for multicast. */
  expiresAt: number;
  /** Bumped when the flow (re)starts: the transmit worker re-bootstraps its schedule. */
  generation: number;
  createdAt: number;
}

/** What the transmit worker needs to send one flow. */
export interface TxFlowSpec {
  id: number;
  generation: number;
  multicast: boolean;
  address: string;
  port: number;
  channels: number[];
  fpp: number;
  bits: WireBitDepth;
}

export interface TxFlowTableOptions {
  sampleRate: number;
  txChannels: number;
  /** Device bit depth: width of multicast flows. */
  bitDepth?: WireBitDepth;
  /** Uniform in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export interface FlowResult {
  status: number;
  handle?: FlowHandle;
  /** True when the set of sent flows changed. */
  changed: boolean;
}

export class TxFlowTable {
  private readonly flows = new Map<number, TxFlow>();
  private readonly expirySamples: number;
  private readonly random: () => number;
  private nextNumber = 0;
  private generations = 0;

  constructor(private readonly opts: TxFlowTableOptions) {
    this.expirySamples = Math.round((FLOW_EXPIRY_MS * opts.sampleRate) / 1000);
    this.random = opts.random ?? Math.random;
  }

  get size(): number {
    return this.flows.size;
  }

  get(id: number): TxFlow | undefined {
    return this.flows.get(id);
  }

  all(): TxFlow[] {
    return [...this.flows.values()].sort((a, b) => a.id - b.id);
  }

  /** 0x0100: validate, reuse a flow to the same receiver IP:port, or allocate one. */
  request(req: DecodedFlowRequest, now: number): FlowResult {
    const status = checkFlowRequest(req, { sampleRate: this.opts.sampleRate, txChannelCount: this.opts.txChannels });
    if (status !== FLOW_STATUS_OK) return { status, changed: false };
    const same = this.all().find((f) => !f.multicast && f.address === req.receiverIp && f.port === req.receiverPort);
    if (same) {
      // §5.1: same handle, new channel list; a changed fpp or bit depth is ignored.
      same.channels = [...req.channels];
      this.keepAlive(same, now);
      return { status: FLOW_STATUS_OK, handle: same.handle, changed: true };
    }
    // §5.5: expired flows are deleted when the next create request arrives.
    for (const f of this.all()) if (f.state === 'expired') this.flows.delete(f.id);
    const id = this.freeId();
    if (id === undefined) return { status: FLOW_STATUS_TOO_MANY_FLOWS, changed: false };
    const flow: TxFlow = {
      id,
      multicast: false,
      handle: { flowNumber: id - 1, cookie: Math.floor(this.random() * 0x10000) & 0xffff },
      address: req.receiverIp,
      port: req.receiverPort,
      channels: [...req.channels],
      fpp: req.framesPerPacket,
      bits: req.bitsPerSample as WireBitDepth,
      receiverName: req.receiverName,
      receiverFlowName: req.flowName,
      state: 'active',
      expiresAt: now + this.expirySamples,
      generation: ++this.generations,
      createdAt: now,
    };
    this.flows.set(id, flow);
    return { status: FLOW_STATUS_OK, handle: flow.handle, changed: true };
  }

  /** 0x0101: an expired flow is unknown to the receiver (§5.2). */
  stop(handle: FlowHandle): FlowResult {
    const f = this.byHandle(handle);
    if (!f || f.state === 'expired') return { status: FLOW_STATUS_UNKNOWN_HANDLE, changed: false };
    this.flows.delete(f.id);
    return { status: FLOW_STATUS_OK, changed: true };
  }

  /** 0x0102: new channel list; revives an expired flow (§5.3). */
  update(handle: FlowHandle, channels: number[], now: number): FlowResult {
    const f = this.byHandle(handle);
    if (!f) return { status: FLOW_STATUS_UNKNOWN_HANDLE, changed: false };
    if (!this.validChannels(channels)) return { status: FLOW_STATUS_INVALID, changed: false };
    f.channels = [...channels];
    this.keepAlive(f, now);
    return { status: FLOW_STATUS_OK, changed: true };
  }

  /** Any datagram on a unicast flow's socket (§5.5). Returns false when the flow is not sending. */
  keepalive(id: number, now: number): boolean {
    const f = this.flows.get(id);
    if (!f || f.multicast || f.state !== 'active') return false;
    f.expiresAt = Math.max(f.expiresAt, now + this.expirySamples);
    return true;
  }

  /** Expires unicast flows whose keepalives stopped; returns their ids. */
  tick(now: number): number[] {
    const expired: number[] = [];
    for (const f of this.flows.values()) {
      if (f.state === 'active' && now >= f.expiresAt) {
        f.state = 'expired';
        expired.push(f.id);
      }
    }
    return expired;
  }

  /**
   * ARC 0x2201 (§3.13): a multicast flow in slot `id`, muted until `activateMulticast`. Returns
   * false (skipped) for a bad slot, a slot in use, or a bad channel list.
   */
  createMulticast(id: number, channels: number[], group: string, port: number, now: number): boolean {
    if (!Number.isInteger(id) || id < 1 || id > MAX_TX_FLOWS || this.flows.has(id)) return false;
    if (!this.validChannels(channels)) return false;
    this.flows.set(id, {
      id,
      multicast: true,
      handle: { flowNumber: id - 1, cookie: 0 },
      address: group,
      port,
      channels: [...channels],
      fpp: MULTICAST_FPP,
      bits: this.opts.bitDepth ?? 24,
      receiverName: '',
      receiverFlowName: '',
      state: 'muted',
      expiresAt: Infinity,
      generation: ++this.generations,
      createdAt: now,
    });
    return true;
  }

  /** After the collision check (§5.6): set the final group and start sending. */
  activateMulticast(id: number, group: string): boolean {
    const f = this.flows.get(id);
    if (!f?.multicast) return false;
    f.address = group;
    f.state = 'active';
    f.generation = ++this.generations;
    return true;
  }

  /** ARC 0x2202: multicast flows only. */
  deleteMulticast(id: number): boolean {
    const f = this.flows.get(id);
    if (!f?.multicast) return false;
    this.flows.delete(id);
    return true;
  }

  /** The flows the transmit worker sends. */
  specs(): TxFlowSpec[] {
    return this.all()
      .filter((f) => f.state === 'active')
      .map((f) => ({ id: f.id, generation: f.generation, multicast: f.multicast, address: f.address, port: f.port, channels: [...f.channels], fpp: f.fpp, bits: f.bits }));
  }

  private keepAlive(f: TxFlow, now: number): void {
    if (f.state === 'expired') {
      f.state = 'active';
      f.generation = ++this.generations;
    }
    f.expiresAt = now + this.expirySamples;
  }

  private byHandle(h: FlowHandle): TxFlow | undefined {
    const f = this.flows.get(h.flowNumber + 1);
    return f && !f.multicast && f.handle.cookie === h.cookie ? f : undefined;
  }

  private validChannels(channels: number[]): boolean {
    return channels.length >= 1 && channels.length <= MAX_CHANNELS_PER_FLOW &&
      channels.every((c) => Number.isInteger(c) && c >= 0 && c <= this.opts.txChannels);
  }

  /** §5.1 (v0.5): a counter modulo 32 that skips used numbers. */
  private freeId(): number | undefined {
    for (let i = 0; i < MAX_TX_FLOWS; i++) {
      const n = (this.nextNumber + i) % MAX_TX_FLOWS;
      if (!this.flows.has(n + 1)) {
        this.nextNumber = (n + 1) % MAX_TX_FLOWS;
        return n + 1;
      }
    }
    return undefined;
  }
}
