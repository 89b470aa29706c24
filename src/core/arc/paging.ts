// Paged list requests and the page arithmetic shared by 0x2000, 0x2010, 0x3000, 0x2200 and 0x3200
// (PROTOCOL.md §3.5).
import { u16 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { ARC_HEADER_LENGTH, type ArcCodec, type ArcMessage, expectHeader, finishPacket, headerFields, startPacket } from './header.js';
import { ArcStatus } from './constants.js';

/** Channel lists: at most this many records per page (v0.5; LX-DANTE pages 0x2000 by 32). */
export const CHANNEL_PAGE_CAPACITY = 32;
/** Flow lists: capacity byte and page size (v0.5, §3.12). */
export const FLOW_PAGE_CAPACITY = 16;
/**
 * A page stops before the record that would take the reply past this many bytes (v0.5 uses 800
 * with a crossing record, FTS 1400; we keep every reply inside one Ethernet frame), §3.5.
 */
export const PAGE_BYTE_LIMIT = 1400;
/** Bytes 10–11 of a list request: 0x0001 from netaudio and DC, ignored (§3.5). */
export const PAGE_REQUEST_WORD = 0x0001;
/** Bytes 14–15 when no maximum count is given (§3.5: 0 in 0x2000/0x3000 requests). */
export const NO_MAX_COUNT = 0;

export interface PageRequest extends ArcMessage {
  /** First item, 1-based (bytes 12–13). */
  start: number;
  /** DC's maximum count in 0x2010 requests (bytes 14–15), 0 otherwise. */
  maxCount: number;
}

/** The request codec is the same for every paged opcode. */
export function pageRequestCodec(opcode: number): ArcCodec<PageRequest> {
  return {
    encode(msg) {
      const w = startPacket(msg, opcode, ArcStatus.REQUEST, 16);
      w.u16(PAGE_REQUEST_WORD).u16(msg.start).u16(msg.maxCount);
      return finishPacket(w);
    },
    decode(buf) {
      const h = expectHeader(buf, opcode);
      // "Start index 0 or missing" (§3.5) is a valid request answered with NOTHING.
      const start = buf.length >= 14 ? u16(buf, 12) : 0;
      const maxCount = buf.length >= 16 ? u16(buf, 14) : NO_MAX_COUNT;
      return { ...headerFields(h), start, maxCount };
    },
    encodingLength() {
      return ARC_HEADER_LENGTH + 6;
    },
  };
}

export interface Page<T> {
  items: T[];
  /** Byte 10 of the reply: records the record area is sized for. */
  capacity: number;
  status: number;
}

/**
 * Picks the items for a page. `from` is the 0-based index of the first item; `cost(item)` is the
 * bytes an item adds to the reply and `base` the reply bytes before any item.
 */
export function selectPage<T>(
  all: readonly T[],
  from: number,
  capacity: number,
  base: number,
  cost: (item: T) => number,
): { items: T[]; more: boolean } {
  const items: T[] = [];
  let size = base;
  let i = from;
  for (; i < all.length && items.length < capacity; i++) {
    const c = cost(all[i]!);
    if (items.length > 0 && size + c > PAGE_BYTE_LIMIT) break;
    size += c;
    items.push(all[i]!);
  }
  return { items, more: i < all.length };
}

export function pageStatus(more: boolean): number {
  return more ? ArcStatus.MORE_PAGES : ArcStatus.OK;
}

/** List replies without content (status NOTHING) decode to an empty page; anything else needs 12 bytes. */
export function listHead(buf: Uint8Array): { capacity: number; count: number } | undefined {
  if (buf.length === ARC_HEADER_LENGTH) return undefined;
  if (buf.length < 12) throw new DecodeError('truncated', 'list reply without count bytes');
  return { capacity: buf[10]!, count: buf[11]! };
}

/** Page records must fit the u8 count and capacity bytes. */
export function checkCapacity(capacity: number, n: number): void {
  if (n > 0xff || capacity > 0xff || capacity < n) throw new RangeError(`bad page: ${n} records, capacity ${capacity}`);
}
