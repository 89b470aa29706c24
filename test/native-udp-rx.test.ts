// RX flow sockets (udpReceiverOpen): the native recvmmsg receiver and the node:dgram fallback hand
// over the same datagrams, lengths and sources; the native one in batches, counting oversize
// datagrams as truncated; neither calls its handler after close; keepalives go out from the flow
// socket; a worker ended with a socket open exits cleanly; multicast groups are joined on the
// device's interface inside a namespace.
import anyTest from 'ava';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createFallback, loadNative, RX_FLAG_TRUNCATED, type NativeTimer, type RxBatch, type UdpReceiver } from '../dist/native/index.js';
import { ipv4ToNumber, numberToIpv4, openDgramUdpReceiver, RX_BATCH_SLOTS, RX_SLOT_BYTES } from '../dist/native/udp-receiver.js';
import { createVethPair } from './support/native-netns.js';
import { interop } from './support/needs.js';

const nsTest = interop({ root: true, commands: ['ip'] });
const RX_PEER = fileURLToPath(new URL('./support/udp-rx-peer.js', import.meta.url));
const TX_PEER = fileURLToPath(new URL('./support/udp-tx-peer.js', import.meta.url));
const RX_WORKER = new URL('./support/udp-rx-worker.js', import.meta.url);

const impls: [string, () => NativeTimer][] = [
  ['native', () => loadNative()],
  ['fallback', () => createFallback('test')],
];

interface Got {
  batches: number[];
  datagrams: { length: number; first: number; last: number; source: string; flags: number }[];
}

function recorder(): { got: Got; onBatch: (b: RxBatch, count: number) => void } {
  const got: Got = { batches: [], datagrams: [] };
  return {
    got,
    onBatch(b, count) {
      got.batches.push(count);
      for (let i = 0; i < count; i++) {
        const m = b.meta.subarray(i * 4, i * 4 + 4);
        const bytes = Math.min(m[0]!, b.packets[i]!.length);
        got.datagrams.push({ length: m[0]!, first: b.packets[i]![0]!, last: b.packets[i]![bytes - 1]!, source: `${numberToIpv4(m[1]!)}:${m[2]}`, flags: m[3]! });
      }
    },
  };
}

async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

const open = (n: NativeTimer, onBatch: (b: RxBatch, count: number) => void): Promise<UdpReceiver> =>
  n.udpReceiverOpen({ bindAddress: '127.0.0.1', port: 0, recvBufferBytes: 1 << 20 }, onBatch);

anyTest('dotted quads convert both ways', (t) => {
  for (const s of ['0.0.0.0', '127.0.0.1', '10.77.9.2', '255.255.255.255', '239.69.1.2']) t.is(numberToIpv4(ipv4ToNumber(s)), s);
  t.is(ipv4ToNumber('127.0.0.1'), 0x7f000001);
});

