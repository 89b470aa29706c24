// Runs `inferno ctl` against fake devices on in-memory networks (UDP and mDNS): no sockets.
import { MemoryUdpNetwork, MemoryMulticastListener } from '../../dist/net/control-client/index.js';
import { MdnsResponder, MemoryMdnsSegment } from '../../dist/net/mdns/index.js';
import { runCtl } from '../../dist/cli/ctl/index.js';
import type { CtlDeps } from '../../dist/cli/ctl/index.js';
import { FakeDevice, attachFakeDevice, fakeConfig } from './fake-device.js';
import type { FakeDeviceConfig } from './fake-device.js';

export const CONTROLLER_IP = '10.9.0.100';

export interface CtlRun {
  code: number;
  stdout: string;
  stderr: string;
}

export class MemoryLan {
  readonly net = new MemoryUdpNetwork();
  readonly segment = new MemoryMdnsSegment();
  readonly devices: FakeDevice[] = [];
  private readonly responders: MdnsResponder[] = [];
  private readonly detach: (() => void)[] = [];

  /** Adds a device and waits until its mDNS names are published. */
  async add(name: string, ip: string, altPort?: number, over: Partial<FakeDeviceConfig> = {}): Promise<FakeDevice> {
    const dev = new FakeDevice(fakeConfig(name, ip, altPort, over));
    this.detach.push(attachFakeDevice(this.net, dev));
    const responder = new MdnsResponder({
      interfaceIp: ip,
      transport: this.segment.attach(ip),
      timing: { probeIntervalMs: 5, probeDeferMs: 20, announceCount: 1, announceIntervalMs: 10, sharedDelayMinMs: 0, sharedDelayMaxMs: 1 },
    });
    const published = new Promise<void>((resolve) => responder.once('published', () => resolve()));
    dev.onPublish = () => responder.setDevice(dev.mdnsDevice());
    responder.setDevice(dev.mdnsDevice());
    await responder.start();
    await published;
    this.devices.push(dev);
    this.responders.push(responder);
    return dev;
  }

  deps(out: { stdout: string; stderr: string }): CtlDeps {
    return {
      resolveInterface: (spec) => {
        if (spec !== undefined && spec !== CONTROLLER_IP && spec !== 'mem0') throw new Error(`unexpected interface ${spec}`);
        return { ip: CONTROLLER_IP, ifname: 'mem0', netmask: '255.255.255.0', mac: '02:00:00:00:00:01' };
      },
      controlTransport: (ip) => this.net.transport(ip),
      mdnsTransport: (ip) => this.segment.attach(ip),
      multicastListener: (group) => new MemoryMulticastListener(this.net, group),
      stdout: (s) => void (out.stdout += s),
      stderr: (s) => void (out.stderr += s),
    };
  }

  async ctl(...argv: string[]): Promise<CtlRun> {
    const out = { stdout: '', stderr: '' };
    const code = await runCtl(argv, this.deps(out));
    return { code, ...out };
  }

  async close(): Promise<void> {
    for (const d of this.detach) d();
    await Promise.all(this.responders.map((r) => r.stop()));
  }
}
