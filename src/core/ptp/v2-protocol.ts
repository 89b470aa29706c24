// PTPv2 (1588-2008, UDP/IPv4, E2E) for the generic port, with AES67 media profile defaults.
import { compareV2, isMasterOnlyClass, type V2Dataset } from './bmca-v2.js';
import { compareBytes, eui64FromMac, hexId, portKey } from './identity.js';
import { DEFAULT_UTC_OFFSET_S } from './overlay.js';
import type { ParsedMessage, PtpProtocol } from './protocol.js';
import { intervalNs, nsToTimestamp, timestampToNs } from './time.js';
import {
  correctionToNs,
  decodeV2,
  encodeV2,
  V2_FLAGS,
  type PortIdentity,
  type V2Header,
  type V2Message,
} from './v2-messages.js';

/** AES67 Annex A media profile defaults (intervals as log2 s). */
export const AES67_DEFAULTS = {
  logSyncInterval: -3,
  logAnnounceInterval: 1,
  logMinDelayReqInterval: -3,
  announceReceiptTimeout: 3,
} as const;
/** 1588-2008 §9.3.2.4.4: 2 Announces within 4 announce intervals qualify a foreign master. */
export const FOREIGN_MASTER_TIME_WINDOW = 4;
/** Our Announce fields when we have no time source: class 248 (default), accuracy unknown, worst variance. */
export const V2_DEFAULT_CLOCK = {
  clockClass: 248,
  clockAccuracy: 0xfe,
  offsetScaledLogVariance: 0xffff,
  timeSource: 0xa0, // INTERNAL_OSCILLATOR
} as const;
/** Priority1 above Dante hardware's 249 (PROTOCOL.md §7.2), so by default we do not take over a Dante network. */
export const DEFAULT_PRIORITY1 = 251;
export const DEFAULT_PRIORITY2 = 128;
/** §9.3.2.5: Announces with stepsRemoved ≥ 255 are not qualified. */
const MAX_STEPS_REMOVED = 255;

export interface V2Settings {
  mac: Uint8Array;
  portNumber?: number;
  domain?: number;
  priority1?: number;
  priority2?: number;
  clockClass?: number;
  clockAccuracy?: number;
  offsetScaledLogVariance?: number;
  timeSource?: number;
  utcOffsetS?: number;
  logSyncInterval?: number;
  logAnnounceInterval?: number;
  logMinDelayReqInterval?: number;
  announceReceiptTimeout?: number;
}

type DelayReq = Extract<V2Message, { kind: 'delayReq' }>;

export class V2Protocol implements PtpProtocol<V2Dataset> {
  readonly version = 2;
  readonly hasAnnounce = true;
  readonly selfKey: string;
  readonly utcOffsetS: number;
  readonly syncIntervalNs: bigint;
  readonly announceIntervalNs: bigint;
  readonly delayReqIntervalNs: bigint;
  private readonly port: PortIdentity;
  private readonly s: Required<Omit<V2Settings, 'mac'>>;

  constructor(settings: V2Settings) {
    this.s = {
      portNumber: 1,
      domain: 0,
      priority1: DEFAULT_PRIORITY1,
      priority2: DEFAULT_PRIORITY2,
      ...V2_DEFAULT_CLOCK,
      utcOffsetS: DEFAULT_UTC_OFFSET_S,
      ...AES67_DEFAULTS,
      ...stripUndefined(settings),
    };
    this.port = { clockIdentity: eui64FromMac(settings.mac), portNumber: this.s.portNumber };
    this.selfKey = portKey(this.port.clockIdentity, this.port.portNumber);
    this.utcOffsetS = this.s.utcOffsetS;
    this.syncIntervalNs = intervalNs(this.s.logSyncInterval);
    this.announceIntervalNs = intervalNs(this.s.logAnnounceInterval);
    this.delayReqIntervalNs = intervalNs(this.s.logMinDelayReqInterval);
  }

  parse(data: Uint8Array): ParsedMessage<V2Dataset> {
    const msg = decodeV2(data);
    const h = msg.header;
    const base: ParsedMessage<V2Dataset> = {
      kind: 'ignore',
      sender: portKey(h.sourcePortIdentity.clockIdentity, h.sourcePortIdentity.portNumber),
      sequenceId: h.sequenceId,
      timeNs: 0n,
      twoStep: (h.flags & V2_FLAGS.twoStep) !== 0,
      refSequenceId: h.sequenceId,
      forUs: false,
      correctionNs: correctionToNs(h.correctionField),
      logInterval: h.logMessageInterval,
    };
    if (h.domainNumber !== this.s.domain) return { ...base, reason: 'other-domain' };
    switch (msg.kind) {
      case 'sync':
        return { ...base, kind: 'sync', timeNs: timestampToNs(msg.originTimestamp) + base.correctionNs };
      case 'followUp':
        return { ...base, kind: 'followUp', timeNs: timestampToNs(msg.preciseOriginTimestamp) + base.correctionNs };
      case 'delayReq':
        return { ...base, kind: 'delayReq', request: msg };
      case 'delayResp': {
        const r = msg.requestingPortIdentity;
        const forUs = compareBytes(r.clockIdentity, this.port.clockIdentity) === 0 && r.portNumber === this.port.portNumber;
        return { ...base, kind: 'delayResp', forUs, timeNs: timestampToNs(msg.receiveTimestamp) - base.correctionNs };
      }
      case 'announce': {
        const b = msg.body;
        if (b.stepsRemoved >= MAX_STEPS_REMOVED) return { ...base, reason: 'steps-removed' };
        if (compareBytes(b.grandmasterIdentity, this.port.clockIdentity) === 0) return { ...base, reason: 'own-grandmaster' };
        const dataset: V2Dataset = {
          priority1: b.grandmasterPriority1,
          clockClass: b.grandmasterClockQuality.clockClass,
          clockAccuracy: b.grandmasterClockQuality.clockAccuracy,
          offsetScaledLogVariance: b.grandmasterClockQuality.offsetScaledLogVariance,
          priority2: b.grandmasterPriority2,
          grandmasterIdentity: b.grandmasterIdentity,
          stepsRemoved: b.stepsRemoved + 1,
          sender: h.sourcePortIdentity,
          receiver: this.port,
        };
        return { ...base, kind: 'announce', dataset, utcOffsetS: b.currentUtcOffset };
      }
      case 'other':
        return { ...base, reason: `v2-type-${h.messageType}` };
    }
  }

