// End to end with three real devices: A transmits the pattern on 16 channels; B receives all 16 from
// A as unicast flows (ARC 0x3010 from a controller) and transmits the pattern itself; a controller
// creates a multicast TX flow on A over ARC 0x2201 for A's channels 9-16, and C receives those 8 by
// joining the multicast bundle plus 8 unicast channels from B. Every sample B and C write to their
// FIFOs must equal the pattern for its media time, with no dropout once all channels receive except
// where its transmitter counted a stall (tx-stalls.ts), and come out RX latency after its media time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LATENCY_NS } from '../dist/config/schema.js';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import type { LanHost } from './support/netns.js';
import { waitFor } from './support/inferno-process.js';
import { arc, mediaNow, sleep, startDevice, stopFetchers, udpRcvbufErrors } from './support/e2e-devices.js';
import type { E2eDevice } from './support/e2e-devices.js';
import { assertCapture, captureFifo, checkCapture, readerLatency } from './support/capture-check.js';
import type { FifoCapture } from './support/capture-check.js';
import { watchTxStalls } from './support/tx-stalls.js';
import type { StallWatch } from './support/tx-stalls.js';

const test = interop({ root: true, commands: ['ip', 'mkfifo', 'chrt'] });
const txName = (n: number) => String(n).padStart(2, '0');
const RATE = 48000;
const BITS = 24;
const RX_LATENCY_NS = 20_000_000;
/** The devices' TX latency: not set here, so the default. */
const TX_LATENCY_NS = DEFAULT_LATENCY_NS;
/** Frames per packet of every flow here (Inferno's default; multicast flows always use 32). */
const FPP = 32;
const SECONDS = Number(process.env.E2E_THREE_SECONDS ?? 20);
/** A's channels in the multicast flow (C's RX 1-8); B's TX 1-8 go to C's RX 9-16. */
const MULTICAST_CHANNELS = [9, 10, 11, 12, 13, 14, 15, 16];
const MULTICAST_SLOT = 8;
const C_MAP = [...MULTICAST_CHANNELS, 1, 2, 3, 4, 5, 6, 7, 8];
const B_MAP = Array.from({ length: 16 }, (_, i) => i + 1);
const UNICAST = 9;
const MULTICAST = 10;

interface Sub { rx: number; status: number }
const statusCount = (subs: Sub[] | undefined, rxs: number[], want: number) => (subs ?? []).filter((s) => rxs.includes(s.rx) && (s.status & 0xffff) === want).length;
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

