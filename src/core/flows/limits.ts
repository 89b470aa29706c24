// Flows-control constants (PROTOCOL.md §5).
export const FLOWS_OPCODE_REQUEST = 0x0100;
export const FLOWS_OPCODE_STOP = 0x0101;
export const FLOWS_OPCODE_UPDATE = 0x0102;

/** "dbcp1" from the CHAN TXT; Inferno's client always uses it and servers echo what they got. */
export const FLOWS_START_CODE = 0x1102;

export const FLOW_STATUS_OK = 0x0001;
/** Requested sample rate differs from the transmitter's. */
export const FLOW_STATUS_RATE_MISMATCH = 0x0301;
/** fpp out of range or a bad channel list. */
export const FLOW_STATUS_INVALID = 0x0302;
export const FLOW_STATUS_TOO_MANY_FLOWS = 0x0315;
/** Stop/update of an unknown or expired handle. */
export const FLOW_STATUS_UNKNOWN_HANDLE = 0x0103;

/** (v0.5) 32 TX flows shared by unicast and multicast, 32 RX flows. */
export const MAX_TX_FLOWS = 32;
export const MAX_RX_FLOWS = 32;
export const MAX_CHANNELS_PER_FLOW = 8;
/** §5.6: fpp > 256 is rejected; fpp < 2 too, since fpp 0 would divide by zero in the scheduler. */
export const MIN_FRAMES_PER_PACKET = 2;
export const MAX_FRAMES_PER_PACKET = 256;
/** §5.1: Inferno ignores requests with ≤ 16 content bytes. */
export const MIN_REQUEST_CONTENT = 17;
export const SUPPORTED_BIT_DEPTHS: readonly number[] = [16, 24, 32];

/** §5.5: receivers send this every 250 ms; any datagram on the flow socket extends expiry by 4 s. */
export const KEEPALIVE = Buffer.from([0x13, 0x37]);
export const KEEPALIVE_INTERVAL_MS = 250;
export const FLOW_EXPIRY_MS = 4000;

export function isKeepalive(buf: Uint8Array): boolean {
  return buf.length === 2 && buf[0] === 0x13 && buf[1] === 0x37;
}
