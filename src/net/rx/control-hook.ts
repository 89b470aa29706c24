// Wiring of the SubscriptionManager into the control worker: the receive worker is reached through
// the main thread (event RX_RELAY_EVENT out, command RX_RELAY_RESPONSE back), and the main thread
// or a controller may call rx-subscribe / rx-unsubscribe / rx-status.
import type { ToWorker } from '../../engine/protocol.js';
import type { WorkerRuntime } from '../../workers/runtime.js';
import type { RxFlowRecord } from '../../core/arc/rx-flows.js';
import { MdnsBrowser } from '../mdns/browser.js';
import { parseSubscribeList } from '../../core/rx/subscribe-arg.js';
import { SubscriptionManager } from './subscription-manager.js';
import type { ReceiveWorkerPort } from './subscription-manager.js';

export const RX_RELAY_EVENT = 'rx-receive-request';
export const RX_RELAY_RESPONSE = 'rx-receive-response';

export interface RxControlHook {
  manager: SubscriptionManager;
  /** Handles rx-* commands; false for anything else. */
  handle(msg: ToWorker): boolean;
  info(): Record<string, unknown>;
  stop(): Promise<void>;
}

export interface RxHookOptions {
  /** Shared mDNS browser (the control plane's); without it the hook makes its own. */
  browser?: MdnsBrowser;
  /** Subscriptions to make at start; without it, the `--subscribe` settings. */
  restore?: readonly { rx: number; txChannel: string; txDevice: string }[];
}

export function startRxSubscriptions(rt: WorkerRuntime, opts: RxHookOptions = {}): RxControlHook {
  const cfg = rt.init.config;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let seq = 0;
  const receive: ReceiveWorkerPort = {
    request: (op, args) =>
      new Promise((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        rt.post({ type: 'event', name: RX_RELAY_EVENT, data: { id, op, args } });
      }),
  };
  const ownBrowser = opts.browser === undefined;
  const browser = opts.browser ?? new MdnsBrowser({ interfaceIp: cfg.ip });
  const manager = new SubscriptionManager({
    deviceName: cfg.name, deviceIp: cfg.ip, processId: cfg.processId, rxChannels: cfg.rxChannels, sampleRate: cfg.sampleRate,
    rxLatencyNs: cfg.rxLatencyNs, rxFpp: cfg.rxFpp, resolver: browser, receive,
  });
  manager.on('status', (s) => rt.log.info('rx channel status', { rx: s.rx, status: `0x${s.status.toString(16).padStart(8, '0')}`, tx: s.status ? `${s.txChannel}@${s.txDevice}` : '' }));
  void browser.start().then(
    () => manager.start(opts.restore ?? parseSubscribeList((cfg as { subscribe?: string[] }).subscribe ?? [], cfg.rxChannels)),
    (err: Error) => rt.log.error('mDNS browser failed; RX subscriptions disabled', { error: err.message }),
  );
  const reply = (id: number, fn: () => unknown) => {
    try {
      rt.post({ type: 'reply', id, ok: true, result: fn() });
    } catch (err) {
      rt.post({ type: 'reply', id, ok: false, error: (err as Error).message });
    }
  };
  return {
    manager,
    handle(msg) {
      if (msg.type !== 'command') return false;
      const a = msg.args as Record<string, unknown> | undefined;
      switch (msg.name) {
        case RX_RELAY_RESPONSE: {
          const r = a as { id: number; ok: boolean; result?: unknown; error?: string };
          const p = pending.get(r.id);
          pending.delete(r.id);
          if (r.ok) p?.resolve(r.result);
          else p?.reject(new Error(r.error ?? 'receive worker command failed'));
          return true;
        }
        case 'rx-subscribe':
          reply(msg.id, () => manager.subscribe(Number(a?.rx), String(a?.txChannel), String(a?.txDevice)));
          return true;
        case 'rx-unsubscribe':
          reply(msg.id, () => manager.unsubscribe(Number(a?.rx)));
          return true;
        case 'rx-status':
          reply(msg.id, () => ({ subscriptions: manager.statuses(), flows: manager.flows() }));
          return true;
        default:
          return false;
      }
    },
    info: () => ({ subscriptions: manager.statuses(), flows: manager.flows(), counters: { ...manager.counters } }),
    async stop() {
      await manager.stop();
      if (ownBrowser) await browser.stop();
      for (const p of pending.values()) p.reject(new Error('stopping'));
    },
  };
}

/** ARC 0x3200 records (§3.14) from the subscription engine's flows. */
export function rxFlowRecords(hook: RxControlHook, cfg: { ip: string; sampleRate: number; rxLatencyNs: number }): RxFlowRecord[] {
  return hook.manager.flows().map((f) => ({
    id: f.id,
    sampleRate: cfg.sampleRate,
    bitDepth: f.bits,
    address: f.multicast ? f.to.ip : cfg.ip,
    port: f.multicast ? f.to.port : (f.port ?? 0),
    latencyNs: cfg.rxLatencyNs,
    slots: f.slots.map((rxChannel) => (rxChannel > 0 ? [rxChannel] : [])),
  }));
}
