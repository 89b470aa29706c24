// The flows-control server (PROTOCOL.md §5), hosted by the control worker: receivers' 0x0100 /
// 0x0101 / 0x0102 requests on the flows port are applied to the TxFlowTable and answered (start
// code and transaction id echoed). The set of flows to send goes to the transmit worker as a
// `tx-flows` event (relayed by the main thread) on every change and once a second (so a restarted
// transmit worker catches up); the transmit worker owns the audio sockets, receives the keepalives
// there and sends back `tx-keepalive` with the flow ids it heard from. Expiry is judged here, on
// the media clock. Multicast flows (ARC 0x2201/0x2202) enter through createMulticastFlows /
// deleteMulticastFlows.
import dgram from 'node:dgram';
import { ClockOverlayReader } from '../core/clock-overlay.js';
import { DecodeError } from '../core/errors.js';
import { decodeControlHeader } from '../core/cmc/control-header.js';
import {
  FLOW_STATUS_OK,
  FLOWS_OPCODE_REQUEST,
  FLOWS_OPCODE_STOP,
  FLOWS_OPCODE_UPDATE,
  MIN_REQUEST_CONTENT,
  decodeFlowRequest,
  decodeStop,
  decodeUpdate,
  encodeReply,
  isKeepalive,
} from '../core/flows/index.js';
import { CONTROL_HEADER_LENGTH } from '../core/cmc/control-header.js';
import type { TxFlowRecord } from '../core/arc/tx-flows.js';
import { TxFlowTable, type TxFlowSpec, type WireBitDepth } from '../core/tx/flow-table.js';
import { drawMulticastGroup, txFlowRecords, txFlowStatus } from '../core/tx/records.js';
import type { DeviceConfig } from '../config/device-config.js';
import type { Logger } from '../log.js';
import { loadNative } from '../native/index.js';

/** Event names between the control worker, the main thread and the transmit worker. */
export const TX_FLOWS_EVENT = 'tx-flows';
export const TX_KEEPALIVE_EVENT = 'tx-keepalive';
/** Multicast TX destination port (§5.6). */
export const MULTICAST_TX_PORT = 4321;
const TICK_MS = 250;
const RESEND_MS = 1000;

export interface TxFlowsMessage {
  flows: TxFlowSpec[];
}
export interface TxKeepaliveMessage {
  ids: number[];
}

/** A multicast flow to create (ARC 0x2201 descriptor). */
export interface MulticastFlowRequest {
  id: number;
  channels: number[];
}

export interface FlowsServerOptions {
  config: DeviceConfig;
  clock: SharedArrayBuffer;
  log: Logger;
  /** Sends the flow set to the transmit worker. */
  publish(msg: TxFlowsMessage): void;
  /** §5.6 collision check (e.g. MdnsBrowser.isMulticastGroupInUse); default: groups of our own flows only. */
  isMulticastGroupInUse?(group: string): Promise<boolean>;
  /** Called when the multicast flows (bundles) change, to re-publish `_netaudio-bund` and CHAN `b.N`. */
  onBundlesChanged?(bundles: { id: number; group: string; port: number; channels: number[] }[]): void;
  random?: () => number;
}

export class FlowsServer {
  readonly table: TxFlowTable;
  /** `packets` counts every datagram on the flows port: each is then a reply, malformed or ignored. */
  readonly counters = { packets: 0, requests: 0, replies: 0, stops: 0, updates: 0, keepalives: 0, expired: 0, malformed: 0, rejected: 0, ignored: 0 };
  private socket?: dgram.Socket;
  private timer?: NodeJS.Timeout;
  private readonly reader: ClockOverlayReader;
  private readonly native = loadNative();
  private readonly now2 = new Float64Array(2);
  private lastPublish = 0;

  constructor(private readonly opts: FlowsServerOptions) {
    this.reader = new ClockOverlayReader(opts.clock);
    this.table = new TxFlowTable({
      sampleRate: opts.config.sampleRate,
      txChannels: opts.config.txChannels,
      bitDepth: 24 as WireBitDepth,
      ...(opts.random ? { random: opts.random } : {}),
    });
  }

