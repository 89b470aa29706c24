// Options, events and counters of the mDNS responder.
import type { DanteRecordSet } from '../../core/mdns/records.js';
import type { Logger } from '../../log.js';
import type { MdnsTransport } from './transport.js';

export interface ResponderTiming {
  /** Spacing of the probes (RFC 6762 §8.1: 250 ms). */
  probeIntervalMs: number;
  probeCount: number;
  /** Wait after losing a simultaneous-probe tie-break (RFC 6762 §8.2: 1 s). */
  probeDeferMs: number;
  /** Announcements after probing and after every change (RFC 6762 §8.3: ≥ 2, 1 s apart). */
  announceCount: number;
  announceIntervalMs: number;
  /** Random delay of multicast answers holding shared records (RFC 6762 §6: 20–120 ms). */
  sharedDelayMinMs: number;
  sharedDelayMaxMs: number;
}

export const DEFAULT_TIMING: ResponderTiming = {
  probeIntervalMs: 250,
  probeCount: 3,
  probeDeferMs: 1000,
  announceCount: 2,
  announceIntervalMs: 1000,
  sharedDelayMinMs: 20,
  sharedDelayMaxMs: 120,
};

/** How long our own sent records are recognised when they come back via multicast loopback. */
export const OWN_ECHO_MS = 10_000;

export interface MdnsResponderOptions {
  interfaceIp: string;
  /** Default: UDP on 224.0.0.251:5353 joined on `interfaceIp`. */
  transport?: MdnsTransport;
  /** Largest UDP payload we send (default 1472 = 1500-byte MTU). */
  maxPayload?: number;
  logger?: Logger;
  timing?: Partial<ResponderTiming>;
}

export interface MdnsConflict {
  /** `device`: the device name was taken; `host`: the host name was taken. */
  kind: 'device' | 'host';
  /** The DNS name that was found taken. */
  name: string;
  from: string;
  to: string;
  /** Address the conflicting record came from. */
  peer: string;
}

export interface MdnsResponderStats {
  queries: number;
  responses: number;
  /** Answer records sent (in responses to queries). */
  answers: number;
  announcements: number;
  goodbyes: number;
  probes: number;
  knownAnswerSuppressed: number;
  legacyUnicast: number;
  unicastReplies: number;
  conflicts: number;
  datagramsSent: number;
  drops: Record<string, number>;
}

export type ResponderState = 'idle' | 'probing' | 'announced' | 'stopped';

export interface MdnsResponderEvents {
  conflict: [MdnsConflict];
  /** Probing finished: the records of `set` are ours. */
  published: [DanteRecordSet];
}
