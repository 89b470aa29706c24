// Control worker: hosts the control plane (mDNS, ARC, CMC, conmon and heartbeat) on
// event-driven sockets, away from the audio loops.
import { startFlowsServer } from '../net/flows-server.js';
import { REPORT_INTERVAL_MS, WorkerRuntime } from './runtime.js';

const rt = new WorkerRuntime();
const counters = { commands: 0 };
// Transmitter part: the flows-control server (its flows go to the transmit worker).
const tx = await startFlowsServer(rt);
const timer = setInterval(() => rt.report({ counters: { ...counters }, info: { transmitter: tx.server.status() } }), REPORT_INTERVAL_MS);

rt.onMessage((msg) => {
  if (msg.type === 'stop') {
    clearInterval(timer);
    tx.server.stop();
    rt.finish();
    return;
  }
  if (tx.handleCommand(msg)) return;
  counters.commands++;
  rt.post({ type: 'reply', id: msg.id, ok: false, error: `control worker has no command '${msg.name}'` });
});
rt.post({ type: 'ready' });
