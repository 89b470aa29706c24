// Everything a ctl command needs: the chosen interface, one ARC/CMC socket, the mDNS browser, the
// conmon sender and device resolution (name → address), all built from swappable transports.
import { ConfigError } from '../../core/errors.js';
import { SERVICE_ARC, SERVICE_CMC, instanceFqdn, nameKey } from '../../core/mdns/names.js';
import type { CmcRegisterReply } from '../../core/cmc/index.js';
import { resolveBindInterface } from '../../config/network.js';
import type { BoundInterface } from '../../config/network.js';
import { ArcClient } from '../../net/arc-client.js';
import type { ArcTarget } from '../../net/arc-client.js';
import {
  ALT_PORT_CMC_OFFSET,
  ALT_PORT_INFO_OFFSET,
  CONMON_GROUP,
  ConmonClient,
  DEFAULT_ARC_PORT,
  DEFAULT_CMC_PORT,
  DEFAULT_INFO_PORT,
} from '../../net/control-client/conmon-client.js';
import type { ConmonTarget } from '../../net/control-client/conmon-client.js';
import { UdpControlTransport, UdpMulticastListener } from '../../net/control-client/transport.js';
import type { ControlTransport, Endpoint, MulticastListener } from '../../net/control-client/transport.js';
import { MdnsBrowser } from '../../net/mdns/index.js';
import type { DanteDeviceListing, MdnsTransport } from '../../net/mdns/index.js';
import { parseDeviceSpec } from './args.js';

/** The outside world, swappable for tests (in-memory transports). */
export interface CtlDeps {
  resolveInterface(spec: string | undefined): BoundInterface;
  controlTransport(ip: string): ControlTransport;
  mdnsTransport?(ip: string): MdnsTransport;
  multicastListener(group: Endpoint, ip: string): MulticastListener;
  stdout(s: string): void;
  stderr(s: string): void;
}

export const realDeps: CtlDeps = {
  resolveInterface: resolveBindInterface,
  controlTransport: (ip) => new UdpControlTransport(ip),
  multicastListener: (group, ip) => new UdpMulticastListener(group, ip),
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

export class DeviceNotFoundError extends Error {
  constructor(name: string, found: string[]) {
    super(`device not found: ${JSON.stringify(name)} (found: ${found.length ? found.join(', ') : 'no devices'})`);
    this.name = 'DeviceNotFoundError';
  }
}

/** A device to talk to: ARC address, and what is known for conmon. */
export interface DeviceRef extends ArcTarget {
  label: string;
  /** CMC port from `_netaudio-cmc`, or derived from the ARC port (§1.2 ALT_PORT block). */
  cmcPort: number;
}

export class CtlContext {
  readonly iface: BoundInterface;
  readonly arc: ArcClient;
  readonly conmon: ConmonClient;
  private readonly transport: ControlTransport;
  private browserInstance: MdnsBrowser | undefined;

  constructor(
    readonly deps: CtlDeps,
    interfaceSpec: string | undefined,
    readonly timeoutMs: number,
    readonly json: boolean,
  ) {
    try {
      this.iface = deps.resolveInterface(interfaceSpec);
    } catch (err) {
      // The shared resolver names the server's setting; here the argument is --interface.
      if (err instanceof ConfigError) throw new ConfigError('--interface', err.value, err.accepted);
      throw err;
    }
    this.transport = deps.controlTransport(this.iface.ip);
    this.arc = new ArcClient(this.transport, { timeoutMs: Math.min(timeoutMs, 1000), retries: 2 });
    this.conmon = new ConmonClient(this.transport, () => deps.multicastListener(CONMON_GROUP, this.iface.ip), {
      deviceId: this.controllerId(),
      processId: 0,
    });
  }

  /** The controller id of §4.1: the interface MAC + `00 00`. */
  controllerId(): Uint8Array {
    const mac = this.iface.mac.split(':').map((h) => parseInt(h, 16) || 0);
    return Uint8Array.from([...mac.slice(0, 6), ...new Array<number>(6 - Math.min(6, mac.length)).fill(0), 0, 0]);
  }

  get browser(): MdnsBrowser {
    if (!this.browserInstance) {
      const transport = this.deps.mdnsTransport?.(this.iface.ip);
      this.browserInstance = new MdnsBrowser(transport ? { interfaceIp: this.iface.ip, transport } : { interfaceIp: this.iface.ip });
    }
    return this.browserInstance;
  }

  out(s: string): void {
    this.deps.stdout(s);
  }

  listDevices(): Promise<DanteDeviceListing[]> {
    return this.browser.listDevices(this.timeoutMs);
  }

  /**
   * DEVICE operand → address: an IP[:port] as given, a name through mDNS (case-insensitive). The
   * label is the name the device reports (0x1002), so messages show its real spelling.
   */
  async resolveDevice(raw: string, what = 'DEVICE'): Promise<DeviceRef> {
    const d = await this.locateDevice(raw, what);
    d.label = await this.arc.deviceName(d);
    return d;
  }

  private async locateDevice(raw: string, what: string): Promise<DeviceRef> {
    const spec = parseDeviceSpec(raw, what);
    if (spec.kind === 'address') {
      const port = spec.arcPort ?? DEFAULT_ARC_PORT;
      const cmcPort = port === DEFAULT_ARC_PORT ? DEFAULT_CMC_PORT : port + ALT_PORT_CMC_OFFSET;
      return { ip: spec.ip, port, label: `${spec.ip}:${port}`, cmcPort };
    }
    // Exact instance first: it answers as soon as the device does.
    const arc = await this.browser.resolveService(instanceFqdn(spec.name, SERVICE_ARC), SERVICE_ARC, this.timeoutMs);
    if (arc?.ip) {
      const cmc = await this.browser.resolveService(instanceFqdn(spec.name, SERVICE_CMC), SERVICE_CMC, Math.min(500, this.timeoutMs));
      return { ip: arc.ip, port: arc.port, label: spec.name, cmcPort: cmc?.port ?? derivedCmcPort(arc.port) };
    }
    const all = await this.listDevices();
    const hit = all.find((d) => nameKey(d.name) === nameKey(spec.name) && d.ip && d.arcPort);
    if (!hit) throw new DeviceNotFoundError(spec.name, all.map((d) => d.name));
    return { ip: hit.ip!, port: hit.arcPort!, label: hit.name, cmcPort: hit.cmcPort ?? derivedCmcPort(hit.arcPort!) };
  }

  /** Conmon address of a device: CMC 0x1001 tells its info port and id; else the default port (§4.1). */
  async conmonTarget(d: DeviceRef): Promise<ConmonTarget> {
    let reg: CmcRegisterReply | undefined;
    try {
      reg = await this.arc.cmcRegister(d.ip, d.cmcPort, this.controllerId(), { label: d.label, retries: 1 });
    } catch {
      // Devices that ignore CMC still take conmon requests on the default port.
    }
    if (reg) return { ip: d.ip, infoPort: reg.infoPort, label: d.label, deviceId: reg.deviceId };
    const infoPort = d.port === DEFAULT_ARC_PORT ? DEFAULT_INFO_PORT : d.port + ALT_PORT_INFO_OFFSET;
    return { ip: d.ip, infoPort, label: d.label };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.transport.close(), this.browserInstance?.stop()]);
  }
}

function derivedCmcPort(arcPort: number): number {
  return arcPort === DEFAULT_ARC_PORT ? DEFAULT_CMC_PORT : arcPort + ALT_PORT_CMC_OFFSET;
}
