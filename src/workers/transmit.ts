// Transmit worker: sends every TX flow's audio packets on the media clock (PROTOCOL.md §6.3).
// The flow set arrives from the flows-control server (control worker, relayed by the main thread)
// as `tx-flows` commands. Each flow has a dgram socket bound to the device IP and connected to its
// destination: connected sends go out synchronously (no address lookup), and the same socket
// receives the receiver's keepalives, reported back as `tx-keepalive` events.
//
// Pacing (measured best here, see the transmit report): the loop yields to the event loop once per
// send round (keepalives, commands, the fifo/file feeder), then for waits above a few ms uses a
// timer; closer to the deadline it sleeps with the native absolute sleep to `deadline − spin`
// and busy-waits the rest. With --realtime it runs at SCHED_FIFO and never spins.
// Steady state allocates nothing of its own: packet buffers, slot views and the stage are
// preallocated per flow (node:dgram still makes one small request object per send).
import dgram from 'node:dgram';
import { setImmediate as yieldTurn, setTimeout as delay } from 'node:timers/promises';
import { ClockOverlayReader } from '../core/clock-overlay.js';
import { audioPacketLength, encodeAudioPacket, TxSampleConverter, type BytesPerSample, type SourceBits } from '../core/audio/index.js';
import { normaliseSplit, type SplitNs } from '../core/media-time.js';
import type { TxFlowSpec } from '../core/tx/flow-table.js';
import { earlyGuardSamples, LatenessHistogram, TxSchedule } from '../core/tx/schedule.js';
import { TxStage } from '../core/tx/stage.js';
import { samplesFromNs } from '../core/media-time.js';
import { describeTxSource, PatternSource, RingSource, SilenceSource, ToneSource, type TxSampleSource } from '../audio-io/sources.js';
import { TxFeeder } from '../audio-io/sources-feeder.js';
import { loadNative } from '../native/index.js';
import { REPORT_INTERVAL_MS, WorkerRuntime } from './runtime.js';

/** Waits longer than this go through a timer, so the event loop runs meanwhile. */
const TIMER_WAIT_NS = 3_000_000;
/** Timers wake up to ~1.5 ms late: stop the timer wait this early and sleep natively after. */
const TIMER_MARGIN_NS = 2_000_000;
const IDLE_WAIT_MS = 20;
const KEEPALIVE_REPORT_MS = 100;
/** Catch-up bound per round (§6.3: a lagging sender must not lock the CPU). */
const MAX_BURST_NS = 5_000_000;
const SCHED_FIFO_PRIORITY = 81;

const rt = new WorkerRuntime();
const cfg = rt.init.config;
const rate = cfg.sampleRate;
const native = loadNative();
const clock = new ClockOverlayReader(rt.init.shared.clock!);
const guard = earlyGuardSamples(rate);
const txLatency = samplesFromNs(cfg.txLatencyNs, rate);
const maxBurst = (fpp: number): number => Math.max(1, Math.ceil(samplesFromNs(MAX_BURST_NS, rate) / fpp));

const counters = { commands: 0, packets: 0, notConnected: 0, sendErrors: 0, rebootstraps: 0, clockSteps: 0, keepalives: 0, flowChanges: 0 };
const lateness = new LatenessHistogram();
const realtime = cfg.realtime ? native.setRealtimePriority('fifo', SCHED_FIFO_PRIORITY) : undefined;
const spinNs = realtime?.ok ? 0 : cfg.txSpinUs * 1000;
native.setTimerSlackNs(1);

const source = makeSource();
const feeder = cfg.txSource.kind === 'fifo' || cfg.txSource.kind === 'file' ? new TxFeeder(cfg.txSource, rt.init.shared.txRing!, clock, native, txLatency - guard, rt.log) : undefined;
const stage = new TxStage(cfg.txChannels);
const converterExact = new TxSampleConverter(16 as SourceBits); // never dithers (sourceBits ≤ wire)
const converter = source.ditherable ? new TxSampleConverter(cfg.txSourceBits) : converterExact;

function makeSource(): TxSampleSource {
  const s = cfg.txSource;
  switch (s.kind) {
    case 'pattern': return new PatternSource();
    case 'tone': return new ToneSource(s.hz, s.dbfs, rate, cfg.txSourceBits);
    case 'silence': return new SilenceSource();
    default: return new RingSource(rt.init.shared.txRing!, txLatency - guard);
  }
}

