// Control worker: hosts the control plane (mDNS, ARC, CMC, conmon and heartbeat) on
// event-driven sockets, away from the audio loops.
import { REPORT_INTERVAL_MS, WorkerRuntime } from './runtime.js';
import { startRxSubscriptions } from '../net/rx/control-hook.js';

const rt = new WorkerRuntime();
const counters = { commands: 0 };
const rx = startRxSubscriptions(rt);
const timer = setInterval(() => rt.report({ counters: { ...counters }, info: { rx: rx.info() } }), REPORT_INTERVAL_MS);

rt.onMessage((msg) => {
  if (msg.type === 'stop') {
    clearInterval(timer);
    void rx.stop().finally(() => rt.finish());
    return;
  }
  if (rx.handle(msg)) return;
  counters.commands++;
  rt.post({ type: 'reply', id: msg.id, ok: false, error: `control worker has no command '${msg.name}'` });
});
rt.post({ type: 'ready' });
