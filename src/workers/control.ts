// Control worker: hosts the control plane (mDNS, ARC, CMC, conmon and heartbeat) on
// event-driven sockets, away from the audio loops.
import { REPORT_INTERVAL_MS, WorkerRuntime } from './runtime.js';

const rt = new WorkerRuntime();
const counters = { commands: 0 };
const timer = setInterval(() => rt.report({ counters: { ...counters }, info: {} }), REPORT_INTERVAL_MS);

rt.onMessage((msg) => {
  if (msg.type === 'stop') {
    clearInterval(timer);
    rt.finish();
    return;
  }
  counters.commands++;
  rt.post({ type: 'reply', id: msg.id, ok: false, error: `control worker has no command '${msg.name}'` });
});
rt.post({ type: 'ready' });
