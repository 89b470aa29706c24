// The media clock on the main thread: the shared overlay the clock worker publishes, read against
// its underlying clock (the same conversion the audio workers use).
import { ClockOverlayReader } from '../core/clock-overlay.js';
import { loadNative } from '../native/index.js';
import type { NativeTimer } from '../native/types.js';

export class MediaClock {
  private readonly reader: ClockOverlayReader;
  private readonly native: NativeTimer = loadNative();
  private readonly reading = new Float64Array(2);

  constructor(overlay: SharedArrayBuffer) {
    this.reader = new ClockOverlayReader(overlay);
  }

  get overlay(): ClockOverlayReader {
    return this.reader;
  }

  /** Media time (samples) now, NaN while there is no clock. */
  now(): number {
    if (!this.reader.ready()) return NaN;
    this.native.clockReadInto(this.reader.snapshot.clockId, this.reading, 0);
    return this.reader.mediaTime(this.reading[0]!, this.reading[1]!);
  }
}
