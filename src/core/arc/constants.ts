// ARC constants (PROTOCOL.md §3.1, §3.2). Values marked "guess" are kept here so a wrong guess is a
// one-line fix.

/** Protocol ids (header bytes 0–1). Layouts are the same under every id (§3.1). */
export const ArcProtocol = {
  /** netaudio and Inferno; every device answers it. */
  NETAUDIO: 0x27ff,
  /** LX-DANTE, and the id Inferno writes into its own 0x1003 reply. */
  LX_DANTE: 0x2729,
  /** Shure AD4D. */
  AD4D: 0x2801,
  /** Audinate AVIO adapters. */
  AVIO: 0x2809,
} as const;

/** Protocol ids our ARC server answers; others are dropped. */
export const SUPPORTED_PROTOCOL_IDS: ReadonlySet<number> = new Set([
  ArcProtocol.NETAUDIO,
  ArcProtocol.LX_DANTE,
  ArcProtocol.AVIO,
]);

export const ArcStatus = {
  /** Always zero in requests. */
  REQUEST: 0x0000,
  OK: 0x0001,
  /** OK, and more pages follow (§3.5). */
  MORE_PAGES: 0x8112,
  /** Rejected because the device is locked (§3.1). */
  LOCKED: 0x0600,
  /** Unknown or unsupported opcode, no content (§3.1, real devices). */
  UNSUPPORTED: 0x0030,
  /** Nothing to list / nothing done (Inferno's placeholder, §3.5, §3.10, §3.13). */
  NOTHING: 0xffff,
  /**
   * Request understood but a value is not acceptable (latency out of range, bad name, unknown
   * channel). Guess: PROTOCOL.md documents no status for this; 0x0022 is the only code netaudio's
   * dissector names "error" (§3.1, never seen on the wire).
   */
  REJECTED: 0x0022,
} as const;

export const ArcOpcode = {
  CHANNEL_COUNTS: 0x1000,
  SET_DEVICE_NAME: 0x1001,
  DEVICE_NAME: 0x1002,
  DEVICE_INFO: 0x1003,
  SETTINGS: 0x1100,
  SET_LATENCY: 0x1101,
  SETTINGS_SCHEMA: 0x1102,
  TX_CHANNELS: 0x2000,
  TX_CHANNEL_NAMES: 0x2010,
  SET_TX_CHANNEL_NAME: 0x2013,
  TX_FLOWS: 0x2200,
  CREATE_MULTICAST_FLOW: 0x2201,
  DELETE_TX_FLOW: 0x2202,
  TX_POLL_2204: 0x2204,
  TX_LABELS_2320: 0x2320,
  RX_CHANNELS: 0x3000,
  SET_RX_CHANNEL_NAME: 0x3001,
  SUBSCRIBE: 0x3010,
  REMOVE_SUBSCRIPTIONS: 0x3014,
  RX_FLOWS: 0x3200,
  CLOCK_DOMAIN_3300: 0x3300,
} as const;

/** Dante names are at most 31 bytes of UTF-8 (§3.4, §3.11). */
export const MAX_NAME_BYTES = 31;

/** Flow ids are 1…32, shared by unicast and multicast TX flows (§3.12). */
export const MAX_TX_FLOWS = 32;

/** RX channel status words as Inferno writes them (§3.7). */
export const RxStatus = {
  NONE: 0x00000000,
  UNRESOLVED: 0x00000001,
  IN_PROGRESS: 0x00000008,
  NO_MORE_TX_FLOWS: 0x00000014,
  TX_FAILURE: 0x00000015,
  RECEIVING_UNICAST: 0x01010009,
  RECEIVING_MULTICAST: 0x0101000a,
} as const;

/** "This device" as the TX device of a subscription (§3.8). */
export const SELF_DEVICE = '.';
