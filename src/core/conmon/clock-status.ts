// 0x0020 clock status (PROTOCOL.md §4.3). Inferno's form is 112 content bytes; real devices send
// 152–188 with the same first 36 bytes and more data after, including netaudio's role field.
import { need, i32, u16, u8 } from '../bytes.js';
import { DecodeError } from '../errors.js';

export const CLOCK_STATUS_LENGTH = 112;
/** Content offset of the u16 PTPv1 role netaudio reads at payload 0x48 (§4.3). */
export const CLOCK_ROLE_OFFSET = 0x28;
/** Content offset of netaudio's preferred-leader byte (payload 0x26). */
export const CLOCK_PREFERRED_OFFSET = 0x06;
/** PTPv1 port states as netaudio reads them: 6 = master (leader), 9 = slave (follower). */
export const PTPV1_ROLE_MASTER = 6;
export const PTPV1_ROLE_SLAVE = 9;
/** Role left unset (Inferno writes zero there). */
export const PTPV1_ROLE_UNKNOWN = 0;

/**
 * §4.3: v0.5's first words `00 03 00 03` (a follower; an LX-DANTE leader sends `00 02 00 06`) and
 * `00 00 00 9F` (a device had 0xFF; meaning unknown). A 0x01 bit in the first word is commented
 * as "PLL not locked" upstream.
 */
export const CLOCK_STATE_FOLLOWER: readonly [number, number] = [0x0003, 0x0003];
export const CLOCK_STATE_LEADER: readonly [number, number] = [0x0002, 0x0006];
export const CLOCK_FLAGS_BYTE = 0x9f;

export interface ClockStatus {
  /** The two leading u16 words. */
  state: readonly [number, number];
  preferredLeader: boolean;
  /** Content byte 7. */
  flags: number;
  /** Local clock frequency offset in ppb. */
  frequencyOffsetPpb: number;
  /** 8 bytes at content 12: own MAC + `00 00`. */
  ownId: Uint8Array;
  /** 8 bytes at content 20 (repeated at 28 in Inferno's form). */
  leaderId: Uint8Array;
  /** Second id at content 28 (devices: grandmaster, equal to the leader in the fixtures). */
  leaderId2: Uint8Array;
  /** PTPv1 role (6 master, 9 slave, 0 unknown). */
  role: number;
}

export function encodingLength(): number {
  return CLOCK_STATUS_LENGTH;
}

export function encode(s: ClockStatus): Buffer {
  for (const [id, what] of [[s.ownId, 'own id'], [s.leaderId, 'leader id'], [s.leaderId2, 'leader id 2']] as const) {
    if (id.length !== 8) throw new RangeError(`${what} must be 8 bytes`);
  }
  const out = Buffer.alloc(CLOCK_STATUS_LENGTH);
  out.writeUInt16BE(s.state[0] & 0xffff, 0);
  out.writeUInt16BE(s.state[1] & 0xffff, 2);
  out[CLOCK_PREFERRED_OFFSET] = s.preferredLeader ? 1 : 0;
  out[7] = s.flags & 0xff;
  out.writeInt32BE(clampI32(s.frequencyOffsetPpb), 8);
  out.set(s.ownId, 12);
  out.set(s.leaderId, 20);
  out.set(s.leaderId2, 28);
  out.writeUInt16BE(s.role & 0xffff, CLOCK_ROLE_OFFSET);
  return out;
}

export function decode(content: Uint8Array): ClockStatus {
  if (content.length < CLOCK_ROLE_OFFSET + 2) {
    throw new DecodeError('truncated', `clock status ${content.length} bytes`);
  }
  need(content, 0, 36, 'clock status');
  return {
    state: [u16(content, 0), u16(content, 2)],
    preferredLeader: u8(content, CLOCK_PREFERRED_OFFSET) === 1,
    flags: u8(content, 7),
    frequencyOffsetPpb: i32(content, 8),
    ownId: Uint8Array.from(content.subarray(12, 20)),
    leaderId: Uint8Array.from(content.subarray(20, 28)),
    leaderId2: Uint8Array.from(content.subarray(28, 36)),
    role: u16(content, CLOCK_ROLE_OFFSET),
  };
}

export function clampI32(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Math.max(-0x80000000, Math.min(0x7fffffff, Math.round(v)));
}
