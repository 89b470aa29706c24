// The deterministic test signal (`--tx-source pattern`): every sample is a documented function of
// its channel and media time, so any receiver can check what it got without knowing when the
// stream started.
//
//   patternSample(channel, t, bits) = fmix32(lo(t) ^ fmix32(hi(t) + 0x9e3779b9 * channel)) with the
//   low (32 - bits) bits cleared, as a signed 32-bit sample,
//
// where channel is the 1-based TX channel number, t the media time in samples, lo/hi its low and
// high 32 bits, and fmix32 MurmurHash3's finaliser. Clearing the low bits makes the signal exact at
// a wire depth of `bits` (no dither is ever needed), so a 24-bit stream checks bit for bit.

const TWO_32 = 4294967296;

/** MurmurHash3 fmix32: a cheap bijective 32-bit mixer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mask keeping the top `bits` of a 32-bit sample. */
export function sampleMask(bits: number): number {
  return bits >= 32 ? -1 : ~((1 << (32 - bits)) - 1);
}

export function patternSample(channel: number, mediaTime: number, bits = 24): number {
  const lo = mediaTime % TWO_32;
  const hi = (mediaTime - lo) / TWO_32;
  const seed = fmix32((hi + Math.imul(0x9e3779b9, channel)) >>> 0);
  return (fmix32((lo ^ seed) >>> 0) & sampleMask(bits)) | 0;
}

/**
 * Fills `out[i] = patternSample(channel, start + i, bits)`. The transmit worker's hot path with
 * `--tx-source pattern`: the seed depends only on hi(t), so it is mixed once per run of equal hi.
 */
export function fillPattern(out: Int32Array, channel: number, start: number, bits = 24, offset = 0, count = out.length - offset): void {
  const mask = sampleMask(bits);
  let i = 0;
  while (i < count) {
    const t = start + i;
    const lo = t % TWO_32;
    const hi = (t - lo) / TWO_32;
    const seed = fmix32((hi + Math.imul(0x9e3779b9, channel)) >>> 0);
    // Samples up to the next change of hi(t) share the seed.
    const end = Math.min(count, i + (TWO_32 - lo));
    for (let k = lo - i; i < end; i++) out[offset + i] = (fmix32(((k + i) ^ seed) >>> 0) & mask) | 0;
  }
}

/** Index of the first sample that differs from the pattern, or -1. */
export function checkPattern(samples: Int32Array, channel: number, start: number, bits = 24, offset = 0, count = samples.length - offset): number {
  for (let i = 0; i < count; i++) {
    if (samples[offset + i] !== patternSample(channel, start + i, bits)) return i;
  }
  return -1;
}
