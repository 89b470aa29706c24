// Runs one fake Dante device on UDP inside a test namespace (never in the machine's own):
//   node fake-device-run.js '<FakeDeviceConfig JSON>'
// Prints `ready <name>` once mDNS probing succeeded; exits on SIGTERM.
import dgram from 'node:dgram';
import { MdnsResponder } from '../../dist/net/mdns/index.js';
import { CONMON_GROUP } from '../../dist/net/control-client/index.js';
import { FakeDevice } from './fake-device.js';
import type { FakeDeviceConfig } from './fake-device.js';

const [json] = process.argv.slice(2);
if (!json) {
  process.stderr.write('usage: fake-device-run <config json>\n');
  process.exit(2);
}
const dev = new FakeDevice(JSON.parse(json) as FakeDeviceConfig);
const { ip } = dev.config;

function bind(port: number, handle: (buf: Buffer, rinfo: dgram.RemoteInfo, sock: dgram.Socket) => void): Promise<dgram.Socket> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (buf, rinfo) => handle(buf, rinfo, sock));
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, ip, () => resolve(sock));
  });
}

const sockets = [
  await bind(dev.config.arcPort, (buf, r, s) => {
    const out = dev.arc(buf);
    if (out) s.send(out, r.port, r.address);
  }),
  await bind(dev.config.cmcPort, (buf, r, s) => {
    const out = dev.cmc(buf);
    if (out) s.send(out, r.port, r.address);
  }),
  await bind(dev.config.infoPort, (buf, _r, s) => {
    for (const m of dev.info(buf)) s.send(m, CONMON_GROUP.port, CONMON_GROUP.address);
  }),
];
sockets[2]!.setMulticastInterface(ip);

const responder = new MdnsResponder({ interfaceIp: ip, timing: { probeIntervalMs: 50, announceIntervalMs: 200 } });
responder.on('published', (set) => process.stdout.write(`ready ${set.deviceName}\n`));
dev.onPublish = () => responder.setDevice(dev.mdnsDevice());
responder.setDevice(dev.mdnsDevice());
await responder.start();
process.on('SIGTERM', () => {
  for (const s of sockets) s.close();
  void responder.stop().then(() => process.exit(0));
});
