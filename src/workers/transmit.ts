// Transmit worker: a loop that never yields to the event loop. It reads control messages with
// receiveMessageOnPort and sleeps on its wake word (or, with flows, until the next packet
// deadline on the media clock). Flows are added by the audio transport.
import { REPORT_INTERVAL_MS, WorkerRuntime } from './runtime.js';

const rt = new WorkerRuntime();
const counters = { loops: 0, commands: 0 };
let lastReport = 0;

rt.post({ type: 'ready' });
while (!rt.stopping) {
  for (const msg of rt.poll()) {
    if (msg.type === 'command') {
      counters.commands++;
      rt.post({ type: 'reply', id: msg.id, ok: false, error: `transmit worker has no command '${msg.name}'` });
    }
  }
  if (rt.stopping) break;
  counters.loops++;
  const now = Date.now();
  if (now - lastReport >= REPORT_INTERVAL_MS) {
    lastReport = now;
    rt.report({ counters: { ...counters }, info: { flows: 0 } });
  }
  rt.waitForMessage(Math.min(REPORT_INTERVAL_MS, 100));
}
rt.finish();
