// 0x0080 sample-rate status and 0x0082 encoding status (PROTOCOL.md §4.5): u16 0x0018, u16 k,
// u32 current, u32 second, u16 flag, u16 0, k × u32 supported values. Settled by the LX-DANTE and
// A32 fixtures (§11.15).
import { need, u16, u32 } from '../bytes.js';
import { DecodeError } from '../errors.js';

/** The leading word, 0x0018 in every capture (meaning unknown, not the list offset). */
export const SETTING_STATUS_LEAD_WORD = 0x0018;
/** The value list starts right after u16 flag + u16 0 (LX-DANTE fixture: 16 + 6 × 4 = 40 bytes). */
export const SETTING_STATUS_LIST_OFFSET = 16;
/**
 * §4.5: the second u32 is 0 on LX-DANTE/A32 and the rate again on a Shure; the u16 after it is 2
 * on LX-DANTE/A32 and a 4-rate device, 1 on the Shure. We copy the multi-value devices.
 */
export const SETTING_STATUS_SECOND_VALUE = 0;
export const SETTING_STATUS_FLAG = 2;

export interface SettingStatus {
  current: number;
  second: number;
  flag: number;
  supported: number[];
}

export function statusFor(current: number, supported: readonly number[]): SettingStatus {
  return { current, second: SETTING_STATUS_SECOND_VALUE, flag: SETTING_STATUS_FLAG, supported: [...supported] };
}

export function encodingLength(s: SettingStatus): number {
  return SETTING_STATUS_LIST_OFFSET + 4 * s.supported.length;
}

export function encode(s: SettingStatus): Buffer {
  const out = Buffer.alloc(encodingLength(s));
  out.writeUInt16BE(SETTING_STATUS_LEAD_WORD, 0);
  out.writeUInt16BE(s.supported.length, 2);
  out.writeUInt32BE(s.current >>> 0, 4);
  out.writeUInt32BE(s.second >>> 0, 8);
  out.writeUInt16BE(s.flag & 0xffff, 12);
  s.supported.forEach((v, i) => out.writeUInt32BE(v >>> 0, SETTING_STATUS_LIST_OFFSET + 4 * i));
  return out;
}

export function decode(content: Uint8Array): SettingStatus {
  const lead = u16(content, 0, 'lead word');
  if (lead !== SETTING_STATUS_LEAD_WORD) throw new DecodeError('bad-setting-status', `lead word 0x${lead.toString(16)}`);
  const k = u16(content, 2, 'count');
  need(content, SETTING_STATUS_LIST_OFFSET, 4 * k, 'value list');
  const supported: number[] = [];
  for (let i = 0; i < k; i++) supported.push(u32(content, SETTING_STATUS_LIST_OFFSET + 4 * i));
  return { current: u32(content, 4), second: u32(content, 8), flag: u16(content, 12), supported };
}
