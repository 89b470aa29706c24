// Starts a device's control plane: loads the saved state, binds the ARC, CMC and info sockets to
// the device address, announces the device (board then product info, §1.3) and starts the
// heartbeat. Used by the control worker; everything it opens is closed by `stop()`.
import type { DeviceConfig } from '../../config/device-config.js';
import type { Logger } from '../../log.js';
import { stateStoreFor } from '../../state/device-defaults.js';
import { DeviceState } from '../../state/device-state.js';
import { limitsFor } from '../../state/device-defaults.js';
import { responseOrigin } from '../../core/mdns/dante.js';
import { MdnsBrowser } from '../mdns/browser.js';
import { DeviceAdvertiser } from './advertiser.js';
import { ArcServer } from './arc-server.js';
import { CmcServer } from './cmc-server.js';
import { ConmonServer } from './conmon-server.js';
import { DeviceControl } from './device-control.js';
import { HeartbeatSender } from './heartbeat-sender.js';
import { UdpTransport } from './transport.js';
import type { DatagramTransport } from './transport.js';

export class ControlPlane {
  private constructor(
    readonly control: DeviceControl,
    readonly arc: ArcServer,
    readonly cmc: CmcServer,
    readonly conmon: ConmonServer,
    readonly heartbeat: HeartbeatSender,
    readonly advertiser: DeviceAdvertiser,
    /** Resolves other devices' channels and checks multicast groups (§2.3); ignores our own reservations. */
    readonly browser: MdnsBrowser,
    private readonly transports: DatagramTransport[],
  ) {}

  static async start(config: DeviceConfig, log: Logger): Promise<ControlPlane> {
    const store = stateStoreFor(config, log);
    const loaded = store.load();
    log.info('control state loaded', { path: store.path, source: loaded.source, ...(loaded.movedTo ? { movedTo: loaded.movedTo } : {}) });
    const state = new DeviceState(limitsFor(config), config.name, loaded.data);
    const control = new DeviceControl(config, state, store);
    const transports: DatagramTransport[] = [];
    try {
      const bind = async (port: number, multicast = false) => {
        const t = await UdpTransport.bind({ ip: config.ip, port, multicast });
        transports.push(t);
        return t;
      };
      const arc = new ArcServer(await bind(config.ports.arc), control, log);
      const cmc = new CmcServer(await bind(config.ports.cmc), control);
      const info = await bind(config.ports.info, true);
      const conmon = new ConmonServer(info, control, log);
      const heartbeat = new HeartbeatSender(info, control);
      await conmon.announce();
      heartbeat.start();
      const advertiser = new DeviceAdvertiser(config, control, log);
      await advertiser.start();
      const browser = new MdnsBrowser({ interfaceIp: config.ip, ownOrigin: responseOrigin(config.deviceId, config.processId), logger: log.child('mdns-browser') });
      await browser.start();
      return new ControlPlane(control, arc, cmc, conmon, heartbeat, advertiser, browser, transports);
    } catch (e) {
      await Promise.all(transports.map((t) => t.close()));
      throw e;
    }
  }

  counters(): Record<string, number> {
    return {
      ...this.arc.counters.flat(),
      ...this.cmc.counters.flat(),
      ...this.conmon.counters.flat(),
      ...this.heartbeat.counters.flat(),
      ...this.mdnsCounters(),
    };
  }

  private mdnsCounters(): Record<string, number> {
    const out: Record<string, number> = {};
    const { drops, ...stats } = this.advertiser.responder.stats();
    for (const [k, v] of Object.entries(stats)) if (typeof v === 'number') out[`mdns.${k}`] = v;
    for (const [k, v] of Object.entries(drops)) out[`mdns.drop.${k}`] = v;
    return out;
  }

  /** mDNS state for /status: the names actually published, any conflicts seen and the responder's counters (drops by reason). */
  mdnsInfo(): Record<string, unknown> {
    const r = this.advertiser.responder;
    return { state: r.state, deviceName: r.deviceName, hostName: r.hostName, conflicts: this.advertiser.conflicts, counters: r.stats() };
  }

  async stop(): Promise<void> {
    this.heartbeat.stop();
    await this.advertiser.stop().catch(() => undefined); // goodbye packets (TTL 0)
    await this.browser.stop().catch(() => undefined);
    await this.control.persister.idle();
    await Promise.all(this.transports.map((t) => t.close()));
  }
}
