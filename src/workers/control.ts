// Control worker: hosts the control plane (mDNS, ARC, CMC, conmon and heartbeat) on
// event-driven sockets, away from the audio loops. It owns the device's control state: the main
// thread sees it through reports and events ('names-changed', 'restart-requested', 'identify').
import { ControlPlane } from '../net/control/control-plane.js';
import type { NamesInfo, RestartReason } from '../net/control/device-control.js';
import { startFlowsServer } from '../net/flows-server.js';
import { RX_TRACKS_EVENT, tracksFromChannels } from '../audio-io/recorder/capture-options.js';
import type { RxChannelView } from '../audio-io/recorder/capture-options.js';
import { rxFlowRecords, startRxSubscriptions } from '../net/rx/control-hook.js';
import type { RxControlHook } from '../net/rx/control-hook.js';
import { parseSubscribeList } from '../core/rx/subscribe-arg.js';
import type { FlowsServer } from '../net/flows-server.js';
import { everyReportSlot } from './report-slots.js';
import { WorkerRuntime } from './runtime.js';
import { ClockOverlayReader } from '../core/clock-overlay.js';
import { CLOCK_OVERLAY_SHARED } from '../clock/publisher.js';
import { parseSubscribeArg } from '../core/rx/subscribe-arg.js';
import type { DeviceClock, MediaReport } from '../net/control/device-control.js';

const rt = new WorkerRuntime();
const counters = { commands: 0 };
let plane: ControlPlane | undefined;
let tx: Awaited<ReturnType<typeof startFlowsServer>> | undefined;
let rx: RxControlHook | undefined;
let reportQueued = false;

/** The recorder (if any) names its tracks after the RX channels' current names and routes. */
const recording = (rt.init.config as { recorder?: unknown }).recorder !== undefined;

function report(): void {
  reportQueued = false;
  if (recording && plane) {
    const rxChannels = (plane.control.statusInfo() as { rxChannels: RxChannelView[] }).rxChannels;
    rt.post({ type: 'event', name: RX_TRACKS_EVENT, data: { tracks: tracksFromChannels(rxChannels) } });
  }
  rt.report({
    counters: { ...counters, ...(plane?.counters() ?? {}), ...(tx?.server.flatCounters() ?? {}) },
    info: plane
      ? { ...plane.control.statusInfo(), mdns: plane.mdnsInfo(), ...(tx ? { transmitter: tx.server.status() } : {}), ...(rx ? { rx: rx.info() } : {}) }
      : {},
  });
}

/** Reports right after a change so /status shows acknowledged changes at once. */
function reportSoon(): void {
  if (reportQueued) return;
  reportQueued = true;
  setImmediate(report);
}

const stopReports = everyReportSlot(report);

// The clock as controllers see it: rate and leader straight from the shared overlay (so the
// heartbeat never lags the clock worker), the PTP role from the clock worker's status, which
// the main thread forwards with `set-media-status`.
const overlay = rt.init.shared[CLOCK_OVERLAY_SHARED] ? new ClockOverlayReader(rt.init.shared[CLOCK_OVERLAY_SHARED]) : undefined;
let clockRole: DeviceClock['role'];
function readClock(): DeviceClock | undefined {
  if (!overlay?.ready()) return undefined;
  const leaderId = overlay.leaderId();
  return {
    frequencyOffsetPpb: Math.round(overlay.snapshot.freqScale * 1e9),
    ...(leaderId.some((b) => b !== 0) ? { leaderId } : {}),
    ...(clockRole ? { role: clockRole } : {}),
  };
}
/**
 * Makes the transmitter's multicast flows match the saved/controller-set definitions (ARC
 * 0x2201/0x2202 commit them to the state first, so they also come back after a restart).
 */
function syncMulticastFlows(p: ControlPlane, server: FlowsServer): void {
  const want = new Map(p.control.state.snapshot.multicastFlows.map((f) => [f.flowId, f.channels.join(',')]));
  const have = new Map(server.txFlowRecords().filter((r) => r.multicast).map((r) => [r.id, r.channels.join(',')]));
  const stale = [...have].filter(([id, ch]) => want.get(id) !== ch).map(([id]) => id);
  if (stale.length) server.deleteMulticastFlows(stale);
  const add = [...want].filter(([id, ch]) => have.get(id) !== ch);
  if (add.length) server.createMulticastFlows(add.map(([id, ch]) => ({ id, channels: ch.split(',').map(Number) })));
}

/**
 * Makes the subscription engine follow the subscriptions in the control state (set by ARC
 * 0x3010/0x3014, saved, restored at start).
 */
function syncSubscriptions(p: ControlPlane, hook: RxControlHook): void {
  const want = p.control.state.snapshot.subscriptions;
  const have = new Map(hook.manager.statuses().filter((s) => s.status !== 0).map((s) => [s.rx, `${s.txChannel}@${s.txDevice}`]));
  for (const [rx] of have) if (!want[rx]) hook.manager.unsubscribe(rx);
  for (const [k, sub] of Object.entries(want)) {
    if (!sub) continue;
    if (have.get(Number(k)) !== `${sub.txChannelName}@${sub.txDeviceName}`) hook.manager.subscribe(Number(k), sub.txChannelName, sub.txDeviceName);
  }
}

