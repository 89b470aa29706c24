// TX flow sockets (udpSenderOpen): the native sendmmsg sender and the node:dgram fallback behave
// alike on loopback — batches arrive whole and in order from one source port, keepalives sent back
// are counted, failures are counted instead of thrown — and both carry flows between namespaces.
import anyTest from 'ava';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { createFallback, loadNative, type NativeTimer, type UdpSender } from '../dist/native/index.js';
import { createVethPair } from './support/native-netns.js';
import { interop } from './support/needs.js';

const nsTest = interop({ root: true, commands: ['ip'] });
const PEER = fileURLToPath(new URL('./support/udp-tx-peer.js', import.meta.url));

const impls: [string, () => NativeTimer][] = [
  ['native', () => loadNative()],
  ['fallback', () => createFallback('test')],
];

async function receiver(): Promise<{ socket: dgram.Socket; port: number; got: { data: Buffer; port: number }[] }> {
  const socket = dgram.createSocket('udp4');
  const got: { data: Buffer; port: number }[] = [];
  socket.on('message', (data, rinfo) => got.push({ data, port: rinfo.port }));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { socket, port: socket.address().port, got };
}

async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

for (const [name, make] of impls) {
  anyTest(`${name}: a batch arrives whole and in order from the sender's port; keepalives are counted`, async (t) => {
    const n = make();
    t.is(n.native, name === 'native');
    const rx = await receiver();
    const s: UdpSender = await n.udpSenderOpen({ bindAddress: '127.0.0.1', address: '127.0.0.1', port: rx.port });
    try {
      t.is(s.native, name === 'native');
      t.is(s.localAddress, '127.0.0.1');
      t.true(s.localPort > 0);
      // Five 101-byte packets end to end, then one more on its own.
      const buf = Buffer.alloc(101 * 5);
      for (let k = 0; k < 5; k++) buf.fill(k + 1, k * 101, (k + 1) * 101);
      t.is(s.send(buf, 101, 5), 5);
      t.is(s.send(buf.subarray(202), 101, 1), 1);
      t.true(await until(() => rx.got.length >= 6), `received ${rx.got.length}`);
      t.deepEqual(rx.got.map((g) => [g.data.length, g.data[0], g.data[100]]), [[101, 1, 1], [101, 2, 2], [101, 3, 3], [101, 4, 4], [101, 5, 5], [101, 3, 3]]);
      t.true(rx.got.every((g) => g.port === s.localPort));
      t.is(s.errors, 0);
      // The receiver's keepalives (§5.5) come back to the source port.
      t.is(s.received(), 0);
      for (let i = 0; i < 3; i++) rx.socket.send(Buffer.from([0x13, 0x37]), s.localPort, '127.0.0.1');
      let heard = 0;
      t.true(await until(() => (heard += s.received()) >= 3), `heard ${heard}`);
      t.is(heard, 3);
    } finally {
      s.close();
      s.close();
      rx.socket.close();
    }
  });

  anyTest(`${name}: a refused port and a closed sender are counted errors, not throws`, async (t) => {
    const n = make();
    const rx = await receiver();
    const port = rx.port;
    rx.socket.close(); // nothing listens there any more: the kernel answers ICMP port unreachable
    const s = await n.udpSenderOpen({ bindAddress: '127.0.0.1', address: '127.0.0.1', port });
    const buf = Buffer.alloc(64);
    // The refusal is reported on a later send (native) or in the send callback (dgram).
    t.true(await until(() => {
      s.send(buf, 64, 1);
      return s.errors > 0;
    }), 'no error counted');
    t.is(s.lastError, 'ECONNREFUSED');
    t.is(s.received(), 0);
    s.close();
    const before = s.errors;
    t.is(s.send(buf, 32, 2), 0);
    t.is(s.errors, before + 2);
    t.is(s.received(), 0);
  });

  anyTest(`${name}: bad options reject with a clear error`, async (t) => {
    const n = make();
    await t.throwsAsync(n.udpSenderOpen({ bindAddress: 'not-an-ip', address: '127.0.0.1', port: 9 }));
    // 192.0.2.1 (TEST-NET-1) is on no interface here.
    const e = await t.throwsAsync(n.udpSenderOpen({ bindAddress: '192.0.2.1', address: '127.0.0.1', port: 9 }));
    t.regex(`${(e as NodeJS.ErrnoException).code} ${e!.message}`, /EADDRNOTAVAIL/);
  });
}

