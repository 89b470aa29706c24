// PTPv1 (1588-2002) for the generic port: the best-master data set travels in every Sync, so Syncs
// play the Announce role (qualification, receipt timeout). Two-step: Sync with PTP_ASSIST + Follow_Up.
import { compareV1, V1_STRATUM_SLAVE_ONLY, type V1Dataset } from './bmca-v1.js';
import { compareBytes, hexId, portKey } from './identity.js';
import { DEFAULT_UTC_OFFSET_S } from './overlay.js';
import type { ParsedMessage, PtpProtocol } from './protocol.js';
import { intervalNs, nsToTimestamp, timestampToNs } from './time.js';
import {
  decodeV1,
  encodeV1,
  V1_COMM_ETHERNET,
  V1_DEFAULT_SUBDOMAIN,
  V1_FLAGS,
  V1_MESSAGE_TYPE,
  type V1Header,
  type V1Message,
  type V1SyncBody,
} from './v1-messages.js';
import { stripUndefined } from './v2-protocol.js';

/**
 * Sync interval we send as a v1 leader, log2 s. 1588-2002 allows 1, 2, 8, 16, 64 s; Dante devices
 * are reported to send several Syncs per second (syncInterval −2, 250 ms) — unverified guess.
 */
export const DANTE_V1_LOG_SYNC_INTERVAL = -2;
/** Our v1 clock as a free-running leader: stratum 4 and "DFLT" are 1588-2002's defaults for a clock
 *  with no reference; variance −4000 is ptpd's default. What Dante devices send is unverified. */
export const V1_DEFAULT_CLOCK = { stratum: 4, identifier: 'DFLT', variance: -4000 } as const;
/** 1588-2002 sync receipt timeout: 10 sync intervals (ptpd: PTP_SYNC_RECEIPT_TIMEOUT). */
export const V1_SYNC_RECEIPT_TIMEOUT_INTERVALS = 10n;
/** Foreign master qualification: 2 Syncs within this many sync intervals. */
export const V1_QUALIFICATION_INTERVALS = 4n;
/** Dante networks set "Preferred Leader" with this flag; off unless configured. */
export const V1_DEFAULT_PREFERRED = false;

export interface V1Settings {
  mac: Uint8Array;
  portId?: number;
  subdomain?: string;
  stratum?: number;
  identifier?: string;
  variance?: number;
  preferred?: boolean;
  utcOffsetS?: number;
  logSyncInterval?: number;
  /** Delay_Req interval as a follower, log2 s (v1 has no leader-advertised value). */
  logDelayReqInterval?: number;
}

type DelayReq = Extract<V1Message, { kind: 'delayReq' }>;

export class V1Protocol implements PtpProtocol<V1Dataset> {
  readonly version = 1;
  readonly hasAnnounce = false;
  readonly selfKey: string;
  readonly utcOffsetS: number;
  readonly syncIntervalNs: bigint;
  readonly announceIntervalNs: bigint;
  readonly delayReqIntervalNs: bigint;
  private readonly uuid: Uint8Array;
  private readonly s: Required<Omit<V1Settings, 'mac'>>;

  constructor(settings: V1Settings) {
    this.s = {
      portId: 1,
      subdomain: V1_DEFAULT_SUBDOMAIN,
      ...V1_DEFAULT_CLOCK,
      preferred: V1_DEFAULT_PREFERRED,
      utcOffsetS: DEFAULT_UTC_OFFSET_S,
      logSyncInterval: DANTE_V1_LOG_SYNC_INTERVAL,
      logDelayReqInterval: DANTE_V1_LOG_SYNC_INTERVAL,
      ...stripUndefined(settings),
    };
    if (settings.mac.length !== 6) throw new RangeError('MAC must be 6 bytes');
    this.uuid = Uint8Array.from(settings.mac);
    this.selfKey = portKey(this.uuid, this.s.portId);
    this.utcOffsetS = this.s.utcOffsetS;
    this.syncIntervalNs = intervalNs(this.s.logSyncInterval);
    this.announceIntervalNs = this.syncIntervalNs;
    this.delayReqIntervalNs = intervalNs(this.s.logDelayReqInterval);
  }

  parse(data: Uint8Array): ParsedMessage<V1Dataset> {
    const msg = decodeV1(data);
    const h = msg.header;
    const base: ParsedMessage<V1Dataset> = {
      kind: 'ignore',
      sender: portKey(h.sourceUuid, h.sourcePortId),
      sequenceId: h.sequenceId,
      timeNs: 0n,
      twoStep: (h.flags & V1_FLAGS.assist) !== 0,
      refSequenceId: h.sequenceId,
      forUs: false,
      correctionNs: 0n,
    };
    if (h.subdomain !== this.s.subdomain) return { ...base, reason: 'other-subdomain' };
    switch (msg.kind) {
      case 'sync': {
        const b = msg.body;
        if (compareBytes(b.grandmasterClockUuid, this.uuid) === 0) return { ...base, reason: 'own-grandmaster' };
        const dataset: V1Dataset = {
          preferred: b.grandmasterPreferred,
          stratum: b.grandmasterClockStratum,
          identifier: b.grandmasterClockIdentifier,
          variance: b.grandmasterClockVariance,
          isBoundaryClock: b.grandmasterIsBoundaryClock,
          grandmasterUuid: b.grandmasterClockUuid,
          grandmasterPortId: b.grandmasterPortId,
          stepsRemoved: b.localStepsRemoved + 1,
          senderUuid: h.sourceUuid,
          senderPortId: h.sourcePortId,
        };
        return {
          ...base,
          kind: 'sync',
          timeNs: timestampToNs(b.originTimestamp),
          dataset,
          logInterval: b.syncInterval,
          utcOffsetS: b.currentUtcOffset,
        };
      }
      case 'followUp':
        return {
          ...base,
          kind: 'followUp',
          refSequenceId: msg.associatedSequenceId,
          timeNs: timestampToNs(msg.preciseOriginTimestamp),
        };
      case 'delayReq':
        return { ...base, kind: 'delayReq', request: msg };
      case 'delayResp': {
        const forUs =
          compareBytes(msg.requestingSourceUuid, this.uuid) === 0 && msg.requestingSourcePortId === this.s.portId;
        return {
          ...base,
          kind: 'delayResp',
          forUs,
          refSequenceId: msg.requestingSourceSequenceId,
          timeNs: timestampToNs(msg.delayReceiptTimestamp),
        };
      }
      case 'management':
        return { ...base, reason: 'v1-management' };
    }
  }