  async start(): Promise<void> {
    const s = dgram.createSocket({ type: 'udp4' });
    s.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
    s.on('error', (err) => this.opts.log.warn('flows socket error', { err }));
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind({ address: this.opts.config.ip, port: this.opts.config.ports.flows, exclusive: true }, () => {
        s.off('error', reject);
        resolve();
      });
    });
    this.socket = s;
    this.opts.log.info('flows-control server listening', { ip: this.opts.config.ip, port: this.opts.config.ports.flows });
  }

  stop(): void {
    this.socket?.close();
    this.socket = undefined;
    this.setTicking(false);
  }

  /**
   * The tick expires active flows and re-sends their set, so it runs only while a flow is active:
   * an idle device does not wake up for it. Every change to the table is published, which arms it.
   */
  private setTicking(on: boolean): void {
    if (on && !this.timer && this.socket) this.timer = setInterval(() => this.tick(), TICK_MS);
    else if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Whether the expiry tick is running (an idle server has none). */
  get ticking(): boolean {
    return this.timer !== undefined;
  }

  /** Media time now, or NaN without a clock (requests are then answered but nothing expires). */
  mediaNow(): number {
    if (!this.reader.ready()) return NaN;
    this.native.clockReadInto(this.reader.snapshot.clockId, this.now2, 0);
    return this.reader.mediaTime(this.now2[0]!, this.now2[1]!);
  }

  /** Applies one flows-control datagram; returns the reply to send, if any. */
  handle(msg: Buffer): Buffer | undefined {
    this.counters.packets++;
    // Keepalives belong on the flow's audio socket; one here is not acted on.
    if (isKeepalive(msg)) {
      this.counters.ignored++;
      return undefined;
    }
    let opcode: number;
    try {
      opcode = decodeControlHeader(msg).opcode;
    } catch (err) {
      this.counters.malformed++;
      if (!(err instanceof DecodeError)) throw err;
      return undefined;
    }
    const now = this.mediaNow();
    try {
      switch (opcode) {
        case FLOWS_OPCODE_REQUEST: {
          // §5.1: content ≤ 16 bytes is ignored, not answered.
          if (msg.length - CONTROL_HEADER_LENGTH < MIN_REQUEST_CONTENT) {
            this.counters.ignored++;
            return undefined;
          }
          this.counters.requests++;
          const req = decodeFlowRequest(msg);
          const r = this.table.request(req, now);
          return this.reply(req.startCode, req.transactionId, opcode, r.status, r.changed, r.handle);
        }
        case FLOWS_OPCODE_STOP: {
          this.counters.stops++;
          const m = decodeStop(msg);
          const r = this.table.stop(m.handle);
          return this.reply(m.startCode, m.transactionId, opcode, r.status, r.changed);
        }
        case FLOWS_OPCODE_UPDATE: {
          this.counters.updates++;
          const m = decodeUpdate(msg);
          const r = this.table.update(m.handle, m.channels, now);
          return this.reply(m.startCode, m.transactionId, opcode, r.status, r.changed);
        }
        default:
          this.counters.ignored++;
          return undefined;
      }
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.counters.malformed++;
      return undefined;
    }
  }

  /** Keepalives the transmit worker heard on the flows' sockets. */
  keepalive(ids: readonly number[]): void {
    const now = this.mediaNow();
    for (const id of ids) if (this.table.keepalive(id, now)) this.counters.keepalives++;
  }

  /** Expire flows; re-send the flow set now and then. */
  tick(): void {
    const now = this.mediaNow();
    const expired = now === now ? this.table.tick(now) : [];
    if (expired.length) {
      this.counters.expired += expired.length;
      this.opts.log.info('TX flows expired (no keepalive)', { ids: expired });
    }
    if (expired.length || Date.now() - this.lastPublish >= RESEND_MS) this.publish();
  }

  publish(): void {
    this.lastPublish = Date.now();
    const flows = this.table.specs();
    this.opts.publish({ flows });
    // The empty set is sent once (a restarted transmit worker starts without flows anyway).
    this.setTicking(flows.length > 0);
  }

  /** ARC 0x2200 list. */
  txFlowRecords(): TxFlowRecord[] {
    return txFlowRecords(this.table.all(), this.opts.config.sampleRate, this.opts.config.processId);
  }

  status(): Record<string, unknown> {
    return { flows: txFlowStatus(this.table.all(), this.mediaNow(), this.opts.config.sampleRate), counters: { ...this.counters } };
  }

  /**
   * The counters in the control servers' flat form (`flows.packets`, `flows.drop.<reason>`, ...),
   * so /status `control.servers.flows` and /metrics show them like the ARC/CMC ones.
   */
  flatCounters(): Record<string, number> {
    const c = this.counters;
    return {
      'flows.packets': c.packets,
      'flows.replies': c.replies,
      'flows.drop.malformed': c.malformed,
      'flows.drop.ignored': c.ignored,
      'flows.count.requests': c.requests,
      'flows.count.stops': c.stops,
      'flows.count.updates': c.updates,
      'flows.count.rejected': c.rejected,
      'flows.count.keepalives': c.keepalives,
      'flows.count.expired': c.expired,
    };
  }

  /**
   * ARC 0x2201 (§3.13): creates the accepted flows muted and returns their ids at once (reply
   * before the address check, as Inferno does); each starts sending once its group passed the
   * collision check.
   */
  createMulticastFlows(reqs: readonly MulticastFlowRequest[]): number[] {
    const accepted: number[] = [];
    const random = this.opts.random ?? Math.random;
    for (const r of reqs) {
      const group = drawMulticastGroup(random, this.groupsInUse());
      if (!this.table.createMulticast(r.id, r.channels, group, MULTICAST_TX_PORT, this.mediaNow())) continue;
      accepted.push(r.id);
      void this.activateMulticast(r.id, group);
    }
    return accepted;
  }

  /** ARC 0x2202: returns the ids deleted. */
  deleteMulticastFlows(ids: readonly number[]): number[] {
    const deleted = ids.filter((id) => this.table.deleteMulticast(id));
    if (deleted.length) this.changed();
    return deleted;
  }

  private async activateMulticast(id: number, first: string): Promise<void> {
    let group = first;
    const random = this.opts.random ?? Math.random;
    for (let attempt = 0; attempt < 10; attempt++) {
      const used = this.opts.isMulticastGroupInUse ? await this.opts.isMulticastGroupInUse(group).catch(() => false) : false;
      const flow = this.table.get(id);
      if (!flow?.multicast || flow.state !== 'muted') return; // deleted meanwhile
      if (!used) {
        this.table.activateMulticast(id, group);
        this.changed();
        return;
      }
      group = drawMulticastGroup(random, new Set([...this.groupsInUse(), group]));
    }
    this.opts.log.warn('no free multicast group found; flow stays muted', { id });
  }

  private groupsInUse(): Set<string> {
    return new Set(this.table.all().filter((f) => f.multicast).map((f) => f.address));
  }

  private changed(): void {
    this.publish();
    this.opts.onBundlesChanged?.(
      this.table.all().filter((f) => f.multicast && f.state === 'active').map((f) => ({ id: f.id, group: f.address, port: f.port, channels: [...f.channels] })),
    );
  }

  private reply(startCode: number, transactionId: number, opcode: number, status: number, changed: boolean, handle?: { flowNumber: number; cookie: number }): Buffer {
    if (status !== FLOW_STATUS_OK) this.counters.rejected++;
    if (changed) this.publish();
    this.counters.replies++;
    return encodeReply({ startCode, transactionId, opcode, status, ...(status === FLOW_STATUS_OK && handle ? { handle } : {}) });
  }

  private onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const reply = this.handle(msg);
    if (reply) this.socket?.send(reply, rinfo.port, rinfo.address);
  }
}

