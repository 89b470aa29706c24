// Periodic reports on shared wall-clock slots: every worker reports at the same phase of the
// second, so the main thread takes the four reports in one or two wake-ups instead of four spread
// over the second (an idle device's CPU is mostly wake-ups).

export const REPORT_INTERVAL_MS = 1000;

/** Index of the report slot `nowMs` (wall clock) falls in, slots starting `offsetMs` into the interval. */
export function reportSlot(nowMs: number, offsetMs = 0): number {
  return Math.floor((nowMs - offsetMs) / REPORT_INTERVAL_MS);
}

/** Milliseconds from `nowMs` to the start of slot `slot`. */
export function msUntilSlot(slot: number, nowMs: number, offsetMs = 0): number {
  return slot * REPORT_INTERVAL_MS + offsetMs - nowMs;
}

/**
 * Calls `fn` once per report slot, at its start. A timer that fires a little early (timers run on
 * the monotonic clock, slots on the wall clock) does not call twice for one slot: the next call is
 * always for a later slot. Stopped by the returned function.
 */
export function everyReportSlot(fn: () => void, opts: { offsetMs?: number; unref?: boolean; now?: () => number } = {}): () => void {
  const { offsetMs = 0, now = Date.now } = opts;
  let served = reportSlot(now(), offsetMs);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (): void => {
    const t = now();
    const next = Math.max(served + 1, reportSlot(t, offsetMs) + 1);
    timer = setTimeout(() => {
      if (stopped) return;
      served = next;
      arm();
      fn();
    }, Math.max(1, msUntilSlot(next, t, offsetMs)));
    if (opts.unref) timer.unref();
  };
  arm();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
