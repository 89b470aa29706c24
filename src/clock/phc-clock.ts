// `--clock phc:/dev/ptpN`: a PTP hardware clock a daemon disciplines (ptp4l, Statime) is the media
// clock. We read it bracketed by CLOCK_TAI, fit offset and rate over the last readings, and publish
// that as the overlay. Read-only: the device is never adjusted.
import { ClockState } from '../core/clock-overlay.js';
import type { Logger } from '../log.js';
import type { NativeTimer, PhcReader } from '../native/index.js';
import type { OverlayPublisher } from './publisher.js';
import type { ClockRunner, ClockStatus } from './source.js';
import type { Timebase } from './timebase.js';

const READ_INTERVAL_MS = 250;
/** Readings whose CLOCK_TAI bracket is wider than this were preempted; they are dropped. */
export const PHC_MAX_BRACKET_NS = 50_000;
/** Readings in the rate fit (2 s). */
const FIT_WINDOW = 8;
/** A residual beyond this means the daemon stepped the PHC: restart the fit. */
export const PHC_STEP_NS = 1_000_000;

export interface PhcClockOptions {
  native: NativeTimer;
  timebase: Timebase;
  publisher: OverlayPublisher;
  log: Logger;
  devicePath: string;
}

export class PhcClock implements ClockRunner {
  private readonly reader: PhcReader;
  private stopped = false;
  private wake: (() => void) | null = null;
  private readonly pts: { u: bigint; x: number }[] = [];
  private base: bigint | null = null;
  private readonly count: Record<string, number> = { reads: 0, 'drop-preempted': 0 };

  constructor(private readonly o: PhcClockOptions) {
    try {
      this.reader = o.native.phcOpen(o.devicePath);
    } catch (err) {
      throw new Error(`cannot open PTP hardware clock ${o.devicePath}: ${(err as Error).message}`);
    }
  }

  async run(): Promise<void> {
    try {
      while (!this.stopped) {
        this.sample();
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, READ_INTERVAL_MS);
        });
      }
    } finally {
      this.reader.close();
    }
  }

  private sample(): void {
    const r = this.reader.read();
    this.count.reads!++;
    if (r.after - r.before > BigInt(PHC_MAX_BRACKET_NS)) {
      this.count['drop-preempted']!++;
      return;
    }
    const u = r.before + (r.after - r.before) / 2n;
    const off = r.phc - u;
    this.base ??= off;
    const x = Number(off - this.base);
    const fit = this.fit();
    if (fit && Math.abs(x - (fit.x0 + fit.slope * Number(u - fit.u0))) > PHC_STEP_NS) {
      this.o.log.info('PHC stepped', { path: this.o.devicePath });
      this.pts.length = 0;
      this.base = off;
    }
    this.pts.push({ u, x: Number(off - this.base) });
    if (this.pts.length > FIT_WINDOW) this.pts.shift();
    const f = this.fit() ?? { u0: u, x0: Number(off - this.base), slope: 0 };
    const shift = this.base + BigInt(Math.round(f.x0 + f.slope * Number(u - f.u0)));
    this.o.publisher.publish({ lastSyncNs: u, shiftNs: shift, freqScale: f.slope }, ClockState.Locked, null);
  }

  /** Least-squares line through the readings: offset x0 at u0 and slope (ns per ns). */
  private fit(): { u0: bigint; x0: number; slope: number } | null {
    const n = this.pts.length;
    if (n < 2) return null;
    const u0 = this.pts[n - 1]!.u;
    const ts = this.pts.map((p) => Number(p.u - u0));
    const tm = ts.reduce((a, b) => a + b, 0) / n;
    const xm = this.pts.reduce((a, p) => a + p.x, 0) / n;
    let num = 0;
    let den = 0;
    this.pts.forEach((p, i) => {
      num += (ts[i]! - tm) * (p.x - xm);
      den += (ts[i]! - tm) ** 2;
    });
    const slope = den > 0 ? num / den : 0;
    return { u0, x0: xm - slope * tm, slope };
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  status(): ClockStatus {
    return this.o.publisher.externalStatus('phc', this.o.devicePath);
  }

  counters(): Record<string, number> {
    return { ...this.count, publications: this.o.publisher.publications };
  }
}