  compare(a: V1Dataset, b: V1Dataset): number {
    return compareV1(a, b);
  }

  ownDataset(): V1Dataset {
    return {
      preferred: this.s.preferred,
      stratum: this.s.stratum,
      identifier: this.s.identifier,
      variance: this.s.variance,
      isBoundaryClock: false,
      grandmasterUuid: this.uuid,
      grandmasterPortId: this.s.portId,
      stepsRemoved: 0,
      senderUuid: this.uuid,
      senderPortId: this.s.portId,
    };
  }

  canLead(): boolean {
    return this.s.stratum !== V1_STRATUM_SLAVE_ONLY;
  }

  passiveWhenBeaten(): boolean {
    return this.s.stratum < 3;
  }

  grandmasterId(ds: V1Dataset): string {
    return hexId(ds.grandmasterUuid);
  }

  selfId(): string {
    return hexId(this.uuid);
  }

  receiptTimeoutNs(advertisedLog?: number): bigint {
    return V1_SYNC_RECEIPT_TIMEOUT_INTERVALS * this.intervalOf(advertisedLog);
  }

  qualificationWindowNs(advertisedLog?: number): bigint {
    return V1_QUALIFICATION_INTERVALS * this.intervalOf(advertisedLog);
  }

  private intervalOf(log?: number): bigint {
    return log !== undefined && log >= -7 && log <= 6 ? intervalNs(log) : this.syncIntervalNs;
  }

  private header(seq: number, messageType: number, flags: number): V1Header {
    return {
      versionNetwork: 1,
      subdomain: this.s.subdomain,
      messageType,
      sourceCommunicationTechnology: V1_COMM_ETHERNET,
      sourceUuid: this.uuid,
      sourcePortId: this.s.portId,
      sequenceId: seq & 0xffff,
      control: 0,
      flags,
    };
  }

  /** Sync/Delay_Req body describing ourselves as grandmaster and parent. */
  private body(seq: number, originNs: bigint): V1SyncBody {
    const ts = nsToTimestamp(originNs);
    return {
      originTimestamp: ts,
      epochNumber: Number((ts.seconds >> 32n) & 0xffffn),
      currentUtcOffset: this.s.utcOffsetS,
      grandmasterCommunicationTechnology: V1_COMM_ETHERNET,
      grandmasterClockUuid: this.uuid,
      grandmasterPortId: this.s.portId,
      grandmasterSequenceId: seq & 0xffff,
      grandmasterClockStratum: this.s.stratum,
      grandmasterClockIdentifier: this.s.identifier,
      grandmasterClockVariance: this.s.variance,
      grandmasterPreferred: this.s.preferred,
      grandmasterIsBoundaryClock: false,
      syncInterval: this.s.logSyncInterval,
      localClockVariance: this.s.variance,
      localStepsRemoved: 0,
      localClockStratum: this.s.stratum,
      localClockIdentifier: this.s.identifier,
      parentCommunicationTechnology: V1_COMM_ETHERNET,
      parentUuid: this.uuid,
      parentPortField: this.s.portId,
      estimatedMasterVariance: 0,
      estimatedMasterDrift: 0,
      utcReasonable: true,
    };
  }

  buildSync(seq: number, originNs: bigint): Buffer {
    const header = this.header(seq, V1_MESSAGE_TYPE.event, V1_FLAGS.assist);
    return encodeV1({ kind: 'sync', header, body: this.body(seq, originNs) });
  }

  buildFollowUp(seq: number, preciseNs: bigint): Buffer {
    // The Follow_Up has its own sequence number space in ptpd; reusing the Sync's is also accepted
    // since receivers match on associatedSequenceId.
    const header = this.header(seq, V1_MESSAGE_TYPE.general, 0);
    return encodeV1({ kind: 'followUp', header, associatedSequenceId: seq & 0xffff, preciseOriginTimestamp: nsToTimestamp(preciseNs) });
  }

  buildDelayReq(seq: number, originNs: bigint): Buffer {
    const header = this.header(seq, V1_MESSAGE_TYPE.event, 0);
    return encodeV1({ kind: 'delayReq', header, body: this.body(seq, originNs) });
  }

  buildDelayResp(request: unknown, receiveNs: bigint): Buffer {
    const req = request as DelayReq;
    const header = this.header(req.header.sequenceId, V1_MESSAGE_TYPE.general, 0);
    return encodeV1({
      kind: 'delayResp',
      header,
      delayReceiptTimestamp: nsToTimestamp(receiveNs),
      requestingSourceCommunicationTechnology: req.header.sourceCommunicationTechnology,
      requestingSourceUuid: req.header.sourceUuid,
      requestingSourcePortId: req.header.sourcePortId,
      requestingSourceSequenceId: req.header.sequenceId,
    });
  }

  buildAnnounce(): Buffer {
    throw new Error('PTPv1 has no Announce message');
  }
}
