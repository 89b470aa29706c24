// Controller side of ARC and CMC (PROTOCOL.md §3, §4.1): one socket, requests matched to replies by
// source, transaction id and opcode, with retries, and the paged channel listings of §3.5–3.7.
import {
  ArcOpcode,
  ArcStatus,
  ArcStatusError,
  DEFAULT_CONTROLLER_PROTOCOL,
  buildChannelCountsRequest,
  buildDeviceInfoRequest,
  buildDeviceNameRequest,
  buildRemoveSubscriptionsRequest,
  buildRxChannelRenameRequest,
  buildRxChannelsRequest,
  buildSetDeviceNameRequest,
  buildSetLatencyRequest,
  buildSettingsRequest,
  buildSubscribeRequest,
  buildTxChannelNamesRequest,
  buildTxChannelRenameRequest,
  buildTxChannelsRequest,
  parseChannelCountsReply,
  parseDeviceInfoReply,
  parseDeviceNameReply,
  parseRxChannelsReply,
  parseSetLatencyReply,
  parseSettingsReply,
  parseStatusReply,
  parseTxChannelNamesReply,
  parseTxChannelsReply,
} from '../core/arc/index.js';
import type { ChannelCountsReply, DeviceInfoReply, RxChannelRecord, SettingsTable, TxChannelRecord, TxNameRecord } from '../core/arc/index.js';
import { decodeRegisterReply, encodeRegisterRequest } from '../core/cmc/index.js';
import type { CmcRegisterReply } from '../core/cmc/index.js';
import type { ControlTransport, Endpoint } from './control-client/transport.js';

/** Where to send ARC requests; `label` names the device in error messages. */
export interface ArcTarget {
  ip: string;
  port: number;
  label?: string;
}

export interface RequestOptions {
  /** Wait per attempt. */
  timeoutMs?: number;
  /** Re-sends after the first attempt. */
  retries?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 1000;
export const DEFAULT_RETRIES = 2;
/** A device listing more pages than this is looping; stop rather than hang. */
const MAX_PAGES = 64;
/** DC's maximum count in 0x2010 requests: devices then list every renamed channel at once (§3.6). */
const TX_NAMES_MAX_COUNT = 0x0100;
/** CMC requests from current DC use start code 0x1000 (§4.1). */
const CMC_REQUEST_START_CODE = 0x1000;

const OPCODE_NAMES: Record<number, string> = {
  [ArcOpcode.CHANNEL_COUNTS]: 'channel counts (0x1000)',
  [ArcOpcode.SET_DEVICE_NAME]: 'rename device (0x1001)',
  [ArcOpcode.DEVICE_NAME]: 'device name (0x1002)',
  [ArcOpcode.DEVICE_INFO]: 'device info (0x1003)',
  [ArcOpcode.SETTINGS]: 'settings (0x1100)',
  [ArcOpcode.SET_LATENCY]: 'set latency (0x1101)',
  [ArcOpcode.TX_CHANNELS]: 'TX channels (0x2000)',
  [ArcOpcode.TX_CHANNEL_NAMES]: 'TX channel names (0x2010)',
  [ArcOpcode.SET_TX_CHANNEL_NAME]: 'rename TX channel (0x2013)',
  [ArcOpcode.RX_CHANNELS]: 'RX channels (0x3000)',
  [ArcOpcode.SET_RX_CHANNEL_NAME]: 'rename RX channel (0x3001)',
  [ArcOpcode.SUBSCRIBE]: 'subscribe (0x3010)',
  [ArcOpcode.REMOVE_SUBSCRIPTIONS]: 'remove subscriptions (0x3014)',
};

export function requestName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? `0x${opcode.toString(16).padStart(4, '0')}`;
}

export function targetLabel(t: ArcTarget): string {
  const addr = `${t.ip}:${t.port}`;
  return t.label && t.label !== addr ? `${t.label} (${addr})` : addr;
}

export class ArcTimeoutError extends Error {
  constructor(
    readonly target: ArcTarget,
    readonly opcode: number,
    readonly attempts: number,
    readonly timeoutMs: number,
  ) {
    super(`timeout: ${targetLabel(target)} did not answer ${requestName(opcode)} (${attempts} tries, ${timeoutMs} ms each)`);
    this.name = 'ArcTimeoutError';
  }
}

/** Status words of ARC replies that refuse a request (§3.1). */
const STATUS_TEXT: Record<number, string> = {
  [ArcStatus.LOCKED]: 'device locked',
  [ArcStatus.UNSUPPORTED]: 'not supported',
  [ArcStatus.NOTHING]: 'nothing done',
  [ArcStatus.REJECTED]: 'rejected',
};

export function arcStatusText(status: number): string {
  const hex = `0x${status.toString(16).padStart(4, '0')}`;
  const why = STATUS_TEXT[status];
  return why ? `${hex} (${why})` : hex;
}

