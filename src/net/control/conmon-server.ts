// ConmonServer: the info port (PROTOCOL.md §4.3, §4.5). Requests arrive unicast; every answer and
// notification goes out by multicast to 224.0.0.231:8702 from this same socket, as in Inferno.
import {
  CONMON_MULTICAST_GROUP,
  CONMON_MULTICAST_PORT,
  conmonMessage,
  handleConmonRequest,
  MSG_RX_CHANNEL_CHANGE,
  rxChannelChange,
  startupAnnouncements,
} from '../../core/conmon/index.js';
import type { ConmonAction, ConmonResult } from '../../core/conmon/index.js';
import type { Logger } from '../../log.js';
import type { StateChange } from '../../state/device-state.js';
import { ServerCounters } from './counters.js';
import type { DeviceControl, RestartReason } from './device-control.js';
import type { DatagramTransport, Peer } from './transport.js';

export const CONMON_DESTINATION: Peer = { address: CONMON_MULTICAST_GROUP, port: CONMON_MULTICAST_PORT };

export class ConmonServer {
  readonly counters = new ServerCounters('conmon');

  constructor(
    private readonly transport: DatagramTransport,
    private readonly control: DeviceControl,
    private readonly log?: Logger,
  ) {
    transport.onMessage((data) => void this.handle(data));
    control.on('rx-changed', (channels: number[]) => void this.notifyRxChange(channels));
  }

  /** Board info then product info, at start-up (§1.3). */
  async announce(): Promise<void> {
    await this.multicast(startupAnnouncements(this.control.conmonView()));
  }

  /** 0x0102 after subscription changes and RX renames (§3.10, §4.3). */
  async notifyRxChange(channels: number[]): Promise<void> {
    const valid = channels.filter((c) => c >= 1 && c <= rxChannelChange.MAX_RX_CHANNEL_NUMBER);
    if (!valid.length) return;
    const msg = conmonMessage(this.control.conmonView(), MSG_RX_CHANNEL_CHANGE, rxChannelChange.encode(valid));
    this.counters.count('rx-change-notices');
    await this.multicast([msg]);
  }

  async handle(packet: Buffer): Promise<void> {
    const c = this.counters;
    c.packets++;
    let result: ConmonResult;
    try {
      result = handleConmonRequest(packet, this.control.conmonView());
    } catch {
      c.drop('internal-error');
      return;
    }
    if (result.drop) {
      c.drop(result.drop);
      return;
    }
    let restart: RestartReason | undefined;
    const changes: StateChange[] = [];
    for (const a of result.actions) {
      const r = this.act(a, changes);
      restart ??= r;
    }
    let answers = result.multicast;
    if (changes.length) {
      try {
        const r = await this.control.commit(changes);
        if (r.error) {
          // The status then shows the unchanged setting, as devices answer values they refuse.
          c.count(`rejected-${r.error}`);
          answers = [];
          restart = undefined;
        } else if (!r.needsRestart) restart = undefined;
      } catch (e) {
        this.log?.error('conmon change not saved; request left unanswered', { error: (e as Error).message });
        c.drop('persist-failed');
        return;
      }
    }
    await this.multicast(answers);
    if (restart) this.control.requestRestart(restart);
  }

  private act(a: ConmonAction, changes: StateChange[]): RestartReason | undefined {
    switch (a.type) {
      case 'identify':
        this.control.markIdentify();
        this.counters.count('identify');
        this.log?.info('identify requested by a controller', { name: this.control.state.snapshot.name });
        return undefined;
      case 'set-sample-rate':
        changes.push({ type: 'set-sample-rate', sampleRate: a.sampleRate });
        return 'sample-rate';
      case 'set-encoding':
        changes.push({ type: 'set-encoding', bitDepth: a.bitDepth });
        return 'encoding';
      case 'reboot':
        this.counters.count('reboot');
        return 'reboot';
    }
  }

  private async multicast(packets: Buffer[]): Promise<void> {
    for (const p of packets) {
      try {
        await this.transport.send(p, CONMON_DESTINATION);
        this.counters.replies++;
      } catch {
        this.counters.sendErrors++;
      }
    }
  }
}
