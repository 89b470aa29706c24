// Replies with fixed content (PROTOCOL.md §3.15).
import { type ArcMessage, finishPacket, startPacket } from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';

/**
 * v0.5's 0x3300 reply content; avoids DC's "clock domain mismatch". Meaning unknown (legopc reads
 * 0x38 as a domain number), §3.15 and §11 item 16.
 */
export const CLOCK_DOMAIN_3300_CONTENT: readonly number[] = [0x3800, 0x38fd, 0x38fe, 0x38ff];

export function encodeClockDomainReply(msg: ArcMessage): Buffer {
  const w = startPacket(msg, ArcOpcode.CLOCK_DOMAIN_3300, ArcStatus.OK, 18);
  for (const v of CLOCK_DOMAIN_3300_CONTENT) w.u16(v);
  return finishPacket(w);
}