interface TxFlowSender {
  spec: TxFlowSpec;
  schedule: TxSchedule;
  socket: dgram.Socket;
  connected: boolean;
  slots: (Int32Array | null)[];
  packet: Buffer;
  bytes: BytesPerSample;
}

const flows = new Map<number, TxFlowSender>();
/** The same senders as an array: the send round iterates it without an iterator object. */
let senders: TxFlowSender[] = [];
const heard = new Set<number>();
let stepGeneration = -1;

function openSocket(f: TxFlowSender): void {
  const s = f.socket;
  s.on('error', () => counters.sendErrors++);
  s.on('message', () => {
    // §5.5: any datagram on the flow's socket keeps it alive.
    if (!f.spec.multicast) heard.add(f.spec.id);
  });
  s.bind({ address: cfg.ip, port: 0 }, () => {
    if (f.spec.multicast) s.setMulticastInterface(cfg.ip);
    s.connect(f.spec.port, f.spec.address, () => {
      if (flows.get(f.spec.id) === f) f.connected = true;
    });
  });
}

function setChannels(f: TxFlowSender, channels: number[]): void {
  f.slots = channels.map((c) => (c >= 1 && c <= cfg.txChannels ? stage.mirrors[c - 1]! : null));
  const length = audioPacketLength(f.spec.fpp, channels.length, f.bytes);
  if (f.packet.length !== length) f.packet = Buffer.alloc(length);
}

/** Applies the flow set from the flows-control server: same id and generation = channel update. */
function applyFlows(specs: TxFlowSpec[]): void {
  const wanted = new Map(specs.map((s) => [s.id, s]));
  for (const [id, f] of flows) {
    const s = wanted.get(id);
    if (s && s.generation === f.spec.generation && s.address === f.spec.address && s.port === f.spec.port && s.fpp === f.spec.fpp && s.bits === f.spec.bits) {
      if (s.channels.join() !== f.spec.channels.join()) {
        f.spec = s;
        setChannels(f, s.channels);
        counters.flowChanges++;
      }
      wanted.delete(id);
      continue;
    }
    flows.delete(id);
    f.socket.close();
    counters.flowChanges++;
  }
  for (const s of wanted.values()) {
    const bytes = (s.bits / 8) as BytesPerSample;
    const f: TxFlowSender = {
      spec: s,
      schedule: new TxSchedule(s.fpp, txLatency, maxBurst(s.fpp)),
      socket: dgram.createSocket({ type: 'udp4' }),
      connected: false,
      slots: [],
      packet: Buffer.alloc(0),
      bytes,
    };
    setChannels(f, s.channels);
    flows.set(s.id, f);
    openSocket(f);
    counters.flowChanges++;
  }
  senders = [...flows.values()];
  const used = new Set<number>();
  for (const f of senders) for (const c of f.spec.channels) used.add(c);
  stage.setUsedChannels(used, source);
}

function handleMessages(): void {
  for (const msg of rt.poll()) {
    if (msg.type !== 'command') continue;
    if (msg.name === 'tx-flows') {
      applyFlows((msg.args as { flows: TxFlowSpec[] }).flows);
      continue;
    }
    counters.commands++;
    if (msg.id >= 0) rt.post({ type: 'reply', id: msg.id, ok: false, error: `transmit worker has no command '${msg.name}'` });
  }
}

// Clock readings: [sec, nsec] of the overlay's underlying clock, preallocated.
const reading = new Float64Array(2);
const target: SplitNs = { sec: 0, nsec: 0 };

function readClock(): number {
  native.clockReadInto(clock.snapshot.clockId, reading, 0);
  return clock.mediaTime(reading[0]!, reading[1]!);
}

function sendPacket(f: TxFlowSender): void {
  const t = f.schedule.next;
  const header = t - guard;
  const fpp = f.spec.fpp;
  stage.ensure(header, header + fpp, source);
  encodeAudioPacket(f.packet, header, rate, f.slots, stage.offset(header), fpp, f.bytes, converter);
  f.schedule.advance();
  if (!f.connected) {
    counters.notConnected++;
    return;
  }
  native.clockReadInto(clock.snapshot.clockId, reading, 0);
  lateness.record(-clock.underlyingNsUntil(t, reading[0]!, reading[1]!));
  f.socket.send(f.packet);
  counters.packets++;
}

