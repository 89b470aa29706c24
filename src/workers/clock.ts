// Clock worker: runs the configured clock source (built-in PTP, local, usrvclock or a PHC) and
// publishes the media-clock overlay every other worker reads without messages. Its status goes to
// the main thread in the periodic report (the `clock` section of /status and the clock gauges).
import { ClockOverlayWriter } from '../core/clock-overlay.js';
import type { SampleRate } from '../core/media-time.js';
import { CLOCK_OVERLAY_SHARED, createClockRunner, OverlayPublisher, Timebase, type ClockRunner } from '../clock/index.js';
import { LocalClock } from '../clock/local-clock.js';
import { loadNative } from '../native/index.js';
import { everyReportSlot } from './report-slots.js';
import { WorkerRuntime } from './runtime.js';

const rt = new WorkerRuntime();
const cfg = rt.init.config;
const native = loadNative();
const sab = rt.init.shared[CLOCK_OVERLAY_SHARED];
const publisher = new OverlayPublisher(sab ? new ClockOverlayWriter(sab) : null, cfg.sampleRate as SampleRate);
const timebase = new Timebase(native);
const deps = { native, timebase, publisher, log: rt.log };
// A source that cannot be built at all (a missing PHC, a bad domain) fails the start with its reason.
let runner: ClockRunner = createClockRunner({ ...cfg, mac: cfg.iface.mac }, deps);
let fault: string | undefined;
const counters = { commands: 0 };

const report = (): void =>
  rt.report({
    counters: { ...counters, ...runner.counters() },
    info: { ...runner.status(), ...(fault ? { lastError: fault } : {}) },
  });
const stopReports = everyReportSlot(report);

async function runSource(): Promise<void> {
  try {
    await runner.run();
  } catch (err) {
    if (rt.stopping) return;
    // E.g. ports 319/320 refused without root: keep audio going on the local clock, say why.
    fault = (err as Error).message;
    rt.log.error('clock source failed; running free on the local clock', { source: cfg.clock.source, error: fault });
    runner = new LocalClock(timebase, publisher);
    await runner.run();
  }
}

rt.onMessage((msg) => {
  if (msg.type === 'stop') {
    stopReports();
    runner.stop();
    return;
  }
  counters.commands++;
  if (msg.name === 'status') {
    rt.post({ type: 'reply', id: msg.id, ok: true, result: runner.status() });
    return;
  }
  rt.post({ type: 'reply', id: msg.id, ok: false, error: `clock worker has no command '${msg.name}'` });
});

rt.releaseMemoryWhenIdle(() => true); // kernel timestamps: a pause delays PTP messages, not their times
rt.post({ type: 'ready' });
runSource().then(
  () => rt.finish(),
  (err: unknown) => {
    throw err;
  },
);
