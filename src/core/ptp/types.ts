// Events the clock worker feeds to a port and actions it gets back. All times are readings of the
// underlying clock (the overlay's `u`, CLOCK_TAI) in bigint ns; the port never reads a clock itself.

export type PortState =
  | 'initializing'
  | 'listening'
  | 'uncalibrated'
  | 'follower'
  | 'leader'
  | 'passive'
  | 'holdover'
  | 'faulty';

export type PortMode = 'auto' | 'leader-only' | 'follower-only';

export type PtpEvent =
  /** A datagram from port 319 ('event') or 320 ('general'); `rxTimestamp` from the kernel (or a
   *  clock read for general messages). `source` is the sender's address, for logs only. */
  | { type: 'rx'; data: Uint8Array; rxTimestamp: bigint; source?: string }
  /** The transmit timestamp of a datagram sent with `wantTxTimestamp`, matched by `tag`. */
  | { type: 'txTimestamp'; tag: number; timestamp: bigint }
  /** Timer evaluation; deliver at or after `nextWakeUp()`. */
  | { type: 'tick'; now: bigint };

export type PtpAction =
  | { type: 'send'; port: 'event' | 'general'; data: Buffer; wantTxTimestamp: boolean; tag: number }
  | {
      type: 'publishOverlay';
      lastSyncNs: bigint;
      shiftNs: bigint;
      freqScale: number;
      /** False until a follower has made its first step onto a leader. */
      valid: boolean;
      locked: boolean;
      state: PortState;
      /** Grandmaster identity (hex) we follow or serve; null when unknown. */
      leaderId: string | null;
    }
  | { type: 'stateChange'; from: PortState; to: PortState; reason: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn'; msg: string; data?: Record<string, unknown> };

export interface PtpPortStatus {
  version: 1 | 2;
  state: PortState;
  leaderId: string | null;
  parentPort: string | null;
  offsetNs: number;
  meanPathDelayNs: number | null;
  /** Current rate correction of the overlay, ppb (includes the proportional phase term). */
  freqPpb: number;
  /** Rate correction without the phase term: the estimated leader-vs-underlying frequency offset. */
  meanFreqPpb: number;
  locked: boolean;
  servoPhase: string;
  /** UTC offset announced by the leader we follow (or our own when leading). */
  utcOffsetS: number | null;
  /** Dropped datagrams by DecodeError reason or ignore reason. */
  drops: Record<string, number>;
}
