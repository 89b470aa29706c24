// Seeded PRNG for bounded property tests (mulberry32): failures print the seed and replay exactly.

export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform u32. */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive), exact for spans up to 2^53. */
  int(lo: number, hi: number): number {
    const span = hi - lo + 1;
    if (span <= 4294967296) return lo + Math.floor(this.float() * span);
    const r = (this.u32() & 0x1fffff) * 4294967296 + this.u32(); // 53 random bits
    return lo + (r % span);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  chance(p: number): boolean {
    return this.float() < p;
  }
}

/** Seeds for a property test: fixed ones plus one from the environment to explore more. */
export function seeds(count: number): number[] {
  const extra = process.env.RING_PROPERTY_SEED;
  const out = Array.from({ length: count }, (_, i) => 0x9e3779b9 ^ (i * 2654435761));
  if (extra) out.push(Number(extra));
  return out.map((s) => s >>> 0);
}
