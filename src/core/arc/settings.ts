// 0x1100 settings query, the settings table reply shared with 0x1101, 0x1101 set latency and the
// 0x1102 schema (PROTOCOL.md §3.9).
import { u16, u32 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { ARC_HEADER_LENGTH, type ArcCodec, type ArcMessage, checkedCount, expectHeader, finishPacket, headerFields, startPacket } from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';

/** Setting codes with this bit carry a pointer to a u32 value instead of a u16 value. */
export const POINTER_CODE_BIT = 0x8000;

/** Latency codes, all u32 nanoseconds (§3.9, settled by captures). */
export const SettingCode = {
  DEFAULT_LATENCY: 0x8204,
  LATENCY: 0x8205,
  /** Second latency value, usually equal to 0x8205; DC's 0x1101 writes both. */
  LATENCY_2: 0x8301,
  MAX_LATENCY: 0x8302,
  MIN_LATENCY: 0x8306,
} as const;

/** The 23 codes current DC and netaudio ask for (§3.9). */
export const DC_SETTINGS_CODES: readonly number[] = [
  0x0201, 0x8204, 0x8205, 0x0210, 0x0211, 0x8218, 0x8219, 0x8301, 0x8302, 0x8306, 0x0310, 0x0311,
  0x0303, 0x8021, 0x00f0, 0x8060, 0x0022, 0x0063, 0x0064, 0x0065, 0x0222, 0x0212, 0x8321,
];

/** One (code, value) record; `value` undefined = the device does not support the code. */
export interface SettingRecord {
  code: number;
  value?: number;
}

export interface SettingsRequest extends ArcMessage {
  codes: number[];
}

export const settingsRequest: ArcCodec<SettingsRequest> = {
  encode(m) {
    const w = startPacket(m, ArcOpcode.SETTINGS, ArcStatus.REQUEST, 64).u16(m.codes.length);
    for (const c of m.codes) w.u16(c);
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.SETTINGS);
    const n = checkedCount(buf, u16(buf, 10, 'code count'), 12, 2, 'setting code');
    const codes: number[] = [];
    for (let i = 0; i < n; i++) codes.push(u16(buf, 12 + 2 * i));
    return { ...headerFields(h), codes };
  },
  encodingLength(m) {
    return 12 + 2 * m.codes.length;
  },
};

function valueBytes(r: SettingRecord): number {
  return r.value !== undefined && r.code & POINTER_CODE_BIT ? 4 : 0;
}

/** Reads `n` records from `at`; pointer codes are followed to their u32. */
function readRecords(buf: Uint8Array, at: number, n: number): SettingRecord[] {
  checkedCount(buf, n, at, 4, 'setting');
  const out: SettingRecord[] = [];
  for (let i = 0; i < n; i++) {
    const a = u16(buf, at + 4 * i);
    const b = u16(buf, at + 4 * i + 2);
    if (a === 0) out.push({ code: b });
    else if (a & POINTER_CODE_BIT) {
      if (b < ARC_HEADER_LENGTH) throw new DecodeError('bad-pointer', `setting 0x${a.toString(16)} pointer ${b}`);
      out.push({ code: a, value: u32(buf, b, `setting 0x${a.toString(16)}`) });
    } else out.push({ code: a, value: b });
  }
  return out;
}

export interface SettingsTable extends ArcMessage {
  records: SettingRecord[];
}

/**
 * The table devices answer 0x1100 and 0x1101 with: byte 10 = field count, 11 = record count (equal
 * on every device), records in request order, then the u32 values in record order.
 */
export function settingsTableCodec(opcode: number): ArcCodec<SettingsTable> {
  return {
    encode(m) {
      if (m.records.length > 0xff) throw new RangeError('at most 255 settings per reply');
      const w = startPacket(m, opcode, ArcStatus.OK, 160).u8(m.records.length).u8(m.records.length);
      let ptr = 12 + 4 * m.records.length;
      for (const r of m.records) {
        if (r.value === undefined) w.u16(0).u16(r.code);
        else if (r.code & POINTER_CODE_BIT) {
          w.u16(r.code).u16(ptr);
          ptr += 4;
        } else w.u16(r.code).u16(r.value);
      }
      for (const r of m.records) if (valueBytes(r)) w.u32(r.value!);
      return finishPacket(w);
    },
    decode(buf) {
      const h = expectHeader(buf, opcode);
      if (buf.length === ARC_HEADER_LENGTH) return { ...headerFields(h), records: [] };
      return { ...headerFields(h), records: readRecords(buf, 12, u16(buf, 10) & 0xff) };
    },
    encodingLength(m) {
      return m.records.reduce((n, r) => n + 4 + valueBytes(r), 12);
    },
  };
}

