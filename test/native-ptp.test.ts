import anyTest from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createFallback, loadNative, nativeStatus, type NativeTimer, type PtpSocket } from '../dist/native/index.js';
import { createVethPair } from './support/native-netns.js';
import { interop } from './support/needs.js';

const test = interop({ root: true, commands: ['ip'] });
const PEER = fileURLToPath(new URL('./support/native-ptp-peer.js', import.meta.url));
const MS = 1_000_000n;

interface Stamp { ts: string | null; kind: string | null }
interface PeerResult {
  native: boolean;
  info: { timestampKind: string; txTimestamps: boolean };
  beforeTx?: string;
  afterTx?: string;
  afterRx: string;
  tx: Stamp;
  rx: { ts: string; kind: string; data: string; from: string };
}

// Runs the peer script in a namespace; resolves its JSON line. `ready` fires on its 'ready' line.
function runPeer(ns: string, args: string[], env: NodeJS.ProcessEnv, ready?: () => void): Promise<PeerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, PEER, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (ready && out.includes('ready\n')) {
        ready();
        ready = undefined;
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) return reject(new Error(`peer ${args[0]} exited ${code}: ${err}`));
      resolve(JSON.parse(line) as PeerResult);
    });
  });
}

async function roundTrip(tag: string, subnet: number, env: NodeJS.ProcessEnv): Promise<{ a: PeerResult; b: PeerResult }> {
  const pair = createVethPair(tag, subnet);
  try {
    let started!: () => void;
    const isReady = new Promise<void>((r) => (started = r));
    const b = runPeer(pair.nsB, ['responder', pair.addrB], env, started);
    await Promise.race([isReady, b]);
    const a = await runPeer(pair.nsA, ['initiator', pair.addrA], env);
    return { a, b: await b };
  } finally {
    pair.destroy();
  }
}

test('native: kernel RX and TX timestamps over a veth pair, near CLOCK_REALTIME', async (t) => {
  if (!nativeStatus().loaded) return t.fail(`native helper not loaded: ${nativeStatus().reason}`);
  const { a, b } = await roundTrip('ptpn', 11, { ...process.env, INFERNO_NATIVE: '1' });
  t.log('initiator', JSON.stringify(a));
  t.log('responder', JSON.stringify(b));
  t.true(a.native && b.native);
  t.is(a.info.timestampKind, 'software'); // veth has no hardware stamps: the hardware request falls back
  t.is(a.tx.kind, 'software');
  t.is(b.rx.kind, 'software');
  t.is(b.tx.kind, 'software');
  t.is(a.rx.kind, 'software');
  t.is(b.rx.data, 'sync');
  t.is(a.rx.data, 'reply');
  const tx = BigInt(a.tx.ts!);
  // The kernel stamped the send between the two clock reads around send().
  t.true(tx >= BigInt(a.beforeTx!) && tx <= BigInt(a.afterTx!), 'TX stamp inside the send call');
  // Namespaces share CLOCK_REALTIME, so causality holds across them.
  const rxB = BigInt(b.rx.ts);
  t.true(rxB >= tx && rxB - tx < 50n * MS, `responder RX ${rxB - tx} ns after TX`);
  t.true(BigInt(b.afterRx) >= rxB && BigInt(b.afterRx) - rxB < 1000n * MS);
  const txB = BigInt(b.tx.ts!);
  const rxA = BigInt(a.rx.ts);
  t.true(txB >= rxB && rxA >= txB && rxA - txB < 50n * MS, 'reply stamped in order');
  t.true(BigInt(a.afterRx) >= rxA);
});

test('fallback: the same round trip on node:dgram with JS timestamps', async (t) => {
  const { a, b } = await roundTrip('ptpf', 12, { ...process.env, INFERNO_NATIVE: '0' });
  t.false(a.native || b.native);
  t.is(a.info.timestampKind, 'js');
  t.is(a.tx.kind, 'js');
  t.is(b.rx.kind, 'js');
  t.is(b.rx.data, 'sync');
  t.is(a.rx.data, 'reply');
  const tx = BigInt(a.tx.ts!);
  const rxB = BigInt(b.rx.ts);
  // Separate processes anchor their wall clock separately: only a loose bound.
  t.true(rxB - tx > -20n * MS && rxB - tx < 1000n * MS, `responder RX ${rxB - tx} ns after TX`);
});

// The kernel enables RX timestamping asynchronously when the first timestamping socket opens; on a
// quiet host the first datagram can arrive unstamped ('user'). Wait until stamps flow.
async function waitForStamps(a: PtpSocket, b: PtpSocket): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await a.send(Buffer.from('probe'), '127.0.0.1', b.info().localPort);
    const m = await b.recv(1000);
    if (m?.timestampKind === 'software') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no kernel RX timestamps on loopback');
}

