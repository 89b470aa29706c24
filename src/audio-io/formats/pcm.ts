// Interleaved 32-bit samples to little-endian PCM of 16, 24 or 32 bits. 16 and 24 keep the top
// bytes (truncation, no dither): Dante's 24-bit streams arrive left-aligned in 32 bits with a zero
// low byte, so 24-bit files are bit-exact, and truncation never invents values.

export type PcmBits = 16 | 24 | 32;

export function isPcmBits(n: number): n is PcmBits {
  return n === 16 || n === 24 || n === 32;
}

/** Encodes `samples` values of `src` into `out` (at least samples × bits/8 bytes); returns bytes. */
export function encodePcm(src: Int32Array, samples: number, bits: PcmBits, out: Uint8Array): number {
  let o = 0;
  if (bits === 32) {
    for (let i = 0; i < samples; i++) {
      const v = src[i]!;
      out[o++] = v;
      out[o++] = v >> 8;
      out[o++] = v >> 16;
      out[o++] = v >> 24;
    }
  } else if (bits === 24) {
    for (let i = 0; i < samples; i++) {
      const v = src[i]!;
      out[o++] = v >> 8;
      out[o++] = v >> 16;
      out[o++] = v >> 24;
    }
  } else {
    for (let i = 0; i < samples; i++) {
      const v = src[i]!;
      out[o++] = v >> 16;
      out[o++] = v >> 24;
    }
  }
  return o;
}

/** The inverse (for tests and readers): PCM bytes back to left-aligned 32-bit samples. */
export function decodePcm(bytes: Uint8Array, bits: PcmBits): Int32Array {
  const step = bits / 8;
  const out = new Int32Array(Math.floor(bytes.length / step));
  for (let i = 0, o = 0; i < out.length; i++, o += step) {
    let v = 0;
    for (let b = 0; b < step; b++) v |= bytes[o + b]! << (32 - bits + 8 * b);
    out[i] = v;
  }
  return out;
}
