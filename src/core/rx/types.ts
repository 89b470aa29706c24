// Inputs and outputs of the RX subscription state machine (PROTOCOL.md §1.3, §3.7, §5.4–§5.6).
// Pure data: the SubscriptionManager turns actions into mDNS queries, flows-control requests and
// receive-worker commands, and feeds the outcomes back as events.

/** What resolving `<channel>@<device>` told us (§2.3); only the fields flow planning needs. */
export interface ResolvedTxChannel {
  ip: string;
  /** Flows-control port of the transmitter. */
  port: number;
  /** 1-based TX channel number on the transmitter (TXT `id`). */
  txChannelId: number;
  nchan: number;
  bitsPerSample: number;
  fppMax: number;
  fppMin: number;
  latencyNs: number;
  /** Flows-control start code (TXT `dbcp1`). */
  dbcp1: number;
  /** Present when the channel is in a multicast bundle (§5.6). */
  bundle?: { id: number; group: string; port: number; nchan: number; position: number; bitsPerSample: number; fpp: number };
}

/** Why a resolution failed: not found yet keeps "unresolved", anything else is "resolve failed". */
export type ResolveFailure = 'not-found' | 'no-address' | 'bad-txt' | 'bad-name';

export interface FlowHandleRef {
  flowNumber: number;
  cookie: number;
}

export interface Endpoint {
  ip: string;
  port: number;
}

/** One slot of a flow routed to a local RX channel (0-based ring index). */
export type FlowRoute = readonly [slot: number, rxIndex: number];

export type RxAction =
  | { type: 'resolve'; rx: number; generation: number; name: string }
  | { type: 'open-flow'; flowId: number; multicast?: Endpoint }
  | { type: 'configure-flow'; flowId: number; slots: number; bytesPerSample: number; unicast: boolean; routes: FlowRoute[] }
  | {
      type: 'request-flow';
      flowId: number;
      to: Endpoint;
      startCode: number;
      channels: number[];
      framesPerPacket: number;
      bitsPerSample: number;
      receiverPort: number;
      flowName: string;
    }
  | { type: 'update-flow'; flowId: number; to: Endpoint; startCode: number; handle: FlowHandleRef; channels: number[] }
  | { type: 'stop-flow'; flowId: number; to: Endpoint; startCode: number; handle: FlowHandleRef }
  | { type: 'close-flow'; flowId: number }
  | { type: 'status'; rx: number; status: number; txChannel?: string; txDevice?: string };

/** Outcome of a flows-control request: the reply status (and handle on success), or a timeout. */
export type FlowRequestOutcome = { ok: true; handle: FlowHandleRef } | { ok: false; status: number | 'timeout' };