const starting = ControlPlane.start(rt.init.config, rt.log).then(async (p) => {
  plane = p;
  const c = p.control;
  if (overlay) c.clockSource = readClock;
  // Transmitter part: the flows-control server (its flows go to the transmit worker), then the
  // CHAN records appear once it runs (§1.3).
  tx = await startFlowsServer(rt, {
    isMulticastGroupInUse: (group) => p.browser.isMulticastGroupInUse(group),
    onBundlesChanged: (bundles) => p.advertiser.setBundles(bundles),
  });
  const server = tx.server;
  c.txFlowSource = () => server.txFlowRecords();
  // Receiver part: `--subscribe` routes are stored like a controller's (so ARC can change them),
  // then the subscription engine starts from the stored subscriptions.
  const flagged = parseSubscribeList(rt.init.config.subscribe ?? [], rt.init.config.rxChannels);
  if (flagged.length) {
    const r = await c.commit(flagged.map((f) => ({ type: 'subscribe' as const, rxChannel: f.rx, txChannelName: f.txChannel, txDeviceName: f.txDevice })));
    if (r.error) rt.log.error('--subscribe not applied', { error: r.error });
  }
  const saved = Object.entries(c.state.snapshot.subscriptions).flatMap(([k, sub]) => (sub ? [{ rx: Number(k), txChannel: sub.txChannelName, txDevice: sub.txDeviceName }] : []));
  const hook = startRxSubscriptions(rt, { browser: p.browser, restore: saved });
  rx = hook;
  c.rxStatusSource = () => new Map(hook.manager.statuses().map((s) => [s.rx, s.status]));
  c.rxFlowSource = () => rxFlowRecords(hook, rt.init.config);
  hook.manager.on('status', (s: { rx: number; status: number; txChannel: string; txDevice: string }) => {
    c.rxChanged([s.rx]);
    reportSoon();
    rt.post({ type: 'event', name: 'rx-status', data: { rx: s.rx, status: s.status, txChannel: s.txChannel, txDevice: s.txDevice } });
  });
  c.on('committed', () => syncSubscriptions(p, hook));
  syncMulticastFlows(p, server);
  c.on('committed', () => syncMulticastFlows(p, server));
  c.on('committed', reportSoon);
  c.on('names-changed', (names: NamesInfo) => rt.post({ type: 'event', name: 'names-changed', data: names }));
  c.on('identify', (at: string) => {
    reportSoon();
    rt.post({ type: 'event', name: 'identify', data: { at } });
  });
  c.on('restart-requested', (reason: RestartReason) => rt.post({ type: 'event', name: 'restart-requested', data: { reason } }));
  report();
  rt.releaseMemoryWhenIdle(() => true);
  rt.post({ type: 'ready' });
});

rt.onMessage((msg) => {
  if (msg.type === 'stop') {
    stopReports();
    void starting
      .then(async () => {
        tx?.server.stop();
        await rx?.stop();
        return plane?.stop();
      })
      .catch(() => undefined)
      .finally(() => rt.finish());
    return;
  }
  if (tx?.handleCommand(msg)) return;
  if (rx?.handle(msg)) return;
  counters.commands++;
  switch (msg.name) {
    case 'set-media-status': {
      // From the main thread about once a second: the clock worker's PTP role and the audio
      // workers' levels and receive latency for the heartbeat.
      const a = (msg.args ?? {}) as { role?: DeviceClock['role']; media?: MediaReport };
      clockRole = a.role === 'leader' || a.role === 'follower' ? a.role : undefined;
      plane?.control.setMediaReport(a.media ?? {});
      rt.post({ type: 'reply', id: msg.id, ok: plane !== undefined, ...(plane ? {} : { error: 'control plane not started' }) });
      return;
    }
    case 'subscribe':
    case 'unsubscribe':
      // The library's subscriptions: committed to the device state like ARC 0x3010 / 0x3014, so
      // they are saved and controllers see them.
      void commitSubscription(msg.name, msg.args).then(
        () => rt.post({ type: 'reply', id: msg.id, ok: true }),
        (err: Error) => rt.post({ type: 'reply', id: msg.id, ok: false, error: err.message }),
      );
      return;
    case 'state':
      rt.post({ type: 'reply', id: msg.id, ok: plane !== undefined, result: plane?.control.statusInfo() });
      return;
    default:
      rt.post({ type: 'reply', id: msg.id, ok: false, error: `control worker has no command '${msg.name}'` });
  }
});

async function commitSubscription(kind: 'subscribe' | 'unsubscribe', args: unknown): Promise<void> {
  await starting;
  if (!plane) throw new Error('control plane not started');
  const a = (args ?? {}) as { rx?: unknown; source?: unknown };
  const rx = Number(a.rx);
  if (!Number.isInteger(rx) || rx < 1 || rx > rt.init.config.rxChannels) throw new Error(`RX channel ${String(a.rx)} not in 1..${rt.init.config.rxChannels}`);
  let change;
  if (kind === 'subscribe') {
    const f = parseSubscribeArg(`${rx}=${String(a.source)}`);
    change = { type: 'subscribe' as const, rxChannel: rx, txChannelName: f.txChannel, txDeviceName: f.txDevice };
  } else {
    change = { type: 'unsubscribe' as const, rxChannel: rx };
  }
  const r = await plane.control.commit([change]);
  if (r.error) throw new Error(`${kind} refused: ${r.error}`);
  plane.control.rxChanged([rx]);
}
