// Clock worker: runs the configured clock source and publishes the media-clock overlay that
// every other worker reads without messages (shared buffer `clock`).
import { CLOCK_TAI, ClockOverlayWriter, ClockState } from '../core/clock-overlay.js';
import type { SampleRate } from '../core/media-time.js';
import { REPORT_INTERVAL_MS, WorkerRuntime } from './runtime.js';

const rt = new WorkerRuntime();
const counters = { commands: 0, overlayPublications: 0 };
const writer = new ClockOverlayWriter(rt.init.shared.clock!);

// `local`: this host's CLOCK_TAI, free-running. Every network namespace on one machine reads the
// same kernel clock, so devices on one host agree without PTP.
writer.publish({ clockId: CLOCK_TAI, state: ClockState.FreeRunning, sampleRate: rt.init.config.sampleRate as SampleRate, lastSync: 0n, shift: 0n, freqScale: 0 });
counters.overlayPublications++;

const timer = setInterval(
  () => rt.report({ counters: { ...counters }, info: { source: rt.init.config.clock, state: 'free-running', underlyingClock: 'CLOCK_TAI' } }),
  REPORT_INTERVAL_MS,
);

rt.onMessage((msg) => {
  if (msg.type === 'stop') {
    clearInterval(timer);
    rt.finish();
    return;
  }
  counters.commands++;
  rt.post({ type: 'reply', id: msg.id, ok: false, error: `clock worker has no command '${msg.name}'` });
});
rt.post({ type: 'ready' });
