// Receive worker: owns the RX flow sockets (event-driven dgram sockets) and writes incoming
// audio into the media-time rings. Flows are added by the audio transport.
import { REPORT_INTERVAL_MS, WorkerRuntime } from './runtime.js';

const rt = new WorkerRuntime();
const counters = { commands: 0 };
const timer = setInterval(() => rt.report({ counters: { ...counters }, info: { flows: 0 } }), REPORT_INTERVAL_MS);

rt.onMessage((msg) => {
  if (msg.type === 'stop') {
    clearInterval(timer);
    rt.finish();
    return;
  }
  counters.commands++;
  rt.post({ type: 'reply', id: msg.id, ok: false, error: `receive worker has no command '${msg.name}'` });
});
rt.post({ type: 'ready' });
