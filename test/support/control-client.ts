// A small controller for the control-plane integration tests, run as a script inside a test
// namespace (never in the machine's own): `node control-client.js '<job JSON>'` or `-` with the job on stdin. Prints one JSON
// result on stdout (the `renames` job also prints `ACK <name>` lines as acknowledgements arrive).
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export type Job =
  | { mode: 'status'; url: string; waitMs: number }
  | { mode: 'requests'; target: string; local: string; packets: { port: number; hex: string; kind: 'arc' | 'cmc' | 'info'; to?: string }[]; timeoutMs: number }
  | { mode: 'renames'; target: string; port: number; prefix: string; count: number; timeoutMs: number }
  | { mode: 'blast'; target: string; local: string; packets: { port: number; hex: string; to?: string }[]; pauseEvery: number; pauseMs: number; settleMs: number; barrier?: Barrier }
  | { mode: 'listen'; local: string; group: string; port: number; durationMs: number };

const NOTICE_GRACE_MS = 15;

/**
 * Flow control for a blast: after every `every` packets, send `hex` (to the last packet's port
 * and address, or `port`) with a fresh 16-bit id at `idOffset`, and wait for the reply carrying that id.
 * The device reads a socket in order, so the reply means the batch was read: batches smaller
 * than a socket's receive buffer are never lost to a slow (loaded) receiver.
 */
export interface Barrier {
  every: number;
  hex: string;
  idOffset: number;
  timeoutMs: number;
  /** Port for the barrier (default: the last packet's). */
  port?: number;
}

export interface Reply {
  port: number;
  hex: string;
  /** Came by multicast (224.0.0.231:8702) rather than unicast. */
  multicast: boolean;
}

function httpJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(e as Error);
        }
      });
    });
    req.on('error', reject);
    req.setTimeout(1000, () => req.destroy(new Error('timeout')));
  });
}

async function status(job: Extract<Job, { mode: 'status' }>): Promise<unknown> {
  const end = Date.now() + job.waitMs;
  for (;;) {
    try {
      return await httpJson(job.url);
    } catch (e) {
      if (Date.now() > end) throw e;
      await sleep(100);
    }
  }
}

function bound(local: string, port = 0, group?: string): Promise<Socket> {
  const s = createSocket({ type: 'udp4', reuseAddr: true });
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    // A multicast listener binds the group port on any address so group traffic reaches it.
    s.bind({ port, ...(group ? {} : { address: local }) }, () => {
      s.off('error', reject);
      if (group) s.addMembership(group, local);
      // Packets addressed to a group (a per-packet `to`) leave on the LAN interface.
      if (local !== '0.0.0.0') s.setMulticastInterface(local);
      resolve(s);
    });
  });
}

/** Sends each request and collects what comes back: unicast replies, and for info-port requests the 8702 multicast. */
async function requests(job: Extract<Job, { mode: 'requests' }>): Promise<unknown> {
  const uni = await bound(job.local);
  const mc = await bound(job.local, 8702, '224.0.0.231');
  const results: { sent: string; replies: Reply[]; notices: Reply[] }[] = [];
  let current: Reply[] = [];
  uni.on('message', (m, r) => current.push({ port: r.port, hex: m.toString('hex'), multicast: false }));
  mc.on('message', (m, r) => {
    if (r.address === job.target) current.push({ port: r.port, hex: m.toString('hex'), multicast: true });
  });
  for (const p of job.packets) {
    current = [];
    const replies = current;
    uni.send(Buffer.from(p.hex, 'hex'), p.port, p.to ?? job.target);
    const end = Date.now() + job.timeoutMs;
    // Unicast requests get one reply; info requests are answered by multicast (maybe several).
    while (Date.now() < end && (p.kind === 'info' || !replies.some((x) => !x.multicast))) await sleep(5);
    // Notices a request causes (0x0102) follow its unicast reply; give them a moment.
    if (p.kind !== 'info') await sleep(NOTICE_GRACE_MS);
    results.push({ sent: p.hex, replies: p.kind === 'info' ? replies.filter((x) => x.multicast) : replies.filter((x) => !x.multicast), notices: replies.filter((x) => x.multicast) });
  }
  uni.close();
  mc.close();
  return results;
}

