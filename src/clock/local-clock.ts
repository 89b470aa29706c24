// `--clock local`: this host's CLOCK_TAI as the media clock, free-running (one-host setups and
// tests). One publication; nothing ever adjusts it.
import { ClockState } from '../core/clock-overlay.js';
import type { OverlayPublisher } from './publisher.js';
import type { ClockRunner, ClockStatus } from './source.js';
import type { Timebase } from './timebase.js';

export class LocalClock implements ClockRunner {
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly timebase: Timebase,
    private readonly publisher: OverlayPublisher,
  ) {}

  async run(): Promise<void> {
    this.publisher.publish({ lastSyncNs: this.timebase.realNow(), shiftNs: 0n, freqScale: 0 }, ClockState.FreeRunning, null);
    while (!this.stopped) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  status(): ClockStatus {
    return {
      source: 'local',
      state: this.publisher.current() ? 'free-running' : 'none',
      leaderId: null,
      offsetNs: 0,
      meanPathDelayNs: null,
      freqPpb: 0,
      timestampKind: null,
      stepGeneration: this.publisher.stepGeneration,
    };
  }

  counters(): Record<string, number> {
    return { publications: this.publisher.publications };
  }
}
