// `--clock usrvclock[:PATH]`: follow the overlay a PTP daemon pushes over a Unix datagram socket
// (PROTOCOL.md §7.1). We subscribe, decode each 40-byte frame, and republish it over CLOCK_TAI.
// Servers forget clients whose send fails and restart without telling anyone, so a silent server
// gets a fresh subscribe every second until frames flow again.
import { tmpdir } from 'node:os';
import { ClockState } from '../core/clock-overlay.js';
import { DecodeError } from '../core/errors.js';
import { decode, isValid, overlayTimeNs, type UsrvclockFrame } from '../core/usrvclock.js';
import type { Logger } from '../log.js';
import type { NativeTimer, UsrvclockClient } from '../native/index.js';
import type { OverlayPublisher } from './publisher.js';
import type { ClockRunner, ClockStatus } from './source.js';
import type { Timebase } from './timebase.js';

/** The usrvclock crate's default server path, as third-party notes report it (PROTOCOL.md §7.1). */
export const DEFAULT_USRVCLOCK_PATH = '/tmp/ptp-usrvclock';
/** Servers push at least every second (the C stub) or on every adjustment (Statime). */
export const USRVCLOCK_SILENCE_MS = 3000;
const RESUBSCRIBE_MS = 1000;
const RECV_SLICE_MS = 100;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface UsrvclockClockOptions {
  native: NativeTimer;
  timebase: Timebase;
  publisher: OverlayPublisher;
  log: Logger;
  serverPath: string;
  /** Where our own socket file goes (default TMPDIR). */
  clientDir?: string;
}

export class UsrvclockClock implements ClockRunner {
  private stopped = false;
  private client: UsrvclockClient | null = null;
  private lastFrame: UsrvclockFrame | null = null;
  private lastFrameAt = 0;
  private lastError: string | undefined;
  private readonly count: Record<string, number> = { frames: 0, subscribes: 0 };

  constructor(private readonly o: UsrvclockClockOptions) {}

  async run(): Promise<void> {
    this.client = this.o.native.usrvclockOpen(this.o.serverPath, this.o.clientDir ?? tmpdir());
    let lastSubscribe = -Infinity;
    try {
      while (!this.stopped) {
        const now = Date.now();
        const silent = now - this.lastFrameAt > USRVCLOCK_SILENCE_MS;
        if ((this.lastFrameAt === 0 || silent) && now - lastSubscribe >= RESUBSCRIBE_MS) {
          lastSubscribe = now;
          this.subscribe();
          if (silent && this.lastFrame) this.holdover();
        }
        const buf = this.client.recv(RECV_SLICE_MS);
        await turn();
        if (buf) this.onFrame(buf);
      }
    } finally {
      this.client.close();
    }
  }

  private subscribe(): void {
    this.count.subscribes!++;
    const r = this.client!.subscribe();
    if (!r.ok && this.lastError !== r.message) {
      this.lastError = r.message;
      this.o.log.warn('usrvclock server not reachable', { path: this.o.serverPath, error: r.errno });
    }
  }

  private onFrame(buf: Buffer): void {
    let f: UsrvclockFrame;
    try {
      f = decode(buf);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.count[`drop-${err.reason}`] = (this.count[`drop-${err.reason}`] ?? 0) + 1;
      return;
    }
    this.count.frames!++;
    if (this.lastFrameAt === 0 || Date.now() - this.lastFrameAt > USRVCLOCK_SILENCE_MS) this.o.log.info('usrvclock frames flowing', { path: this.o.serverPath });
    this.lastFrameAt = Date.now();
    this.lastError = undefined;
    if (!isValid(f)) {
      if (!this.lastFrame) this.publishLocal();
      else this.holdover();
      return;
    }
    this.lastFrame = f;
    this.publish(f, ClockState.Locked);
  }

  /** Re-anchors the frame's overlay on CLOCK_TAI now (the clocks differ by a constant offset). */
  private publish(f: UsrvclockFrame, state: ClockState): void {
    const n = this.o.native;
    const c = n.clockNs(Number(f.clockId));
    const u = this.o.timebase.realNow();
    this.o.publisher.publish({ lastSyncNs: u, shiftNs: overlayTimeNs(f, c) - u, freqScale: f.freqScale }, state, null);
  }

  private holdover(): void {
    if (this.lastFrame) this.publish(this.lastFrame, ClockState.Holdover);
  }

  private publishLocal(): void {
    this.o.publisher.publish({ lastSyncNs: this.o.timebase.realNow(), shiftNs: 0n, freqScale: 0 }, ClockState.FreeRunning, null);
  }

  stop(): void {
    this.stopped = true;
  }

  status(): ClockStatus {
    return { ...this.o.publisher.externalStatus('usrvclock', this.o.serverPath), ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  counters(): Record<string, number> {
    return { ...this.count, publications: this.o.publisher.publications };
  }
}