  compare(a: V2Dataset, b: V2Dataset): number {
    return compareV2(a, b);
  }

  ownDataset(): V2Dataset {
    return {
      priority1: this.s.priority1,
      clockClass: this.s.clockClass,
      clockAccuracy: this.s.clockAccuracy,
      offsetScaledLogVariance: this.s.offsetScaledLogVariance,
      priority2: this.s.priority2,
      grandmasterIdentity: this.port.clockIdentity,
      stepsRemoved: 0,
      sender: this.port,
      receiver: this.port,
    };
  }

  canLead(): boolean {
    return this.s.clockClass !== 255;
  }

  passiveWhenBeaten(): boolean {
    return isMasterOnlyClass(this.s.clockClass);
  }

  grandmasterId(ds: V2Dataset): string {
    return hexId(ds.grandmasterIdentity);
  }

  selfId(): string {
    return hexId(this.port.clockIdentity);
  }

  receiptTimeoutNs(): bigint {
    return BigInt(this.s.announceReceiptTimeout) * this.announceIntervalNs;
  }

  qualificationWindowNs(advertisedLog?: number): bigint {
    const log = advertisedLog !== undefined && advertisedLog > -8 && advertisedLog < 8 ? advertisedLog : this.s.logAnnounceInterval;
    return BigInt(FOREIGN_MASTER_TIME_WINDOW) * intervalNs(Math.max(log, this.s.logAnnounceInterval));
  }

  private header(seq: number, flags: number, logInterval: number, correction = 0n): V2Header {
    return {
      transportSpecific: 0,
      messageType: 0,
      messageLength: 0,
      domainNumber: this.s.domain,
      flags,
      correctionField: correction,
      sourcePortIdentity: this.port,
      sequenceId: seq & 0xffff,
      controlField: 0,
      logMessageInterval: logInterval,
    };
  }

  private timeFlags(): number {
    return V2_FLAGS.ptpTimescale | V2_FLAGS.currentUtcOffsetValid;
  }

  buildSync(seq: number, originNs: bigint): Buffer {
    const header = this.header(seq, V2_FLAGS.twoStep | this.timeFlags(), this.s.logSyncInterval);
    return encodeV2({ kind: 'sync', header, originTimestamp: nsToTimestamp(originNs) });
  }

  buildFollowUp(seq: number, preciseNs: bigint): Buffer {
    const header = this.header(seq, this.timeFlags(), this.s.logSyncInterval);
    return encodeV2({ kind: 'followUp', header, preciseOriginTimestamp: nsToTimestamp(preciseNs) });
  }

  buildDelayReq(seq: number, originNs: bigint): Buffer {
    // logMessageInterval 0x7F for Delay_Req (Table 24).
    return encodeV2({ kind: 'delayReq', header: this.header(seq, 0, 0x7f), originTimestamp: nsToTimestamp(originNs) });
  }

  buildDelayResp(request: unknown, receiveNs: bigint): Buffer {
    const req = request as DelayReq;
    const header = this.header(req.header.sequenceId, this.timeFlags(), this.s.logMinDelayReqInterval, req.header.correctionField);
    return encodeV2({
      kind: 'delayResp',
      header,
      receiveTimestamp: nsToTimestamp(receiveNs),
      requestingPortIdentity: req.header.sourcePortIdentity,
    });
  }

  buildAnnounce(seq: number, originNs: bigint): Buffer {
    const header = this.header(seq, this.timeFlags(), this.s.logAnnounceInterval);
    return encodeV2({
      kind: 'announce',
      header,
      body: {
        originTimestamp: nsToTimestamp(originNs),
        currentUtcOffset: this.s.utcOffsetS,
        grandmasterPriority1: this.s.priority1,
        grandmasterClockQuality: {
          clockClass: this.s.clockClass,
          clockAccuracy: this.s.clockAccuracy,
          offsetScaledLogVariance: this.s.offsetScaledLogVariance,
        },
        grandmasterPriority2: this.s.priority2,
        grandmasterIdentity: this.port.clockIdentity,
        stepsRemoved: 0,
        timeSource: this.s.timeSource,
      },
    });
  }
}

export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
