// The 16-byte audio format descriptor shared by 0x2000 and 0x3000 replies (PROTOCOL.md §3.5).
import { PacketWriter, u16, u32, u8 } from '../bytes.js';

export const FORMAT_DESCRIPTOR_LENGTH = 16;

/** PCM type Inferno writes (devices 0x04; AVIO-AES3 0x0E), §3.5. */
export const INFERNO_PCM_TYPE = 0x0e;

/**
 * Unexplained constant words of the descriptor (§3.5, §11 item 1): u8 1, u8 1 before the first
 * bit-depth word and 0x0400 after it.
 */
const FORMAT_BYTE_4 = 0x01;
const FORMAT_BYTE_5 = 0x01;
const FORMAT_WORD_8 = 0x0400;

export interface FormatDescriptor {
  sampleRate: number;
  bitDepth: number;
  pcmType: number;
}

export function encodeFormat(w: PacketWriter, f: FormatDescriptor): void {
  w.u32(f.sampleRate).u8(FORMAT_BYTE_4).u8(FORMAT_BYTE_5).u16(f.bitDepth).u16(FORMAT_WORD_8);
  w.u16(f.bitDepth).u16(f.bitDepth).u16(f.pcmType);
}

export function decodeFormat(buf: Uint8Array, off: number): FormatDescriptor {
  u8(buf, off + FORMAT_DESCRIPTOR_LENGTH - 1, 'format descriptor');
  return { sampleRate: u32(buf, off), bitDepth: u16(buf, off + 6), pcmType: u16(buf, off + 14) };
}

/** Decodes descriptors behind pointers, once per distinct pointer (devices may use several). */
export class FormatCache {
  private readonly seen = new Map<number, FormatDescriptor>();
  constructor(private readonly buf: Uint8Array) {}
  at(ptr: number): FormatDescriptor {
    let f = this.seen.get(ptr);
    if (!f) {
      f = decodeFormat(this.buf, ptr);
      this.seen.set(ptr, f);
    }
    return f;
  }
}

function sameFormat(a: FormatDescriptor, b: FormatDescriptor): boolean {
  return a.sampleRate === b.sampleRate && a.bitDepth === b.bitDepth && a.pcmType === b.pcmType;
}

/** Writes each distinct descriptor once, at the writer's offset; returns each input's pointer. */
export function writeFormats(w: PacketWriter, formats: readonly FormatDescriptor[]): number[] {
  const seen: { f: FormatDescriptor; ptr: number }[] = [];
  return formats.map((f) => {
    const hit = seen.find((x) => sameFormat(x.f, f));
    if (hit) return hit.ptr;
    const ptr = w.offset;
    encodeFormat(w, f);
    seen.push({ f, ptr });
    return ptr;
  });
}

/** Bytes `writeFormats` adds for these descriptors. */
export function formatsLength(formats: readonly FormatDescriptor[]): number {
  const distinct: FormatDescriptor[] = [];
  for (const f of formats) if (!distinct.some((d) => sameFormat(d, f))) distinct.push(f);
  return distinct.length * FORMAT_DESCRIPTOR_LENGTH;
}