/** Sends what is due; returns the earliest next packet time (media time), or NaN without flows. */
function sendRound(now: number): number {
  let earliest = NaN;
  for (let i = 0; i < senders.length; i++) {
    const f = senders[i]!;
    const before = f.schedule.rebootstraps;
    const n = f.schedule.due(now);
    counters.rebootstraps += f.schedule.rebootstraps - before;
    for (let k = 0; k < n; k++) sendPacket(f);
    const next = f.schedule.next;
    if (!(next >= earliest)) earliest = next;
  }
  return earliest;
}

/** Sleeps natively to `spinNs` before media time t, then spins until it begins. */
function waitUntil(t: number): void {
  native.clockReadInto(clock.snapshot.clockId, reading, 0);
  const ns = clock.underlyingNsUntil(t, reading[0]!, reading[1]!);
  if (ns > spinNs) {
    normaliseSplit(reading[0]!, reading[1]! + ns - spinNs, target);
    native.sleepUntilParts(clock.snapshot.clockId, target.sec, target.nsec);
  }
  if (spinNs === 0) return;
  for (;;) {
    native.clockReadInto(clock.snapshot.clockId, reading, 0);
    if (clock.underlyingNsUntil(t, reading[0]!, reading[1]!) <= 0) return;
  }
}

let lastReport = 0;
let lastKeepaliveReport = 0;

function housekeeping(): void {
  const now = Date.now();
  if (heard.size && now - lastKeepaliveReport >= KEEPALIVE_REPORT_MS) {
    lastKeepaliveReport = now;
    counters.keepalives += heard.size;
    rt.post({ type: 'event', name: 'tx-keepalive', data: { ids: [...heard] } });
    heard.clear();
  }
  if (now - lastReport >= REPORT_INTERVAL_MS) {
    lastReport = now;
    rt.report({
      counters: { ...counters, missingFrames: source.missingFrames, ...(feeder ? feeder.counters : {}) },
      info: {
        sendingFlows: flows.size,
        source: describeTxSource(cfg.txSource),
        txLatencySamples: txLatency,
        earlyGuardSamples: guard,
        pacing: { spinUs: spinNs / 1000, realtime: realtime ? (realtime.ok ? 'SCHED_FIFO' : `refused: ${realtime.errno}`) : 'off', native: native.native },
        lateness: lateness.summary(),
      },
    });
  }
}

async function main(): Promise<void> {
  rt.releaseMemoryWhenIdle(() => flows.size === 0);
  rt.post({ type: 'ready' });
  feeder?.start();
  while (!rt.stopping) {
    handleMessages();
    housekeeping();
    if (rt.stopping) break;
    if (flows.size === 0 && !feeder) {
      // Nothing to send and nothing to feed: sleep on the wake word until the main thread posts
      // (a flow set) or the next report is due. One turn first, so socket closes complete.
      await yieldTurn();
      rt.waitForMessage(Math.max(1, REPORT_INTERVAL_MS - (Date.now() - lastReport)));
      continue;
    }
    if (flows.size === 0 || !clock.ready()) {
      await delay(IDLE_WAIT_MS);
      continue;
    }
    if (clock.snapshot.stepGeneration !== stepGeneration) {
      // A clock step: every schedule restarts from the new time.
      if (stepGeneration !== -1) counters.clockSteps++;
      stepGeneration = clock.snapshot.stepGeneration;
      for (const f of senders) f.schedule.reset();
    }
    const earliest = sendRound(readClock());
    // Yield once per round: keepalives, commands and the feeder run here.
    await yieldTurn();
    if (earliest !== earliest) continue;
    native.clockReadInto(clock.snapshot.clockId, reading, 0);
    const ns = clock.underlyingNsUntil(earliest, reading[0]!, reading[1]!);
    if (ns > TIMER_WAIT_NS) {
      await delay(Math.floor((ns - TIMER_MARGIN_NS) / 1e6));
      continue;
    }
    waitUntil(earliest);
  }
  feeder?.stop();
  for (const f of flows.values()) f.socket.close();
  rt.finish();
}

void main();
