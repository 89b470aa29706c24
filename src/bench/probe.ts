// Start-up probe for the footprint benchmark, run inside a namespace next to a device that is
// about to start: `node dist/bench/probe.js DEVICE_IP ARC_PORT OWN_IP [TIMEOUT_S]`. It asks for
// the device name (ARC 0x1002) every 20 ms and queries mDNS for _netaudio-arc._udp.local every
// 100 ms, and prints one JSON line per first answer with the wall-clock time in ms (the harness
// compares it with when it started the device; both run on the same machine clock).
import dgram from 'node:dgram';
import makeMdns from 'multicast-dns';
import { buildDeviceNameRequest } from '../core/arc/controller.js';
import { ArcOpcode } from '../core/arc/constants.js';
import { decodeHeader } from '../core/arc/header.js';

export const ARC_SERVICE = '_netaudio-arc._udp.local';
const nowMs = () => performance.timeOrigin + performance.now();

async function main(argv: string[]): Promise<void> {
  const [deviceIp, arcPortRaw, ownIp, timeoutRaw] = argv;
  if (!deviceIp || !arcPortRaw || !ownIp) {
    process.stderr.write('usage: probe DEVICE_IP ARC_PORT OWN_IP [TIMEOUT_S]\n');
    process.exit(2);
  }
  const arcPort = Number(arcPortRaw);
  const deadline = Date.now() + Number(timeoutRaw ?? 30) * 1000;
  const emit = (v: Record<string, unknown>) => process.stdout.write(JSON.stringify(v) + '\n');
  let arcAt: number | undefined;
  let mdnsAt: number | undefined;

  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, ownIp, r));
  let tx = 1;
  sock.on('message', (buf) => {
    try {
      const h = decodeHeader(buf);
      if (h.opcode === ArcOpcode.DEVICE_NAME && arcAt === undefined) {
        arcAt = nowMs();
        emit({ event: 'arc', atMs: arcAt });
      }
    } catch {
      // not an ARC reply
    }
  });
  const mdns = makeMdns({ interface: ownIp, bind: '224.0.0.251', port: 5353, reuseAddr: true, loopback: true });
  await new Promise<void>((r) => mdns.once('ready', () => r()));
  mdns.on('response', (res) => {
    if (mdnsAt !== undefined) return;
    if (res.answers.some((a) => a.type === 'PTR' && a.name.toLowerCase() === ARC_SERVICE)) {
      mdnsAt = nowMs();
      emit({ event: 'mdns', atMs: mdnsAt });
    }
  });
  emit({ event: 'ready', atMs: nowMs() });

  const arcTimer = setInterval(() => {
    if (arcAt === undefined) sock.send(buildDeviceNameRequest(tx++ & 0xffff), arcPort, deviceIp);
  }, 20);
  const mdnsTimer = setInterval(() => {
    if (mdnsAt === undefined) mdns.query({ questions: [{ name: ARC_SERVICE, type: 'PTR' }] });
  }, 100);
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if ((arcAt !== undefined && mdnsAt !== undefined) || Date.now() > deadline) {
        clearInterval(check);
        resolve();
      }
    }, 20);
  });
  clearInterval(arcTimer);
  clearInterval(mdnsTimer);
  emit({ event: 'done', arc: arcAt !== undefined, mdns: mdnsAt !== undefined });
  sock.close();
  mdns.destroy();
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`probe: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
