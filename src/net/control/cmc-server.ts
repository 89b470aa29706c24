// CmcServer: the CMC port (PROTOCOL.md §4.1): controller registration and DC's 0x3010 poll.
import { handleCmcRequest } from '../../core/cmc/handler.js';
import { ServerCounters } from './counters.js';
import type { DeviceControl } from './device-control.js';
import type { DatagramTransport, Peer } from './transport.js';

export class CmcServer {
  readonly counters = new ServerCounters('cmc');

  constructor(
    private readonly transport: DatagramTransport,
    private readonly control: DeviceControl,
  ) {
    transport.onMessage((data, from) => void this.handle(data, from));
  }

  async handle(packet: Buffer, from: Peer): Promise<void> {
    const c = this.counters;
    c.packets++;
    let result;
    try {
      result = handleCmcRequest(packet, this.control.cmcDevice());
    } catch {
      // The handler only throws on a reply it cannot build; never let that end the worker.
      c.drop('internal-error');
      return;
    }
    if (result.drop) c.drop(result.drop);
    if (!result.reply) return;
    try {
      await this.transport.send(result.reply, from);
      c.replies++;
    } catch {
      c.sendErrors++;
    }
  }
}