/** Renames the device `count` times over ARC 0x1001, one at a time, printing each acknowledgement. */
async function renames(job: Extract<Job, { mode: 'renames' }>): Promise<unknown> {
  const s = await bound('0.0.0.0');
  let acked = 0;
  for (let i = 0; i < job.count; i++) {
    const name = `${job.prefix}${i}`;
    const tid = (i + 1) & 0xffff;
    const pkt = Buffer.alloc(10 + Buffer.byteLength(name) + 1);
    pkt.writeUInt16BE(0x27ff, 0);
    pkt.writeUInt16BE(pkt.length, 2);
    pkt.writeUInt16BE(tid, 4);
    pkt.writeUInt16BE(0x1001, 6);
    pkt.write(name, 10);
    process.stdout.write(`SEND ${name}\n`);
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        s.off('message', onMsg);
        resolve(false);
      }, job.timeoutMs);
      const onMsg = (m: Buffer) => {
        if (m.length >= 10 && m.readUInt16BE(4) === tid && m.readUInt16BE(6) === 0x1001 && m.readUInt16BE(8) === 1) {
          clearTimeout(timer);
          s.off('message', onMsg);
          resolve(true);
        }
      };
      s.on('message', onMsg);
      s.send(pkt, job.port, job.target);
    });
    if (!ok) break;
    acked++;
    process.stdout.write(`ACK ${name}\n`);
  }
  s.close();
  return { acked };
}

/** Sends many packets (paced so the kernel buffers keep up) and counts unicast replies per port. */
async function blast(job: Extract<Job, { mode: 'blast' }>): Promise<unknown> {
  const s = await bound(job.local);
  const repliesByPort: Record<number, number> = {};
  const b = job.barrier;
  let waiting: { id: number; done(): void } | undefined;
  // Every reply is counted, the barriers' too (a reply to another packet that happens to carry the
  // id only ends a wait early).
  s.on('message', (m, r) => {
    repliesByPort[r.port] = (repliesByPort[r.port] ?? 0) + 1;
    if (b && waiting && m.length >= b.idOffset + 2 && m.readUInt16BE(b.idOffset) === waiting.id) waiting.done();
  });
  let n = 0;
  let barriers = 0;
  const send = (hex: string, port: number, to: string) => new Promise<void>((resolve) => s.send(Buffer.from(hex, 'hex'), port, to, () => resolve()));
  for (const p of job.packets) {
    await send(p.hex, p.port, p.to ?? job.target);
    if (++n % job.pauseEvery === 0) await sleep(job.pauseMs);
    if (b && (n % b.every === 0 || n === job.packets.length)) {
      const id = 0xb000 + (barriers++ & 0xfff);
      const pkt = Buffer.from(b.hex, 'hex');
      pkt.writeUInt16BE(id, b.idOffset);
      const answered = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to barrier ${barriers} after ${n} packets`)), b.timeoutMs);
        waiting = { id, done: () => (clearTimeout(timer), (waiting = undefined), resolve()) };
      });
      await send(pkt.toString('hex'), b.port ?? p.port, p.to ?? job.target);
      await answered;
    }
  }
  await sleep(job.settleMs);
  s.close();
  return { sent: n, barriers, repliesByPort };
}

/** Collects datagrams sent to a multicast group for a while. */
async function listen(job: Extract<Job, { mode: 'listen' }>): Promise<unknown> {
  const s = await bound(job.local, job.port, job.group);
  const seen: { from: string; hex: string }[] = [];
  s.on('message', (m, r) => seen.push({ from: `${r.address}:${r.port}`, hex: m.toString('hex') }));
  await sleep(job.durationMs);
  s.close();
  return seen;
}

async function main(): Promise<void> {
  // Large jobs (thousands of packets) exceed the argument size limit: '-' reads the job from stdin.
  let text = process.argv[2] ?? '{}';
  if (text === '-') {
    text = '';
    for await (const chunk of process.stdin) text += String(chunk);
  }
  const job = JSON.parse(text) as Job;
  let out: unknown;
  switch (job.mode) {
    case 'status': out = await status(job); break;
    case 'requests': out = await requests(job); break;
    case 'renames': out = await renames(job); break;
    case 'blast': out = await blast(job); break;
    case 'listen': out = await listen(job); break;
    default: throw new Error(`unknown job ${JSON.stringify(job)}`);
  }
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`control-client: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