export const settingsReply = settingsTableCodec(ArcOpcode.SETTINGS);
export const setLatencyReply = settingsTableCodec(ArcOpcode.SET_LATENCY);

/** Byte 10 of 0x1101 requests (DC and netaudio), meaning unknown (§3.9). */
export const SET_SETTINGS_KIND = 0x05;
/** 0x1101 requests keep a record area of 4 slots (DC fills 3, netaudio 4), §3.9. */
const SET_RECORD_SLOTS = 4;
/** Words after the record area of captured 0x1101 requests, meaning unknown (§3.9, §11 item 17). */
const SET_LATENCY_TRAILER = [SettingCode.MAX_LATENCY, SettingCode.MIN_LATENCY] as const;
/** DC's value for code 0x0211 when it sets 1 ms (0x0020 for 5 ms); meaning unknown (§3.9). */
export const DC_CODE_0211_VALUE = 0x0010;

export interface SetLatencyRequest extends ArcMessage {
  records: SettingRecord[];
}

export const setLatencyRequest: ArcCodec<SetLatencyRequest> = {
  encode(m) {
    const slots = Math.max(SET_RECORD_SLOTS, m.records.length);
    if (slots > 0xff) throw new RangeError('at most 255 settings per request');
    const w = startPacket(m, ArcOpcode.SET_LATENCY, ArcStatus.REQUEST, 48).u8(SET_SETTINGS_KIND).u8(m.records.length);
    let ptr = 12 + 4 * slots + 2 * SET_LATENCY_TRAILER.length;
    for (const r of m.records) {
      if (r.value === undefined) w.u16(0).u16(r.code);
      else if (r.code & POINTER_CODE_BIT) {
        w.u16(r.code).u16(ptr);
        ptr += 4;
      } else w.u16(r.code).u16(r.value);
    }
    w.zeros(4 * (slots - m.records.length));
    for (const c of SET_LATENCY_TRAILER) w.u16(c);
    for (const r of m.records) if (valueBytes(r)) w.u32(r.value!);
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.SET_LATENCY);
    const n = u16(buf, 10, 'record count') & 0xff;
    return { ...headerFields(h), records: readRecords(buf, 12, n) };
  },
  encodingLength(m) {
    const slots = Math.max(SET_RECORD_SLOTS, m.records.length);
    return m.records.reduce((n, r) => n + valueBytes(r), 12 + 4 * slots + 2 * SET_LATENCY_TRAILER.length);
  },
};

/** The latency values of a settings table, in ns (absent when the device did not report them). */
export interface LatencyReport {
  defaultNs?: number;
  currentNs?: number;
  secondNs?: number;
  maxNs?: number;
  minNs?: number;
}

export function latencyFromSettings(records: readonly SettingRecord[]): LatencyReport {
  const get = (code: number): number | undefined => records.find((r) => r.code === code)?.value;
  const out: LatencyReport = {};
  const put = (k: keyof LatencyReport, code: number): void => {
    const v = get(code);
    if (v !== undefined) out[k] = v;
  };
  put('defaultNs', SettingCode.DEFAULT_LATENCY);
  put('currentNs', SettingCode.LATENCY);
  put('secondNs', SettingCode.LATENCY_2);
  put('maxNs', SettingCode.MAX_LATENCY);
  put('minNs', SettingCode.MIN_LATENCY);
  return out;
}

/** 0x1102 schema flags (guess from legopc's kept reply, §3.9: 3 = writable, 1 = read-only). */
export const SchemaFlag = { READ_ONLY: 1, WRITABLE: 3 } as const;

export interface SchemaEntry {
  code: number;
  flags: number;
}

export interface SettingsSchemaReply extends ArcMessage {
  entries: SchemaEntry[];
}

/** 0x1102 reply: u16 count, then (u16 code, u16 flags) per entry. */
export const settingsSchemaReply: ArcCodec<SettingsSchemaReply> = {
  encode(m) {
    const w = startPacket(m, ArcOpcode.SETTINGS_SCHEMA, ArcStatus.OK, 128).u16(m.entries.length);
    for (const e of m.entries) w.u16(e.code).u16(e.flags);
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.SETTINGS_SCHEMA);
    const n = checkedCount(buf, u16(buf, 10, 'entry count'), 12, 4, 'schema');
    const entries: SchemaEntry[] = [];
    for (let i = 0; i < n; i++) entries.push({ code: u16(buf, 12 + 4 * i), flags: u16(buf, 14 + 4 * i) });
    return { ...headerFields(h), entries };
  },
  encodingLength(m) {
    return 12 + 4 * m.entries.length;
  },
};