test.serial('three devices: unicast A→B, multicast A→C and unicast B→C, sample-exact at the RX latency for 20 s', async (t) => {
  t.timeout(90_000 + SECONDS * 1000);
  const lan = createLan(3, { tag: 'em3' });
  const dir = mkdtempSync(join(tmpdir(), 'e2e-3-'));
  const devs: E2eDevice[] = [];
  const fifos: FifoCapture[] = [];
  try {
    const [ha, hb, hc] = lan.hosts as [LanHost, LanHost, LanHost];
    // No multicast route: sockets must pick the bound interface themselves (on a real host the
    // route to 224.0.0.0/4 usually follows the default route, often another interface).
    for (const h of lan.hosts) t.is((await h.run('ip', ['route', 'del', '224.0.0.0/4'])).code, 0);
    const fifoB = await captureFifo(join(dir, 'b.fifo'), RATE);
    const fifoC = await captureFifo(join(dir, 'c.fifo'), RATE);
    fifos.push(fifoB, fifoC);
    const a = await startDevice(ha, { name: 'dev-a', deviceId: '00000a4d0000003a', stateDir: join(dir, 'a'), tx: 16, rx: 2, rxLatencyNs: RX_LATENCY_NS });
    const b = await startDevice(hb, { name: 'dev-b', deviceId: '00000a4d0000003b', stateDir: join(dir, 'b'), tx: 8, rx: 16, rxLatencyNs: RX_LATENCY_NS, sink: `fifo:${join(dir, 'b.fifo')}` });
    const c = await startDevice(hc, { name: 'dev-c', deviceId: '00000a4d0000003c', stateDir: join(dir, 'c'), tx: 2, rx: 16, rxLatencyNs: RX_LATENCY_NS, sink: `fifo:${join(dir, 'c.fifo')}` });
    devs.push(a, b, c);

    // B: all 16 of A's channels, unicast (requested before the multicast flow exists).
    await arc(hc, hb, 'subscribe', B_MAP.map((tx, i) => [i + 1, txName(tx), 'dev-a']));
    await waitFor(async () => (statusCount((await b.status())?.receive?.subscriptions, range(1, 16), UNICAST) === 16 ? true : undefined), 20000);

    // The multicast flow on A, in a slot B's unicast flows do not use (they share A's 32-entry flow
    // table, §3.13); its bundle is published once the address check is done (≈ 2.4 s).
    const r = await arc(hb, ha, 'multicast', [{ id: MULTICAST_SLOT, channels: MULTICAST_CHANNELS }]);
    t.deepEqual(JSON.parse(r.stdout).ids, [MULTICAST_SLOT], 'A accepted the multicast flow');
    await waitFor(async () => {
      const flows = (await a.status())?.transmit;
      return flows?.sendingFlows >= 3 ? true : undefined;
    }, 20000).catch(async (e: Error) => { throw new Error(`${e.message}: A ${JSON.stringify((await a.status())?.transmit)}`); });

    // C: A's 9-16 (from the bundle) and B's 1-8 (unicast).
    await arc(ha, hc, 'subscribe', C_MAP.map((tx, i) => [i + 1, txName(tx), i < 8 ? 'dev-a' : 'dev-b']));
    await waitFor(async () => {
      const subs = (await c.status())?.receive?.subscriptions;
      return statusCount(subs, range(1, 8), MULTICAST) === 8 && statusCount(subs, range(9, 16), UNICAST) === 8 ? true : undefined;
    }, 20000).catch(async (e: Error) => { throw new Error(`${e.message}: C ${JSON.stringify((await c.status())?.receive?.subscriptions)}`); });

    await sleep(500);
    // Both transmitters watched from here on: a dropout is accepted only in a stall of its own
    // transmitter (A for B's channels and C's 1-8, B for C's 9-16) and only as a counted zero.
    const stallOpts = { rate: RATE, txLatencyNs: TX_LATENCY_NS, rxLatencyNs: RX_LATENCY_NS };
    const watches: StallWatch[] = [await watchTxStalls(a, stallOpts), await watchTxStalls(b, stallOpts)];
    const socketDrops = async () => [await udpRcvbufErrors(hb), await udpRcvbufErrors(hc)];
    const dropsBefore = await socketDrops();
    const from = mediaNow(RATE);
    await sleep(SECONDS * 1000);
    const [aStalls, bStalls] = await Promise.all(watches.map((w) => w.stop()));
    const [sa, sb, sc] = [await a.status(), await b.status(), await c.status()];
    const dropsAfter = await socketDrops();
    // C before B: B is C's transmitter for RX 9-16, and C writing on after B stopped would put
    // zeros after the last status (uncounted there) at the end of C's capture.
    await c.proc.stop();
    await b.proc.stop();
    await Promise.all([fifoB.closed, fifoC.closed]);

    // Everything measured is logged before the assertions, so a failed run still shows it.
    const cFlows = sc.receive.flows as { id: number; multicast: boolean; to: { ip: string }; slots: number[]; fpp: number }[];
    const cSockets = sc.receive.flowSockets as { id: number; unicast: boolean; socket: string; batches: number; source?: string; packets: number; lostPackets: number; recvBufferBytes: number }[];
    t.log(`C flows ${JSON.stringify(cFlows)}; sockets ${JSON.stringify(cSockets.map((f) => ({ id: f.id, unicast: f.unicast, socket: f.socket, source: f.source, packets: f.packets, batches: f.batches, lost: f.lostPackets, rcvbuf: f.recvBufferBytes })))}`);
    const configured = Math.floor((RX_LATENCY_NS * RATE) / 1e9);
    // Stall windows of the transmitter each RX channel comes from.
    const runs = ([['B', fifoB, B_MAP, sb, B_MAP.map(() => aStalls!)], ['C', fifoC, C_MAP, sc, C_MAP.map((_, i) => (i < 8 ? aStalls! : bStalls!))]] as const).map(([label, cap, map, st, stalls]) => {
      const rx = st.receive;
      const sum = checkCapture(cap.samples(), map, { bits: BITS, t0: rx.firstFrameMediaTime, from });
      const latency = readerLatency(cap, map.length, rx.firstFrameMediaTime, from);
      const reported = (rx.latency.achievedNs * RATE) / 1e9;
      t.log(`${label}: ${sum.frames} frames, samples checked ${sum.checked}, mismatches ${sum.mismatches}, dropouts ${sum.dropouts}, start-up zeros ${sum.startupZeros}; latency configured ${configured} samples, reported ${reported.toFixed(1)}, at the reader min ${latency.min} median ${latency.median} max ${latency.max}; lost ${rx.lostPackets} late ${rx.latePackets}; sink ${JSON.stringify(st.counters.receive)}`);
      return { label, map, st, sum, latency, reported, stalls };
    });
    t.log(`A TX lateness ${JSON.stringify(sa.transmit.lateness)}; B TX lateness ${JSON.stringify(sb.transmit.lateness)}; stall windows during the run: A ${aStalls!.length}, B ${bStalls!.length}; socket drops B ${dropsAfter[0]! - dropsBefore[0]!}, C ${dropsAfter[1]! - dropsBefore[1]!}`);

    // C gets A's channels over one multicast flow (joined, no flow request to A), B's over unicast.
    const mc = cFlows.filter((f) => f.multicast);
    t.is(mc.length, 1, 'C has one multicast flow');
    t.true(mc[0]?.to.ip.startsWith('239.255.'), `C's multicast flow is to a 239.255/16 group (${JSON.stringify(mc[0]?.to)})`);
    const mcSocket = cSockets.find((f) => f.id === mc[0]?.id);
    t.false(mcSocket?.unicast ?? true, 'C receives it on a multicast socket');
    t.true(mcSocket?.source?.startsWith(`${ha.ip}:`), `C's multicast audio comes from A (${mcSocket?.source})`);
    t.true((mcSocket?.packets ?? 0) >= (SECONDS * RATE) / 32 / 2, 'C received multicast packets for the whole run');
    t.true(cFlows.filter((f) => !f.multicast).every((f) => f.to.ip === hb.ip), 'C\'s unicast flows are from B');
    t.is(statusCount(sb.receive.subscriptions, range(1, 16), UNICAST), 16, 'B still receives all 16 over unicast');

    // No sample may be wrong; a zero only in a counted stall of its transmitter, counted by the receiver.
    for (const { label, map, st, sum, latency, reported, stalls } of runs) {
      const perChannel = st.receive.channels.map((c: { missingFrames: number; zeroFilled: number }) => c.missingFrames + c.zeroFilled);
      assertCapture(t, label, sum, { counted: { perChannel, until: st.receive.deliveredToMediaTime }, stalls }, from);
      t.true(sum.checked >= SECONDS * RATE * map.length * 0.9, `${label}: checked the whole run`);
      t.true(Math.abs(reported - configured) <= FPP, `${label}: reported latency within one packet of the configured one`);
      t.true(latency.min >= configured - 1, `${label}: never delivered early`);
      t.true(latency.median <= configured + FPP, `${label}: delivered within one packet of the RX latency`);
      t.is(st.counters.receive.deliverySkippedFrames, 0, `${label}: no frame skipped by the sink`);
      t.is(st.counters.receive.deliveryBlocksDropped, 0, `${label}: no sink block dropped`);
    }
  } finally {
    await Promise.all(devs.map((d) => d.proc.stop()));
    for (const f of fifos) f.stop();
    stopFetchers();
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