// Loopback in the host namespace is allowed traffic: unicast to 127.0.0.1 only.
for (const [name, make] of [
  ['native', () => loadNative()],
  ['fallback', () => createFallback('test')],
] as const) {
  anyTest(`${name}: unicast loopback round trip and timeouts`, async (t) => {
    const n: NativeTimer = make();
    if (name === 'native' && !n.native) return t.fail('native helper not loaded');
    const a = await n.ptpSocketOpen({ bindAddress: '127.0.0.1', port: 0 });
    const b = await n.ptpSocketOpen({ bindAddress: '127.0.0.1', port: 0 });
    try {
      t.is(await b.recv(20), null);
      if (n.native) await waitForStamps(a, b);
      const before = n.clockNs(n.CLOCK_REALTIME);
      const s = await a.send(Buffer.from([1, 2, 3]), '127.0.0.1', b.info().localPort, { wantTxTimestamp: true });
      const noTs = await a.send(new Uint8Array([4]), '127.0.0.1', b.info().localPort);
      t.is(noTs.txTimestampNs, null);
      const m1 = await b.recv(2000);
      const m2 = await b.recv(2000);
      const after = n.clockNs(n.CLOCK_REALTIME);
      t.deepEqual([...(m1?.data ?? [])], [1, 2, 3]);
      t.deepEqual([...(m2?.data ?? [])], [4]);
      t.is(m1?.port, a.info().localPort);
      t.not(s.txTimestampNs, null);
      for (const ts of [s.txTimestampNs!, m1!.timestampNs, m2!.timestampNs]) t.true(ts >= before - MS && ts <= after + MS);
      t.is(m1!.timestampKind, n.native ? 'software' : 'js');
    } finally {
      a.close();
      b.close();
      a.close(); // idempotent
    }
    t.is(await a.recv(0), null);
  });

  anyTest(`${name}: readable events wake the reader; nothing fires while idle`, async (t) => {
    const n: NativeTimer = make();
    if (name === 'native' && !n.native) return t.fail('native helper not loaded');
    const a = await n.ptpSocketOpen({ bindAddress: '127.0.0.1', port: 0 });
    const b = await n.ptpSocketOpen({ bindAddress: '127.0.0.1', port: 0 });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      let calls = 0;
      let wake: (() => void) | undefined;
      b.onReadable(() => {
        calls++;
        wake?.();
      });
      // a only sends: its own TX timestamps (collected by send) must not keep its watcher firing.
      let aCalls = 0;
      a.onReadable(() => aCalls++);
      await sleep(100);
      t.is(calls, 0, 'no callback without a datagram');
      const arrived = new Promise<void>((r) => (wake = r));
      await a.send(Buffer.from([7]), '127.0.0.1', b.info().localPort, { wantTxTimestamp: true });
      await a.send(Buffer.from([8]), '127.0.0.1', b.info().localPort);
      await Promise.race([arrived, sleep(5000)]);
      t.true(calls >= 1, 'readable after a send');
      const got: number[] = [];
      for (let m = b.tryRecv(); m; m = b.tryRecv()) got.push(m.data[0]!);
      if (got.length < 2) {
        await sleep(50);
        for (let m = b.tryRecv(); m; m = b.tryRecv()) got.push(m.data[0]!);
      }
      t.deepEqual(got, [7, 8]);
      t.is(a.tryRecv(), null);
      const settled = calls;
      await sleep(100);
      t.true(calls - settled <= 1, `drained socket stops calling (${calls - settled} more)`);
      t.true(aCalls <= 2, `a sender's watcher stays quiet (${aCalls} calls)`);
      b.onReadable(null);
      await a.send(Buffer.from([9]), '127.0.0.1', b.info().localPort);
      await sleep(100);
      const stopped = calls;
      await sleep(50);
      t.is(calls, stopped, 'null stops the callbacks');
      t.is(b.tryRecv()?.data[0], 9);
    } finally {
      a.close();
      b.close();
    }
    t.is(b.tryRecv(), null, 'closed: null');
  });

  anyTest(`${name}: bad socket options are TypeErrors`, async (t) => {
    const n = make();
    await t.throwsAsync(() => n.ptpSocketOpen({ bindAddress: '1.2.3', port: 0 }), { instanceOf: TypeError });
    await t.throwsAsync(() => n.ptpSocketOpen({ bindAddress: '127.0.0.1', port: 70000 }), { instanceOf: TypeError });
    await t.throwsAsync(() => n.ptpSocketOpen({ bindAddress: '127.0.0.1', port: 0, multicastGroup: '10.0.0.1' }), { instanceOf: TypeError });
    await t.throwsAsync(() => n.ptpSocketOpen(null as never), { instanceOf: TypeError });
    // Not a local address (TEST-NET-1): a system error with Node's usual code, nothing sent.
    await t.throwsAsync(() => n.ptpSocketOpen({ bindAddress: '192.0.2.1', port: 0 }), { code: 'EADDRNOTAVAIL' });
    const s = await n.ptpSocketOpen({ bindAddress: '127.0.0.1', port: 0 });
    try {
      await t.throwsAsync(() => s.recv(-1), { instanceOf: TypeError });
      await t.throwsAsync(() => s.send('x' as never, '127.0.0.1', 9), { instanceOf: TypeError });
    } finally {
      s.close();
    }
  });
}
