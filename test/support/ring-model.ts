// Reference model of the media ring for property tests: the same rules (PROTOCOL.md §6.4 plus the
// counting rules in media-ring.ts) over a Map keyed by full media time, with no slots, no modulo
// and no shared memory, so slot indexing, wrap-around and copying are checked independently.

/** Deterministic, never-zero sample value for (media time, channel). */
export function sampleValue(t: number, ch: number): number {
  const lo = t >>> 0;
  const hi = Math.floor(t / 4294967296) >>> 0;
  return (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(ch + 1, 0xc2b2ae35)) | 1;
}

/** Interleaved packet source: slot k of frame f carries channel map[k]'s value at t + f. */
export function packet(t: number, frames: number, map: readonly number[]): Int32Array {
  const out = new Int32Array(frames * map.length);
  for (let f = 0; f < frames; f++) for (let k = 0; k < map.length; k++) out[f * map.length + k] = sampleValue(t + f, Math.max(0, map[k]!));
  return out;
}

export class RingModel {
  readable = -Infinity;
  writePos = -Infinity;
  validFrom = -Infinity;
  consumed = -Infinity;
  counts = { zeroFilled: 0, holes: 0, late: 0, overrun: 0, skipped: 0 };
  private readonly data = new Map<number, Int32Array>();
  private readonly committed = new Set<number>();
  private ack = false;
  private lastFillEnd = NaN;

  constructor(
    readonly channels: number,
    readonly capacity: number,
    readonly holeFixWait: number,
  ) {}

  write(t: number, frames: number, map: readonly number[], src: Int32Array): number {
    const c = this.consumed;
    if (c !== -Infinity) this.ack = true;
    if (this.writePos === -Infinity) this.readable = this.writePos = this.validFrom = Math.max(t, c);
    if (this.readable < c) {
      this.counts.skipped += c - this.readable;
      this.readable = c;
      if (this.writePos < c) this.writePos = c;
    }
    let start = t;
    let end = t + frames;
    if (start < this.readable) {
      this.counts.late += Math.min(end, this.readable) - start;
      start = Math.min(end, this.readable);
    }
    if (c !== -Infinity && end > c + this.capacity) {
      const cut = Math.min(end - start, end - (c + this.capacity));
      this.counts.overrun += cut;
      end -= cut;
    }
    if (end > start) {
      if (end - this.readable > this.capacity) {
        const nr = end - this.capacity;
        if (nr >= this.writePos) {
          this.counts.skipped += start - this.readable;
          this.readable = this.writePos = this.validFrom = start;
        } else this.zeroFill(nr);
      }
      for (let x = start; x < end; x++) {
        let frame = this.data.get(x);
        if (!frame) this.data.set(x, (frame = new Int32Array(this.channels)));
        for (let k = 0; k < map.length; k++) if (map[k]! >= 0) frame[map[k]!] = src[(x - t) * map.length + k]!;
        this.committed.add(x);
      }
      if (end > this.writePos) this.writePos = end;
    }
    this.advance();
    if (this.writePos - this.readable > this.holeFixWait) this.zeroFill(this.writePos - this.holeFixWait);
    this.prune();
    return Math.max(0, end - start);
  }

  read(t: number, frames: number): { stale: number; valid: number; pending: number; out: Int32Array[] } {
    const end = t + frames;
    let lo = t;
    let hi = t;
    if (this.ack) {
      lo = Math.min(end, Math.max(t, this.consumed, this.validFrom));
      hi = Math.max(lo, Math.min(end, this.readable));
    }
    const out = Array.from({ length: this.channels }, () => new Int32Array(frames));
    for (let x = lo; x < hi; x++) {
      const frame = this.data.get(x);
      if (!frame) throw new Error(`model: readable frame ${x} has no data`);
      for (let ch = 0; ch < this.channels; ch++) out[ch]![x - t] = frame[ch]!;
    }
    if (end > this.consumed) this.consumed = end;
    return { stale: lo - t, valid: hi - lo, pending: end - hi, out };
  }

  private zeroFill(to: number): void {
    let x = this.readable;
    while (x < to) {
      if (this.committed.has(x)) {
        x++;
        continue;
      }
      let e = x + 1;
      while (e < to && !this.committed.has(e)) e++;
      for (let y = x; y < e; y++) {
        this.data.set(y, new Int32Array(this.channels));
        this.committed.add(y);
      }
      this.counts.zeroFilled += e - x;
      if (x !== this.lastFillEnd) this.counts.holes++;
      this.lastFillEnd = e;
      x = e;
    }
    this.readable = to;
    this.advance();
  }

  private advance(): void {
    while (this.readable < this.writePos && this.committed.has(this.readable)) this.readable++;
    if (this.validFrom < this.writePos - this.capacity) this.validFrom = this.writePos - this.capacity;
  }

  private prune(): void {
    if (this.data.size < 4 * this.capacity) return;
    const floor = Math.max(this.consumed, this.validFrom);
    for (const k of this.data.keys()) if (k < floor) this.data.delete(k);
    for (const k of this.committed) if (k < floor) this.committed.delete(k);
  }
}
