// 0x0011 interface info, 64 content bytes (PROTOCOL.md §4.3, v0.5), answered to 0x0013.
import { need, u16 } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { ipv4Bytes, ipv4String } from '../ipv4.js';

export const INTERFACE_INFO_LENGTH = 64;
/** v0.5's constant words around the addresses (meaning unknown, §11.1). */
const LEAD_WORD = 0x0001;
const TRAILER = [0x0018, 0x0030] as const;

export interface InterfaceInfo {
  /** Link speed in Mbit/s. */
  linkSpeedMbps: number;
  /** 6 bytes. */
  mac: Uint8Array;
  ip: string;
  netmask: string;
  gateway: string;
  /** v0.5 repeats the gateway here. */
  dns: string;
}

export function encodingLength(): number {
  return INTERFACE_INFO_LENGTH;
}

export function encode(info: InterfaceInfo): Buffer {
  if (info.mac.length !== 6) throw new RangeError('MAC must be 6 bytes');
  const out = Buffer.alloc(INTERFACE_INFO_LENGTH);
  out.writeUInt16BE(LEAD_WORD, 0);
  out.writeUInt16BE(info.linkSpeedMbps & 0xffff, 6);
  out.writeUInt16BE(1, 8);
  out.set(info.mac, 10);
  out.set(ipv4Bytes(info.ip), 16);
  out.set(ipv4Bytes(info.netmask), 20);
  out.set(ipv4Bytes(info.gateway), 24);
  out.set(ipv4Bytes(info.dns), 28);
  out.writeUInt16BE(TRAILER[0], 32);
  out.writeUInt16BE(TRAILER[1], 34);
  return out;
}

export function decode(content: Uint8Array): InterfaceInfo {
  if (content.length < 36) throw new DecodeError('truncated', `interface info ${content.length} bytes`);
  need(content, 10, 6, 'MAC');
  return {
    linkSpeedMbps: u16(content, 6),
    mac: Uint8Array.from(content.subarray(10, 16)),
    ip: ipv4String(content, 16),
    netmask: ipv4String(content, 20),
    gateway: ipv4String(content, 24),
    dns: ipv4String(content, 28),
  };
}