/** A reply status that refuses the request, with the device it came from. */
export class ArcRefusedError extends ArcStatusError {
  constructor(
    readonly target: ArcTarget,
    opcode: number,
    status: number,
  ) {
    super(opcode, status);
    this.message = `refused: ${targetLabel(target)} answered ${requestName(opcode)} with status ${arcStatusText(status)}`;
    this.name = 'ArcRefusedError';
  }
}

interface Pending {
  from: Endpoint;
  transactionId: number;
  opcode: number;
  resolve(buf: Buffer): void;
}

export interface ArcClientOptions extends RequestOptions {
  /** ARC protocol id written into requests (netaudio's 0x27ff by default, answered by every device). */
  protocolId?: number;
  /** First transaction id (random by default, so two runs do not reuse ids). */
  firstTransactionId?: number;
}

export class ArcClient {
  private readonly pending = new Set<Pending>();
  private txId: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  readonly protocolId: number;

  constructor(
    private readonly transport: ControlTransport,
    opts: ArcClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.retries = opts.retries ?? DEFAULT_RETRIES;
    this.protocolId = opts.protocolId ?? DEFAULT_CONTROLLER_PROTOCOL;
    this.txId = (opts.firstTransactionId ?? 1 + Math.floor(Math.random() * 0xfff0)) & 0xffff;
    transport.onMessage((buf, from) => this.onReply(buf, from));
  }

  /** The next transaction id (never 0). */
  nextTransactionId(): number {
    const id = this.txId;
    this.txId = (this.txId % 0xffff) + 1;
    return id;
  }

  private onReply(buf: Buffer, from: Endpoint): void {
    if (buf.length < 10) return;
    const transactionId = buf.readUInt16BE(4);
    const opcode = buf.readUInt16BE(6);
    for (const p of this.pending) {
      if (p.from.address === from.address && p.from.port === from.port && p.transactionId === transactionId && p.opcode === opcode) {
        p.resolve(buf);
        return;
      }
    }
  }