for (const [name, make] of impls) {
  anyTest(`${name}: datagrams arrive in order with their lengths and source${name === 'native' ? ', in batches' : ''}`, async (t) => {
    const n = make();
    const r = recorder();
    const rx = await open(n, r.onBatch);
    // The native sender queues 64 datagrams per call before this thread's loop turns, so the
    // receiver finds them waiting together.
    const tx = await loadNative().udpSenderOpen({ bindAddress: '127.0.0.1', address: '127.0.0.1', port: rx.localPort });
    try {
      t.is(rx.native, name === 'native');
      t.is(rx.localAddress, '127.0.0.1');
      t.true(rx.localPort > 0);
      t.true(rx.recvBufferBytes >= 1 << 16, `SO_RCVBUF ${rx.recvBufferBytes}`);
      const total = 200;
      const buf = Buffer.alloc(100 * 64);
      let sent = 0;
      while (sent < total) {
        const k = Math.min(64, total - sent);
        for (let i = 0; i < k; i++) buf.fill((sent + i) & 0xff, i * 100, (i + 1) * 100);
        t.is(tx.send(buf, 100, k), k);
        sent += k;
      }
      // Odd lengths on their own.
      for (const len of [1, 9, 393, 1500]) t.is(tx.send(Buffer.alloc(len, len & 0xff), len, 1), 1);
      t.true(await until(() => r.got.datagrams.length >= total + 4), `got ${r.got.datagrams.length}`);
      const src = `127.0.0.1:${tx.localPort}`;
      const want = [
        ...Array.from({ length: total }, (_, i) => ({ length: 100, first: i & 0xff, last: i & 0xff, source: src, flags: 0 })),
        ...[1, 9, 393, 1500].map((len) => ({ length: len, first: len & 0xff, last: len & 0xff, source: src, flags: 0 })),
      ];
      t.deepEqual(r.got.datagrams, want);
      const st = rx.stats();
      t.is(st.datagrams, total + 4);
      t.is(st.batches, r.got.batches.length);
      t.is(st.truncated, 0);
      t.is(st.errors, 0);
      if (name === 'native') {
        // One handler call per recvmmsg, not per datagram (dgram: 204 calls).
        t.true(r.got.batches.length <= 20, `batches ${r.got.batches.join(',')}`);
        t.true(Math.max(...r.got.batches) > 1);
        t.true(Math.max(...r.got.batches) <= RX_BATCH_SLOTS);
      } else t.deepEqual(r.got.batches, Array(total + 4).fill(1));
    } finally {
      rx.close();
      tx.close();
    }
  });

  anyTest(`${name}: a datagram longer than a slot keeps its length${name === 'native' ? ' and is counted truncated' : ''}`, async (t) => {
    const n = make();
    const r = recorder();
    const rx = await open(n, r.onBatch);
    const tx = dgram.createSocket('udp4');
    try {
      for (const len of [RX_SLOT_BYTES + 1, 2000, RX_SLOT_BYTES]) {
        await new Promise<void>((res, rej) => tx.send(Buffer.alloc(len, 7), rx.localPort, '127.0.0.1', (e) => (e ? rej(e) : res())));
      }
      t.true(await until(() => r.got.datagrams.length >= 3));
      const flags = name === 'native' ? RX_FLAG_TRUNCATED : 0;
      t.deepEqual(r.got.datagrams.map((d) => [d.length, d.flags, d.first, d.last]), [[RX_SLOT_BYTES + 1, flags, 7, 7], [2000, flags, 7, 7], [RX_SLOT_BYTES, 0, 7, 7]]);
      t.is(rx.stats().truncated, name === 'native' ? 2 : 0);
    } finally {
      rx.close();
      tx.close();
    }
  });

  anyTest(`${name}: keepalives go out from the flow socket to the source`, async (t) => {
    const n = make();
    const rx = await open(n, () => {});
    const src = dgram.createSocket('udp4');
    const heard: { data: number[]; port: number }[] = [];
    src.on('message', (d, ri) => heard.push({ data: [...d], port: ri.port }));
    await new Promise<void>((res) => src.bind(0, '127.0.0.1', res));
    try {
      for (let i = 0; i < 3; i++) rx.send(Buffer.from([0x13, 0x37]), '127.0.0.1', src.address().port);
      t.true(await until(() => heard.length >= 3));
      t.deepEqual(heard, Array(3).fill({ data: [0x13, 0x37], port: rx.localPort }));
      t.is(rx.stats().errors, 0);
    } finally {
      rx.close();
      src.close();
    }
  });

  anyTest(`${name}: no handler call after close, from inside the handler or outside, while packets arrive`, async (t) => {
    const n = make();
    let inner = 0;
    let afterInner = 0;
    let closedInner = false;
    // This one closes itself from its handler, on its third call.
    const a: UdpReceiver = await open(n, () => {
      if (closedInner) afterInner++;
      else if (++inner === 3) {
        a.close();
        closedInner = true;
      }
    });
    let outer = 0;
    const b = await open(n, () => outer++);
    const txa = await loadNative().udpSenderOpen({ bindAddress: '127.0.0.1', address: '127.0.0.1', port: a.localPort });
    const txb = await loadNative().udpSenderOpen({ bindAddress: '127.0.0.1', address: '127.0.0.1', port: b.localPort });
    const buf = Buffer.alloc(64 * 40);
    const flood = setInterval(() => {
      txa.send(buf, 40, 64);
      txb.send(buf, 40, 64);
    }, 1);
    try {
      t.true(await until(() => closedInner && outer >= 3), `inner ${inner}, outer ${outer}`);
      b.close();
      b.close();
      const outerAtClose = outer;
      await new Promise((r) => setTimeout(r, 200));
      t.is(afterInner, 0);
      t.is(outer, outerAtClose);
      // Closed sockets still answer their counters, and sends are no-ops.
      t.true(a.stats().datagrams > 0);
      t.true(b.stats().datagrams > 0);
      a.send(Buffer.from([0x13, 0x37]), '127.0.0.1', 9);
      t.pass();
    } finally {
      clearInterval(flood);
      for (const s of [txa, txb]) s.close();
      a.close();
      b.close();
    }
  });

  anyTest(`${name}: bad options reject with a clear error`, async (t) => {
    const n = make();
    await t.throwsAsync(n.udpReceiverOpen({ bindAddress: 'not-an-ip', port: 0, recvBufferBytes: 4096 }, () => {}));
    // 192.0.2.1 (TEST-NET-1) is on no interface here.
    const e = await t.throwsAsync(n.udpReceiverOpen({ bindAddress: '192.0.2.1', port: 0, recvBufferBytes: 4096 }, () => {}));
    t.regex(`${(e as NodeJS.ErrnoException).code} ${e!.message}`, /EADDRNOTAVAIL/);
  });
}

