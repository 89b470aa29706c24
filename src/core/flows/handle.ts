// The 6-byte flow handle (PROTOCOL.md §5.1): u32 flow number + u16 random cookie.
import { u16, u32 } from '../bytes.js';

export const FLOW_HANDLE_LENGTH = 6;

export interface FlowHandle {
  flowNumber: number;
  cookie: number;
}

export function writeHandle(out: Buffer, off: number, h: FlowHandle): void {
  out.writeUInt32BE(h.flowNumber >>> 0, off);
  out.writeUInt16BE(h.cookie & 0xffff, off + 4);
}

export function readHandle(buf: Uint8Array, off: number): FlowHandle {
  return { flowNumber: u32(buf, off, 'flow number'), cookie: u16(buf, off + 4, 'cookie') };
}