anyTest('native: send arguments are checked (buffer bounds, batch size, length, data type)', async (t) => {
  const n = loadNative();
  t.true(n.native);
  const rx = await receiver();
  const s = await n.udpSenderOpen({ bindAddress: '127.0.0.1', address: '127.0.0.1', port: rx.port });
  try {
    const buf = Buffer.alloc(100);
    t.throws(() => s.send(buf, 60, 2), { instanceOf: RangeError, message: /exceeds data/ });
    t.throws(() => s.send(buf, 10, 0), { instanceOf: TypeError, message: /count/ });
    t.throws(() => s.send(buf, 1, 65), { instanceOf: TypeError, message: /count/ });
    t.throws(() => s.send(buf, 0, 1), { instanceOf: TypeError, message: /length/ });
    t.throws(() => s.send('x' as unknown as Buffer, 1, 1), { instanceOf: TypeError, message: /Uint8Array/ });
    t.is(s.errors, 0);
    t.is(s.send(buf, 10, 10), 10);
    t.true(await until(() => rx.got.length === 10));
  } finally {
    s.close();
    rx.socket.close();
  }
});

interface PeerOut {
  native: boolean;
  localPort: number;
  sent: number;
  heard: number;
  errors: number;
}

function runPeer(ns: string, args: string[], env: NodeJS.ProcessEnv): Promise<PeerOut> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, PEER, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`peer exited ${code}: ${err.slice(-800)}`));
      else resolve(JSON.parse(line) as PeerOut);
    });
  });
}

/** Receives in nsB (unicast port or a joined group), answers each unicast packet's source with a keepalive. */
async function listen(ns: string, bind: string, group: string | undefined, iface: string, count: number): Promise<{ ready: Promise<number>; done: Promise<{ packets: number; lengths: number[]; sources: number[] }> }> {
  const script = `
    const dgram = require('node:dgram');
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    const lengths = [], sources = new Set();
    s.on('message', (m, r) => {
      lengths.push(m.length); sources.add(r.port);
      ${group ? '' : "s.send(Buffer.from([0x13, 0x37]), r.port, r.address);"}
      if (lengths.length === ${count}) setTimeout(() => { console.log(JSON.stringify({ packets: lengths.length, lengths: [...new Set(lengths)], sources: [...sources] })); process.exit(0); }, 300);
    });
    s.bind(${group ? 7000 : 0}, ${JSON.stringify(group ?? bind)}, () => {
      ${group ? `s.addMembership(${JSON.stringify(group)}, ${JSON.stringify(iface)});` : ''}
      console.log('port ' + s.address().port);
    });
    setTimeout(() => process.exit(3), 15000);`;
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let resolvePort!: (p: number) => void;
  const ready = new Promise<number>((r) => (resolvePort = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /port (\d+)/.exec(out);
    if (m) resolvePort(Number(m[1]));
  });
  const done = new Promise<{ packets: number; lengths: number[]; sources: number[] }>((resolve, reject) =>
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`listener exited ${code}: ${out.slice(-400)}`));
      else resolve(JSON.parse(line) as { packets: number; lengths: number[]; sources: number[] });
    }),
  );
  return { ready, done };
}

for (const [name, env] of [['native', {}], ['INFERNO_NATIVE=0', { INFERNO_NATIVE: '0' }]] as const) {
  nsTest.serial(`${name}: unicast and multicast flows cross namespaces from the device address; unicast keepalives come back`, async (t) => {
    const pair = createVethPair('pt', 31);
    try {
      // Unicast: 40 batches of 3 packets of 393 bytes (8 ch × 16 frames × 24 bit + header).
      const uni = await listen(pair.nsB, pair.addrB, undefined, pair.addrB, 120);
      const port = await uni.ready;
      const u = await runPeer(pair.nsA, [pair.addrA, pair.addrB, String(port), '', '40', '3', '393'], env);
      const got = await uni.done;
      t.is(u.native, name === 'native');
      t.is(u.sent, 120);
      t.is(u.errors, 0);
      t.deepEqual(got, { packets: 120, lengths: [393], sources: [u.localPort] });
      t.is(u.heard, 120);
      // Multicast on the device's interface.
      const multi = await listen(pair.nsB, pair.addrB, '239.69.1.2', pair.addrB, 30);
      await multi.ready;
      const m = await runPeer(pair.nsA, [pair.addrA, '239.69.1.2', '7000', pair.addrA, '30', '1', '201'], env);
      const mgot = await multi.done;
      t.is(m.sent, 30);
      t.deepEqual(mgot, { packets: 30, lengths: [201], sources: [m.localPort] });
    } finally {
      pair.destroy();
    }
  });
}