anyTest('the dgram path can be chosen while the addon is loaded', async (t) => {
  t.true(loadNative().native);
  const rx = await openDgramUdpReceiver({ bindAddress: '127.0.0.1', port: 0, recvBufferBytes: 4096 }, () => {});
  t.false(rx.native);
  rx.close();
});

anyTest('a worker thread ended with a native RX socket open exits cleanly (twice)', async (t) => {
  for (let round = 0; round < 2; round++) {
    const w = new Worker(RX_WORKER);
    const first = await new Promise<{ native: boolean; port: number }>((res, rej) => {
      w.once('message', res);
      w.once('error', rej);
    });
    t.true(first.native);
    // It receives in its own loop...
    const got = new Promise<{ got: number }>((res) => w.once('message', res));
    const s = dgram.createSocket('udp4');
    s.send(Buffer.alloc(10), first.port, '127.0.0.1');
    t.true((await got).got >= 1);
    s.close();
    // ...and terminate() closes the poll handle before the loop (no abort on open handles).
    t.is(await w.terminate(), 1);
  }
});

function peer(ns: string, script: string, args: string[], env: NodeJS.ProcessEnv): { out: () => string; done: Promise<string> } {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<string>((resolve, reject) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${script} exited ${code}: ${err.slice(-800)}`));
      else resolve(out);
    }),
  );
  return { out: () => out, done };
}

for (const [name, env] of [['native', {}], ['INFERNO_NATIVE=0', { INFERNO_NATIVE: '0' }]] as const) {
  nsTest.serial(`${name}: two RX sockets on one multicast group and port both receive it, joined on the device's interface`, async (t) => {
    const pair = createVethPair('rxm', 41);
    try {
      const group = '239.69.41.7';
      const rx = peer(pair.nsB, RX_PEER, [pair.addrB, group, '4321', '60'], env);
      t.true(await until(() => rx.out().includes('ready'), 20_000), 'receiver did not start');
      const tx = JSON.parse((await peer(pair.nsA, TX_PEER, [pair.addrA, group, '4321', pair.addrA, '20', '3', '393'], env).done).trim().split('\n').pop()!) as { localPort: number; sent: number };
      t.is(tx.sent, 60);
      const got = JSON.parse((await rx.done).split('\n').find((l) => l.startsWith('{'))!) as { native: boolean[]; counts: number[]; lengths: number[]; sources: string[] };
      t.deepEqual(got, { native: [name === 'native', name === 'native'], counts: [60, 60], lengths: [393], sources: [`${pair.addrA}:${tx.localPort}`] });
    } finally {
      pair.destroy();
    }
  });
}
