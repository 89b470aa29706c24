// Control worker: hosts the control plane (mDNS, ARC, CMC, conmon and heartbeat) on
// event-driven sockets, away from the audio loops. It owns the device's control state: the main
// thread sees it through reports and events ('names-changed', 'restart-requested', 'identify').
import { ControlPlane } from '../net/control/control-plane.js';
import type { NamesInfo, RestartReason } from '../net/control/device-control.js';
import { REPORT_INTERVAL_MS, WorkerRuntime } from './runtime.js';

const rt = new WorkerRuntime();
const counters = { commands: 0 };
let plane: ControlPlane | undefined;
let reportQueued = false;

function report(): void {
  reportQueued = false;
  rt.report({
    counters: { ...counters, ...(plane?.counters() ?? {}) },
    info: plane ? { ...plane.control.statusInfo(), mdns: plane.mdnsInfo() } : {},
  });
}

/** Reports right after a change so /status shows acknowledged changes at once. */
function reportSoon(): void {
  if (reportQueued) return;
  reportQueued = true;
  setImmediate(report);
}

const timer = setInterval(report, REPORT_INTERVAL_MS);
const starting = ControlPlane.start(rt.init.config, rt.log).then((p) => {
  plane = p;
  const c = p.control;
  c.on('committed', reportSoon);
  c.on('names-changed', (names: NamesInfo) => rt.post({ type: 'event', name: 'names-changed', data: names }));
  c.on('identify', (at: string) => {
    reportSoon();
    rt.post({ type: 'event', name: 'identify', data: { at } });
  });
  c.on('restart-requested', (reason: RestartReason) => rt.post({ type: 'event', name: 'restart-requested', data: { reason } }));
  report();
  rt.post({ type: 'ready' });
});

rt.onMessage((msg) => {
  if (msg.type === 'stop') {
    clearInterval(timer);
    void starting
      .then(() => plane?.stop())
      .catch(() => undefined)
      .finally(() => rt.finish());
    return;
  }
  counters.commands++;
  switch (msg.name) {
    case 'set-clock': {
      // From the main thread when the clock worker knows the frequency offset; null = no clock.
      const a = msg.args as { frequencyOffsetPpb: number } | null | undefined;
      if (plane) plane.control.clock = a && Number.isFinite(a.frequencyOffsetPpb) ? { frequencyOffsetPpb: Math.round(a.frequencyOffsetPpb) } : undefined;
      rt.post({ type: 'reply', id: msg.id, ok: plane !== undefined, ...(plane ? {} : { error: 'control plane not started' }) });
      return;
    }
    case 'state':
      rt.post({ type: 'reply', id: msg.id, ok: plane !== undefined, result: plane?.control.statusInfo() });
      return;
    default:
      rt.post({ type: 'reply', id: msg.id, ok: false, error: `control worker has no command '${msg.name}'` });
  }
});
