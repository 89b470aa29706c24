// Clock worker: runs the configured clock source and publishes the media-clock overlay that
// every other worker reads without messages.
import { REPORT_INTERVAL_MS, WorkerRuntime } from './runtime.js';

const rt = new WorkerRuntime();
const counters = { commands: 0 };
const timer = setInterval(
  () => rt.report({ counters: { ...counters }, info: { source: rt.init.config.clock } }),
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
