// TXT record strings (RFC 6763 §6) as Dante uses them: an ORDERED list where order and
// duplicate empty strings matter (§2.4), `key=value` or a bare `key` (e.g. `default`).
// Integer values may be decimal or 0x-prefixed hex (§2.2).
import { DecodeError } from '../errors.js';

/** One TXT string: `[key, value]`, `[key, null]` for a bare key, or `['', null]` for an empty string. */
export type TxtEntry = readonly [key: string, value: string | null];

/** Encodes entries to the wire strings, in order. */
export function encodeTxt(entries: readonly TxtEntry[]): Buffer[] {
  return entries.map(([k, v]) => {
    const b = Buffer.from(v === null ? k : `${k}=${v}`, 'utf8');
    if (b.length > 255) throw new RangeError(`TXT string longer than 255 bytes: ${k}`);
    return b;
  });
}

/** Decodes wire strings to entries, keeping order; the key ends at the first '='. */
export function decodeTxt(strings: readonly (Buffer | Uint8Array | string)[]): TxtEntry[] {
  return strings.map((s) => {
    const text = typeof s === 'string' ? s : Buffer.from(s).toString('utf8');
    const eq = text.indexOf('=');
    return eq < 0 ? ([text, null] as const) : ([text.slice(0, eq), text.slice(eq + 1)] as const);
  });
}

/** Key → value of the FIRST occurrence (RFC 6763 §6.4), keys compared case-insensitively. */
export function txtMap(entries: readonly TxtEntry[]): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const [k, v] of entries) {
    if (k === '') continue;
    const key = k.toLowerCase();
    if (!m.has(key)) m.set(key, v);
  }
  return m;
}

/** Parses `48000` or `0x1102`; throws DecodeError('txt-int') otherwise. */
export function parseTxtInt(value: string | null | undefined, key = 'value'): number {
  const v = (value ?? '').trim();
  let n = NaN;
  if (/^0x[0-9a-f]+$/i.test(v)) n = parseInt(v.slice(2), 16);
  else if (/^\d+$/.test(v)) n = parseInt(v, 10);
  if (!Number.isSafeInteger(n)) throw new DecodeError('txt-int', `${key}=${JSON.stringify(value)}`);
  return n;
}

/** Like parseTxtInt but undefined when the key is absent. */
export function optionalTxtInt(m: Map<string, string | null>, key: string): number | undefined {
  return m.has(key) ? parseTxtInt(m.get(key), key) : undefined;
}

/** Human form used by logs and tests: `a=1 | b | ""`. */
export function formatTxt(entries: readonly TxtEntry[]): string {
  return entries.map(([k, v]) => (v === null ? (k === '' ? '""' : k) : `${k}=${v}`)).join(' | ');
}
