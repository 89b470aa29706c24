// ArcServer: the ARC port (PROTOCOL.md §3). Answers each request from the device's current view;
// a request that changes the device is applied, saved, and only then acknowledged, so a device
// killed at any moment restarts with every name it acknowledged.
import { decodeHeader } from '../../core/arc/header.js';
import { ArcStatus } from '../../core/arc/constants.js';
import { handleArcRequest, statusReply } from '../../core/arc/server.js';
import type { ArcAction } from '../../core/arc/device-view.js';
import type { Logger } from '../../log.js';
import type { StateChange } from '../../state/device-state.js';
import { ServerCounters } from './counters.js';
import type { DeviceControl } from './device-control.js';
import type { DatagramTransport, Peer } from './transport.js';

/** ARC actions as state changes; `notify-rx-change` is not a change but a notice sent after one. */
export function arcActionsToChanges(actions: readonly ArcAction[]): { changes: StateChange[]; rxNotify: number[] } {
  const changes: StateChange[] = [];
  const rxNotify: number[] = [];
  for (const a of actions) {
    switch (a.type) {
      case 'notify-rx-change':
        rxNotify.push(...a.channels);
        break;
      case 'subscribe':
        changes.push({ type: 'subscribe', rxChannel: a.rxChannel, txChannelName: a.txChannelName, txDeviceName: a.txDeviceName });
        break;
      default:
        changes.push(a);
    }
  }
  return { changes, rxNotify };
}

export class ArcServer {
  readonly counters = new ServerCounters('arc');

  constructor(
    private readonly transport: DatagramTransport,
    private readonly control: DeviceControl,
    private readonly log?: Logger,
  ) {
    transport.onMessage((data, from) => void this.handle(data, from));
  }

  /** Handles one datagram; resolves when its reply (if any) has been sent. Never rejects. */
  async handle(packet: Buffer, from: Peer): Promise<void> {
    const c = this.counters;
    c.packets++;
    const result = handleArcRequest(packet, this.control.arcView());
    if (result.drop) {
      c.drop(result.drop);
      return;
    }
    if (result.count) c.count(result.count);
    let reply = result.reply;
    const { changes, rxNotify } = arcActionsToChanges(result.actions);
    if (changes.length) {
      try {
        const r = await this.control.commit(changes);
        if (r.error) {
          // The codec accepted the request but the device cannot take a value: same answer as
          // the codec gives for values it rejects itself.
          const h = decodeHeader(packet);
          reply = statusReply({ protocolId: h.protocolId, transactionId: h.transactionId }, h.opcode, ArcStatus.REJECTED);
          c.count(`rejected-${r.error}`);
        }
      } catch (e) {
        // Not saved means not acknowledged: the controller will retry.
        this.log?.error('ARC change not saved; request left unanswered', { error: (e as Error).message });
        c.drop('persist-failed');
        return;
      }
    }
    if (reply) await this.send(reply, from);
    if (rxNotify.length && reply && reply.readUInt16BE(8) === ArcStatus.OK) this.control.rxChanged([...new Set(rxNotify)].sort((a, b) => a - b));
  }

  private async send(reply: Buffer, to: Peer): Promise<void> {
    try {
      await this.transport.send(reply, to);
      this.counters.replies++;
    } catch {
      this.counters.sendErrors++;
    }
  }
}
