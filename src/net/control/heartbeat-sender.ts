// HeartbeatSender: one heartbeat per second to 224.0.0.233:8708 (PROTOCOL.md §4.4), from the info
// socket and with the device's one conmon sequence counter. Without a clock the heartbeat is
// empty, as in v0.5; with one it carries 0x8001 (clock), and 0x8002 (levels) / 0x8003 (receive
// latency) while the audio workers report them.
import { buildHeartbeats, HEARTBEAT_MULTICAST_GROUP, HEARTBEAT_MULTICAST_PORT } from '../../core/conmon/index.js';
import type { HeartbeatInput } from '../../core/conmon/index.js';
import { ServerCounters } from './counters.js';
import type { DeviceControl } from './device-control.js';
import type { DatagramTransport, Peer } from './transport.js';

export const HEARTBEAT_INTERVAL_MS = 1000;
export const HEARTBEAT_DESTINATION: Peer = { address: HEARTBEAT_MULTICAST_GROUP, port: HEARTBEAT_MULTICAST_PORT };

export class HeartbeatSender {
  readonly counters = new ServerCounters('heartbeat');
  private timer: NodeJS.Timeout | undefined;
  private beats = 0;

  constructor(
    private readonly transport: DatagramTransport,
    private readonly control: DeviceControl,
    private readonly intervalMs = HEARTBEAT_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async beat(): Promise<void> {
    this.beats++;
    const c = this.control;
    const clock = c.currentClock();
    const media = c.mediaReport();
    const input: HeartbeatInput = {
      processId: c.config.processId,
      deviceId: c.deviceId,
      ...(clock ? { clock: { frequencyOffsetPpb: clock.frequencyOffsetPpb } } : {}),
      ...(media.levels ? { levels: media.levels } : {}),
      ...(media.receiveLatency ? { receiveLatency: media.receiveLatency } : {}),
    };
    for (const p of buildHeartbeats(input, c.sequence, this.beats)) {
      try {
        await this.transport.send(p, HEARTBEAT_DESTINATION);
        this.counters.replies++;
      } catch {
        this.counters.sendErrors++;
      }
    }
  }
}
