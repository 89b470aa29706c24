// What the version-independent port needs from a PTP version: parsing into a normalised message,
// building the messages it sends, and the version's best-master comparison.

/** A received message reduced to what the port acts on. */
export interface ParsedMessage<DS> {
  kind: 'sync' | 'followUp' | 'delayReq' | 'delayResp' | 'announce' | 'ignore';
  /** Sending port key (identity hex + "/" + port number). */
  sender: string;
  sequenceId: number;
  /** Sync/Follow_Up: origin time with corrections added; Delay_Resp: receipt time, corrections removed. */
  timeNs: bigint;
  /** Sync: the precise origin time follows in a Follow_Up. */
  twoStep: boolean;
  /** Follow_Up: the Sync it completes; Delay_Resp: the Delay_Req it answers. */
  refSequenceId: number;
  /** Delay_Resp addressed to our port. */
  forUs: boolean;
  /** Sync (v1) or Announce (v2): the sender's best-master data set. */
  dataset?: DS;
  /** The sender's advertised log2 message interval, if any. */
  logInterval?: number;
  utcOffsetS?: number;
  /** Sync: correction to add to the Follow_Up time (v2 correctionField of the Sync). */
  correctionNs: bigint;
  /** Delay_Req: whatever the protocol needs to answer it. */
  request?: unknown;
  /** Why an 'ignore' was ignored (counter key). */
  reason?: string;
}

export interface PtpProtocol<DS> {
  readonly version: 1 | 2;
  /** Our port key, to drop our own looped-back multicast. */
  readonly selfKey: string;
  readonly hasAnnounce: boolean;
  readonly utcOffsetS: number;
  readonly syncIntervalNs: bigint;
  readonly announceIntervalNs: bigint;
  readonly delayReqIntervalNs: bigint;
  parse(data: Uint8Array): ParsedMessage<DS>;
  compare(a: DS, b: DS): number;
  ownDataset(): DS;
  canLead(): boolean;
  /** A clock that, when beaten, goes passive rather than following (v2 class 1…127, v1 stratum < 3). */
  passiveWhenBeaten(): boolean;
  grandmasterId(ds: DS): string;
  selfId(): string;
  /** How long a foreign master's data set stays valid without a refresh. */
  receiptTimeoutNs(advertisedLog?: number): bigint;
  /** Window in which 2 messages qualify a foreign master (4 of its intervals). */
  qualificationWindowNs(advertisedLog?: number): bigint;
  buildSync(seq: number, originNs: bigint): Buffer;
  buildFollowUp(seq: number, preciseNs: bigint): Buffer;
  buildDelayReq(seq: number, originNs: bigint): Buffer;
  buildDelayResp(request: unknown, receiveNs: bigint): Buffer;
  buildAnnounce(seq: number, originNs: bigint): Buffer;
}
