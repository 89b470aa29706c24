// Transmit sample conversion from Inferno's signed 32-bit full-scale format to the wire width
// (PROTOCOL.md §6.2). Hot path: no allocation, no Math.random.

/** Source of uniform 32-bit random numbers, injectable for deterministic tests. */
export interface RandomSource {
  /** Uniform in [0, 2^32). */
  next(): number;
}

/** Marsaglia xorshift32: tiny state, plenty for dither noise. */
export class Xorshift32 implements RandomSource {
  // A typed array, not a number field: storing a uint32 above 2^30 in a field boxes it per call.
  private readonly state = new Uint32Array(1);

  constructor(seed = 0x9e3779b9) {
    // Zero is the generator's fixed point.
    this.state[0] = seed >>> 0 || 0x9e3779b9;
  }

  next(): number {
    let x = this.state[0]!;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state[0] = x;
    return this.state[0]!;
  }
}

export type WireBits = 16 | 24 | 32;
export type SourceBits = 16 | 24 | 32;

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/**
 * Converts one 32-bit sample to a `wireBits` value (right-aligned, signed). When the source carries
 * no more significant bits than the wire, the top bytes are taken unchanged (bit-exact); only when
 * it carries more is TPDF dither (difference of two uniform values spanning one output LSB) plus
 * half an LSB added, with saturation (§6.2, v0.5 TX_SOURCE_BIT_DEPTH).
 */
export class TxSampleConverter {
  readonly sourceBits: SourceBits;
  private readonly random: RandomSource;

  constructor(sourceBits: SourceBits = 32, random: RandomSource = new Xorshift32()) {
    this.sourceBits = sourceBits;
    this.random = random;
  }

  dithers(wireBits: WireBits): boolean {
    return this.sourceBits > wireBits;
  }

  /** `sample` is a signed 32-bit value; returns the signed wire value (e.g. −2^23…2^23−1 at 24 bits). */
  convert(sample: number, wireBits: WireBits): number {
    const shift = 32 - wireBits;
    if (this.sourceBits <= wireBits || shift === 0) return sample >> shift;
    const lsbBits = shift;
    // Two uniform values in [0, LSB): their difference is triangular over (−LSB, LSB).
    const d = (this.random.next() >>> (32 - lsbBits)) - (this.random.next() >>> (32 - lsbBits));
    let v = sample + d + (1 << (lsbBits - 1));
    if (v > INT32_MAX) v = INT32_MAX;
    else if (v < INT32_MIN) v = INT32_MIN;
    return v >> shift;
  }
}