  /**
   * Sends `packet` (its header already holds the transaction id and opcode) and resolves with the
   * first datagram from `ip:port` carrying the same transaction id and opcode; re-sends on silence.
   */
  async request(ip: string, port: number, packet: Buffer, opts: RequestOptions & { label?: string } = {}): Promise<Buffer> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const attempts = 1 + (opts.retries ?? this.retries);
    const transactionId = packet.readUInt16BE(4);
    const opcode = packet.readUInt16BE(6);
    let timer: NodeJS.Timeout | undefined;
    let entry: Pending | undefined;
    try {
      for (let i = 0; i < attempts; i++) {
        const reply = new Promise<Buffer | undefined>((resolve) => {
          entry = { from: { address: ip, port }, transactionId, opcode, resolve };
          this.pending.add(entry);
          timer = setTimeout(() => resolve(undefined), timeoutMs);
        });
        await this.transport.send(packet, { address: ip, port });
        const got = await reply;
        clearTimeout(timer);
        if (entry) this.pending.delete(entry);
        if (got) return got;
      }
    } finally {
      clearTimeout(timer);
      if (entry) this.pending.delete(entry);
    }
    const target: ArcTarget = { ip, port };
    if (opts.label !== undefined) target.label = opts.label;
    throw new ArcTimeoutError(target, opcode, attempts, timeoutMs);
  }

  /** Builds a request with a fresh transaction id, sends it to `t` and parses the reply. */
  async call<T>(t: ArcTarget, build: (txId: number, protocolId: number) => Buffer, parse: (buf: Buffer, txId: number) => T, opts?: RequestOptions): Promise<T> {
    const txId = this.nextTransactionId();
    const opt: RequestOptions & { label?: string } = { ...opts };
    if (t.label !== undefined) opt.label = t.label;
    const buf = await this.request(t.ip, t.port, build(txId, this.protocolId), opt);
    try {
      return parse(buf, txId);
    } catch (err) {
      if (err instanceof ArcStatusError) throw new ArcRefusedError(t, err.opcode, err.status);
      throw err;
    }
  }

  deviceName(t: ArcTarget): Promise<string> {
    return this.call(t, buildDeviceNameRequest, parseDeviceNameReply).then((r) => r.name);
  }

  channelCounts(t: ArcTarget): Promise<ChannelCountsReply> {
    return this.call(t, buildChannelCountsRequest, parseChannelCountsReply);
  }

  deviceInfo(t: ArcTarget): Promise<DeviceInfoReply> {
    return this.call(t, buildDeviceInfoRequest, parseDeviceInfoReply);
  }

  settings(t: ArcTarget): Promise<ReturnType<typeof parseSettingsReply>> {
    return this.call(t, (id, p) => buildSettingsRequest(id, undefined, p), parseSettingsReply);
  }

  setLatency(t: ArcTarget, latencyNs: number): Promise<SettingsTable> {
    return this.call(t, (id, p) => buildSetLatencyRequest(id, latencyNs, p), parseSetLatencyReply);
  }

  async renameDevice(t: ArcTarget, name: string): Promise<void> {
    await this.call(t, (id, p) => buildSetDeviceNameRequest(id, name, p), (b, id) => parseStatusReply(b, ArcOpcode.SET_DEVICE_NAME, id));
  }

  async renameTxChannel(t: ArcTarget, channel: number, name: string): Promise<void> {
    await this.call(t, (id, p) => buildTxChannelRenameRequest(id, [{ channel, name }], p), (b, id) => parseStatusReply(b, ArcOpcode.SET_TX_CHANNEL_NAME, id));
  }

  async renameRxChannel(t: ArcTarget, channel: number, name: string): Promise<void> {
    await this.call(t, (id, p) => buildRxChannelRenameRequest(id, [{ channel, name }], p), (b, id) => parseStatusReply(b, ArcOpcode.SET_RX_CHANNEL_NAME, id));
  }

  async subscribe(t: ArcTarget, rxChannel: number, txChannelName: string, txDeviceName: string): Promise<void> {
    const records = [{ rxChannel, txChannelName, txDeviceName }];
    await this.call(t, (id, p) => buildSubscribeRequest(id, records, p), (b, id) => parseStatusReply(b, ArcOpcode.SUBSCRIBE, id));
  }

  /** 0x3010 with no names, the form every device and DC use (§3.8). */
  async unsubscribe(t: ArcTarget, rxChannel: number): Promise<void> {
    await this.call(t, (id, p) => buildSubscribeRequest(id, [{ rxChannel }], p), (b, id) => parseStatusReply(b, ArcOpcode.SUBSCRIBE, id));
  }

  /**
   * Pages through a list (§3.5): stops on status OK, an empty page, at the 0x1000 `total`, or,
   * when the total is unknown, on a short page (devices may answer 0x8112 on their last page).
   */
  private async readPages<T extends { number: number }>(
    fetch: (start: number) => Promise<{ status: number; capacity: number; items: T[] }>,
    total?: number,
  ): Promise<T[]> {
    const seen = new Map<number, T>();
    let start = 1;
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = await fetch(start);
      for (const item of r.items) if (!seen.has(item.number)) seen.set(item.number, item);
      if (r.status !== ArcStatus.MORE_PAGES || r.items.length === 0) break;
      if (total !== undefined ? seen.size >= total : r.items.length < r.capacity) break;
      start += r.items.length;
    }
    return [...seen.values()].sort((a, b) => a.number - b.number);
  }

  readAllTxChannels(t: ArcTarget, total?: number): Promise<TxChannelRecord[]> {
    return this.readPages(async (start) => {
      const r = await this.call(t, (id, p) => buildTxChannelsRequest(id, start, p), (b, id) => ({ status: b.readUInt16BE(8), reply: parseTxChannelsReply(b, id) }));
      return { status: r.status, capacity: r.reply.capacity, items: r.reply.channels };
    }, total);
  }

  /** Friendly TX names; devices list only renamed channels (§3.6), so there is no total to reach. */
  readTxChannelNames(t: ArcTarget): Promise<TxNameRecord[]> {
    return this.readPages(async (start) => {
      const r = await this.call(t, (id, p) => buildTxChannelNamesRequest(id, start, TX_NAMES_MAX_COUNT, p), (b, id) => ({ status: b.readUInt16BE(8), reply: parseTxChannelNamesReply(b, id) }));
      return { status: r.status, capacity: r.reply.capacity, items: r.reply.names };
    });
  }

  readAllRxChannels(t: ArcTarget, total?: number): Promise<RxChannelRecord[]> {
    return this.readPages(async (start) => {
      const r = await this.call(t, (id, p) => buildRxChannelsRequest(id, start, p), (b, id) => ({ status: b.readUInt16BE(8), reply: parseRxChannelsReply(b, id) }));
      return { status: r.status, capacity: r.reply.capacity, items: r.reply.channels };
    }, total);
  }

  /** CMC 0x1001 register (§4.1): the device answers with its process id, device id and info port. */
  async cmcRegister(ip: string, cmcPort: number, controllerId: Uint8Array, opts: RequestOptions & { label?: string } = {}): Promise<CmcRegisterReply> {
    const transactionId = this.nextTransactionId();
    const req = encodeRegisterRequest({ startCode: CMC_REQUEST_START_CODE, transactionId, controllerId });
    return decodeRegisterReply(await this.request(ip, cmcPort, req, opts));
  }
}