/** What the control worker provides (structurally its WorkerRuntime). */
export interface ControlWorkerHost {
  init: { config: DeviceConfig; shared: Record<string, SharedArrayBuffer> };
  log: Logger;
  post(msg: { type: 'event'; name: string; data?: unknown }): void;
}

/**
 * The control worker's hook: starts the flows-control server and returns it together with the
 * handler for the relayed `tx-keepalive` command (true when the message was for us).
 */
export async function startFlowsServer(
  rt: ControlWorkerHost,
  multicast: Pick<FlowsServerOptions, 'isMulticastGroupInUse' | 'onBundlesChanged'> = {},
): Promise<{ server: FlowsServer; handleCommand(msg: { type: string; name?: string; args?: unknown }): boolean }> {
  const clock = rt.init.shared.clock;
  if (!clock) throw new Error('no clock overlay buffer');
  const server = new FlowsServer({
    config: rt.init.config,
    clock,
    log: rt.log,
    publish: (msg) => rt.post({ type: 'event', name: TX_FLOWS_EVENT, data: msg }),
    ...multicast,
  });
  await server.start();
  server.publish();
  return {
    server,
    handleCommand(msg) {
      if (msg.type !== 'command' || msg.name !== TX_KEEPALIVE_EVENT) return false;
      server.keepalive((msg.args as TxKeepaliveMessage | undefined)?.ids ?? []);
      return true;
    },
  };
}
