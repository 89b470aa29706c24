// Publishes a clock source's overlay (over the real CLOCK_TAI) into the shared buffer the audio
// workers read. A discontinuity between the previous and the new overlay is a step: the step
// generation is bumped so audio workers re-align; anything continuous (rate changes, re-anchoring)
// is a slew and leaves the generation alone.
import { ClockOverlayWriter, ClockState, CLOCK_TAI } from '../core/clock-overlay.js';
import type { SampleRate } from '../core/media-time.js';
import { Overlay, type OverlayParams } from '../core/ptp/overlay.js';
import { STATE_NAMES, type ClockStatus } from './source.js';

/** Name of the overlay buffer in WorkerInit.shared: created by DeviceEngine, written by the clock
 *  worker, read by every other worker (ClockOverlayReader). */
export const CLOCK_OVERLAY_SHARED = 'clock';

/** Jumps at or below this are rounding from re-anchoring, not steps. */
export const STEP_DETECT_NS = 2;

export interface PublishedOverlay extends OverlayParams {
  state: ClockState;
  leaderId: string | null;
  stepped: boolean;
  /** Overlay jump at the new anchor, ns (0 when continuous). */
  jumpNs: number;
  stepGeneration: number;
}

export class OverlayPublisher {
  private last: (OverlayParams & { state: ClockState; leaderId: string | null }) | null = null;
  stepGeneration = 0;
  publications = 0;

  constructor(
    private readonly writer: ClockOverlayWriter | null,
    private readonly sampleRate: SampleRate,
    private readonly onPublish?: (p: PublishedOverlay) => void,
  ) {}

  /** The most recent publication, or null. */
  current(): (OverlayParams & { state: ClockState; leaderId: string | null }) | null {
    return this.last;
  }

  /** Status of a source that follows an overlay made elsewhere (usrvclock, PHC): no PTP fields. */
  externalStatus(source: 'usrvclock' | 'phc', path: string): ClockStatus {
    const cur = this.last;
    return {
      source,
      path,
      state: cur ? STATE_NAMES[cur.state] : 'none',
      leaderId: null,
      offsetNs: 0,
      meanPathDelayNs: null,
      freqPpb: cur ? cur.freqScale * 1e9 : 0,
      timestampKind: null,
      stepGeneration: this.stepGeneration,
    };
  }

  publish(p: OverlayParams, state: ClockState, leaderId: string | null): void {
    const prev = this.last;
    if (
      prev && prev.state === state && prev.leaderId === leaderId && prev.lastSyncNs === p.lastSyncNs &&
      prev.shiftNs === p.shiftNs && prev.freqScale === p.freqScale
    ) return;
    let jumpNs = 0;
    if (prev) jumpNs = Number(new Overlay(p).read(p.lastSyncNs) - new Overlay(prev).read(p.lastSyncNs));
    const stepped = prev !== null && Math.abs(jumpNs) > STEP_DETECT_NS;
    if (stepped) this.stepGeneration++;
    this.publications++;
    this.last = { ...p, state, leaderId };
    this.writer?.publish(
      {
        clockId: CLOCK_TAI,
        state,
        sampleRate: this.sampleRate,
        lastSync: p.lastSyncNs,
        shift: p.shiftNs,
        freqScale: p.freqScale,
        leaderId: leaderBytes(leaderId),
      },
      stepped,
    );
    this.onPublish?.({ ...p, state, leaderId, stepped, jumpNs: stepped ? jumpNs : 0, stepGeneration: this.stepGeneration });
  }
}

/** A hex identity as the 8 bytes the overlay record carries (v1 6-byte UUIDs are zero-padded). */
export function leaderBytes(hex: string | null): Uint8Array {
  const out = new Uint8Array(8);
  if (!hex || !/^[0-9a-f]+$/i.test(hex)) return out;
  const b = Buffer.from(hex.slice(0, 16), 'hex');
  out.set(b.subarray(0, 8));
  return out;
}
