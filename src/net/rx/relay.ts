// Main-thread side of the control → receive worker relay used by the SubscriptionManager.
import type { Supervisor } from '../../engine/supervisor.js';
import type { WorkerName } from '../../engine/protocol.js';
import { RX_RELAY_EVENT, RX_RELAY_RESPONSE } from './control-hook.js';

export function relayRxRequests(supervisor: Supervisor): void {
  supervisor.on('worker-event', (from: WorkerName, name: string, data: { id: number; op: string; args?: unknown }) => {
    if (from !== 'control' || name !== RX_RELAY_EVENT) return;
    const answer = (ok: boolean, result?: unknown, error?: string) => {
      try {
        // id −1: a relay answer, not a command awaiting a reply.
        supervisor.send('control', { type: 'command', id: -1, name: RX_RELAY_RESPONSE, args: { id: data.id, ok, result, error } });
      } catch { /* control worker restarting: its pending requests died with it */ }
    };
    supervisor.command('receive', data.op, data.args).then(
      (r) => answer(true, r),
      (err: Error) => answer(false, undefined, err.message),
    );
  });
}
