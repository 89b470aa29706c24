// Mean path delay from E2E samples: a median/MAD gate drops absurd samples, a trimmed mean of the
// recent window smooths jitter. A persistent change (several consistent rejected samples) resets it.
import { median } from './servo.js';

export class DelayFilter {
  private window: number[] = [];
  private rejected: number[] = [];

  constructor(
    private readonly size = 64,
    private readonly floorNs = 100_000,
    private readonly maxDelayNs = 100_000_000,
    private readonly confirm = 4,
  ) {}

  get value(): number | null {
    if (this.window.length === 0) return null;
    const s = [...this.window].sort((a, b) => a - b);
    const cut = Math.floor(s.length / 4);
    const core = s.length >= 8 ? s.slice(cut, s.length - cut) : s;
    return core.reduce((a, b) => a + b, 0) / core.length;
  }

  reset(): void {
    this.window = [];
    this.rejected = [];
  }

  /** Returns whether the sample was used. */
  add(d: number): boolean {
    if (!Number.isFinite(d) || d < 0 || d > this.maxDelayNs) return false;
    if (this.window.length >= 8) {
      const m = median(this.window);
      const mad = median(this.window.map((v) => Math.abs(v - m)));
      if (Math.abs(d - m) > Math.max(this.floorNs, 6 * 1.4826 * mad)) {
        this.rejected.push(d);
        if (this.rejected.length > this.confirm) this.rejected.shift();
        const r = this.rejected;
        if (r.length < this.confirm || Math.max(...r) - Math.min(...r) > this.floorNs) return false;
        this.window = [...r];
        this.rejected = [];
        return true;
      }
    }
    this.rejected = [];
    this.window.push(d);
    if (this.window.length > this.size) this.window.shift();
    return true;
  }
}
