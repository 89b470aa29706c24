// Decoders for the conmon requests a device receives on port 8700 (PROTOCOL.md §4.3, §4.5).
// Layouts are netaudio's builders and DC's captured requests.
import { u16, u32, u8 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { type ConmonHeader, CONMON_VERSION_MAJOR, conmonContent, decodeConmonHeader, START_CODE_CONMON } from './header.js';

export interface ConmonRequest {
  header: ConmonHeader;
  content: Uint8Array;
}

/**
 * Accepts a request when it is a 0xFFFF packet whose version starts with 0x07 (§4.3: matched as
 * `07 ?? <type>`). Bytes 28–31 are not checked: DC sends 0x64 there for newer types and 0 for
 * 0x0061/0x00C1, and answering both is harmless.
 */
export function decodeConmonRequest(buf: Uint8Array): ConmonRequest {
  const header = decodeConmonHeader(buf);
  if (header.startCode !== START_CODE_CONMON) throw new DecodeError('not-a-request', 'heartbeat start code');
  if (header.version >> 8 !== CONMON_VERSION_MAJOR) {
    throw new DecodeError('bad-version', `version 0x${header.version.toString(16)}`);
  }
  return { header, content: conmonContent(buf, header) };
}

/** Sample-rate (0x0081) and encoding (0x0083) requests: u32 mode + u32 value (§4.5). */
export const SETTING_MODE_QUERY = 0;
export const SETTING_MODE_SET = 1;

export type SettingRequest = { kind: 'query' } | { kind: 'set'; value: number };

export function decodeSettingRequest(content: Uint8Array): SettingRequest {
  // An empty body is read as a query too (older notes described the query without content).
  if (content.length === 0) return { kind: 'query' };
  const mode = u32(content, 0, 'mode');
  const value = u32(content, 4, 'value');
  if (mode === SETTING_MODE_QUERY) return { kind: 'query' };
  if (mode === SETTING_MODE_SET) return { kind: 'set', value };
  throw new DecodeError('bad-setting-mode', `mode ${mode}`);
}

export function encodeSettingRequest(req: SettingRequest): Buffer {
  const out = Buffer.alloc(8);
  if (req.kind === 'set') {
    out.writeUInt32BE(SETTING_MODE_SET, 0);
    out.writeUInt32BE(req.value >>> 0, 4);
  }
  return out;
}

/** §4.5: netaudio's reboot content is `00 01 00 00`; the leading u16 must be 1 so noise cannot reboot. */
export const REBOOT_REQUEST_WORD = 0x0001;

export function decodeRebootRequest(content: Uint8Array): void {
  const w = u16(content, 0, 'reboot word');
  if (w !== REBOOT_REQUEST_WORD) throw new DecodeError('bad-reboot-request', `word 0x${w.toString(16)}`);
}

/** 0x1006 AES67: u16 1 + u16 enable sets; u16 0 + u16 0 is DC's probe (§4.5). */
export type Aes67Request = { kind: 'probe' } | { kind: 'set'; enable: boolean };

export function decodeAes67Request(content: Uint8Array): Aes67Request {
  const op = u16(content, 0, 'aes67 op');
  const enable = u16(content, 2, 'aes67 enable');
  if (op === 0) return { kind: 'probe' };
  if (op === 1) return { kind: 'set', enable: enable !== 0 };
  throw new DecodeError('bad-aes67-request', `op ${op}`);
}

/**
 * 0x0021 clocking control: u16 presence mask, u16 clock source, u8 preferred-leader flag, zeros
 * (clock_master_control fixture notes). Mask 0 is a plain query.
 */
export interface ClockControlRequest {
  presence: number;
  clockSource: number;
  preferredLeader: boolean;
}

export function decodeClockControlRequest(content: Uint8Array): ClockControlRequest {
  if (content.length === 0) return { presence: 0, clockSource: 0, preferredLeader: false };
  return {
    presence: u16(content, 0, 'presence'),
    clockSource: u16(content, 2, 'clock source'),
    preferredLeader: u8(content, 4, 'preferred leader') === 1,
  };
}

/** 0x0013: 8 zero bytes probe; DHCP/static setters start `01 1c` (§4.5). */
export function isInterfaceProbe(content: Uint8Array): boolean {
  return content.every((b) => b === 0);
}
