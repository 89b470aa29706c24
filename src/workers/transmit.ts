// Transmit worker: sends every TX flow's audio packets on the media clock (PROTOCOL.md §6.3).
// The flow set arrives from the flows-control server (control worker, relayed by the main thread)
// as `tx-flows` commands. Each flow has a socket bound to the device IP and connected to its
// destination (native: non-blocking sendmmsg from the send loop itself; fallback: node:dgram), and
// the same socket receives the receiver's keepalives, reported back as `tx-keepalive` events.
//
// Pacing: for waits above a few ms the loop uses a timer; closer to the deadline it sleeps with
// the native absolute sleep to `deadline − spin` and busy-waits the rest. With --realtime it runs
// at SCHED_FIFO and never spins. Only syscalls sit between the wake-up and the sends: with a
// synthetic source the next packet of every flow is encoded right after a round, while waiting.
// The event loop (feeder reads, socket opens, dgram events) gets a turn every few ms, not per round.
// Steady state allocates nothing: packet buffers, views and the stage are preallocated per flow.
import { ClockOverlayReader } from '../core/clock-overlay.js';
import { audioPacketLength, encodeAudioPacketParts, TxSampleConverter, type BytesPerSample, type SourceBits } from '../core/audio/index.js';
import type { TxFlowSpec } from '../core/tx/flow-table.js';
import { earlyGuardSamples, LatenessHistogram, TxSchedule } from '../core/tx/schedule.js';
import { STAGE_FRAMES, TxStage } from '../core/tx/stage.js';
import { samplesFromNs } from '../core/media-time.js';
import { describeTxSource, PatternSource, RingSource, SilenceSource, ToneSource, type TxSampleSource } from '../audio-io/sources.js';
import { TxFeeder } from '../audio-io/sources-feeder.js';
import { AlsaTxFeeder } from '../audio-io/alsa-source.js';
import { identityMap } from '../audio-io/alsa-config.js';
import { loadNative, type UdpSender } from '../native/index.js';
import { msUntilSlot, reportSlot } from './report-slots.js';
import { WorkerRuntime } from './runtime.js';
import { GcCounter, ThreadSchedSampler } from './thread-stats.js';

/** Waits longer than this go through a timer, so the event loop runs meanwhile. */
const TIMER_WAIT_NS = 3_000_000;
/** Timers wake up to ~1.5 ms late: stop the timer wait this early and sleep natively after. */
const TIMER_MARGIN_NS = 2_000_000;
const IDLE_WAIT_MS = 20;
/** Keepalives are read (and reported) this often; receivers send them every 250 ms (§5.5). */
const KEEPALIVE_REPORT_MS = 100;
/** The event loop gets a turn this often while sending when it has work: the feeder (polls every
 * 5 ms), sockets opening, node:dgram sockets. Otherwise every YIELD_IDLE_MS: a turn allocates
 * (~100 bytes), so this keeps garbage collection rare. */
const YIELD_BUSY_MS = 2;
const YIELD_IDLE_MS = 20;
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

const counters = { commands: 0, packets: 0, notConnected: 0, sendErrors: 0, rebootstraps: 0, clockSteps: 0, keepalives: 0, flowChanges: 0, timerWaits: 0, idleWaits: 0 };
const lateness = new LatenessHistogram();
const realtime = cfg.realtime ? native.setRealtimePriority('fifo', SCHED_FIFO_PRIORITY) : undefined;
const spinNs = realtime?.ok ? 0 : cfg.txSpinUs * 1000;
native.setTimerSlackNs(1);

const source = makeSource();
const feeder = cfg.txSource.kind === 'fifo' || cfg.txSource.kind === 'file' ? new TxFeeder(cfg.txSource, rt.init.shared.txRing!, clock, native, txLatency - guard, rt.log) : undefined;
const alsaFeeder = cfg.txSource.kind === 'alsa'
  ? new AlsaTxFeeder(native, { pcm: cfg.txSource.pcm, rate, map: cfg.alsaTxMap ?? identityMap(cfg.txChannels), periodFrames: cfg.alsaPeriodFrames, bufferFrames: cfg.alsaBufferFrames }, rt.init.shared.txRing!, clock, txLatency - guard, rt.log)
  : undefined;
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
  /** null until the socket is open (or when opening failed). */
  sender: UdpSender | null;
  closed: boolean;
  slots: (Int32Array | null)[];
  /** Room for a catch-up burst: packet k at packetViews[k], all in one buffer. */
  packet: Buffer;
  packetViews: Buffer[];
  length: number;
  bytes: BytesPerSample;
  /** Schedule time whose packet already sits in packetViews[0] (NaN: none). */
  encodedFor: number;
}

const flows = new Map<number, TxFlowSender>();
/** The same senders as an array: the send round iterates it without an iterator object. */
let senders: TxFlowSender[] = [];
const heard = new Set<number>();
let stepGeneration = -1;

/** Send failures of flows already closed (the open ones' are in their senders). */
let closedSendErrors = 0;
/** Sockets being opened, and open ones on node:dgram: both need frequent event-loop turns. */
let opening = 0;
let dgramSockets = 0;
/** Kind of the last socket opened, for the status. */
let socketKind: 'none' | 'native' | 'dgram' = 'none';

function openSocket(f: TxFlowSender): void {
  const { address, port, multicast } = f.spec;
  opening++;
  native.udpSenderOpen({ bindAddress: cfg.ip, address, port, ...(multicast ? { multicastInterface: cfg.ip } : {}) }).then(
    (s) => {
      opening--;
      if (f.closed) s.close();
      else {
        f.sender = s;
        socketKind = s.native ? 'native' : 'dgram';
        if (!s.native) dgramSockets++;
      }
    },
    (err: Error) => {
      opening--;
      counters.sendErrors++;
      rt.log.warn('TX flow socket not opened', { flow: f.spec.id, address, port, err: err.message });
    },
  );
}

function closeSocket(f: TxFlowSender): void {
  f.closed = true;
  if (!f.sender) return;
  closedSendErrors += f.sender.errors;
  if (!f.sender.native) dgramSockets--;
  f.sender.close();
}

function setChannels(f: TxFlowSender, channels: number[]): void {
  f.slots = channels.map((c) => (c >= 1 && c <= cfg.txChannels ? stage.mirrors[c - 1]! : null));
  const length = audioPacketLength(f.spec.fpp, channels.length, f.bytes);
  f.encodedFor = NaN;
  if (f.length === length) return;
  const burst = f.schedule.maxBurst;
  f.length = length;
  f.packet = Buffer.alloc(length * burst);
  f.packetViews = Array.from({ length: burst }, (_, k) => f.packet.subarray(k * length, (k + 1) * length));
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
    closeSocket(f);
    counters.flowChanges++;
  }
  for (const s of wanted.values()) {
    const bytes = (s.bits / 8) as BytesPerSample;
    const f: TxFlowSender = {
      spec: s,
      schedule: new TxSchedule(s.fpp, txLatency, maxBurst(s.fpp)),
      sender: null,
      closed: false,
      slots: [],
      packet: Buffer.alloc(0),
      packetViews: [],
      length: 0,
      bytes,
      encodedFor: NaN,
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

function readClock(): number {
  native.clockReadInto(clock.snapshot.clockId, reading, 0);
  return clock.mediaTime(reading[0]!, reading[1]!);
}

// Allocation: media times (~10^14 samples) are not small integers, and V8 boxes such a double
// (a heap allocation) whenever it is passed to or returned from a call that is not inlined. The
// per-packet path therefore passes only flows, indices and small integers; the per-round path
// passes a few media times (a handful of boxes per round).

/** Encodes flow f's packet k places after its schedule's next into view k. */
function encode(f: TxFlowSender, k: number): void {
  const fpp = f.spec.fpp;
  const header = f.schedule.next + k * fpp - guard;
  if (header + fpp > stage.filledTo) stage.ensure(header, header + fpp, source);
  const r = header % STAGE_FRAMES;
  const seconds = Math.floor(header / rate);
  encodeAudioPacketParts(f.packetViews[k]!, seconds, header - seconds * rate, f.slots, r < 0 ? r + STAGE_FRAMES : r, fpp, f.bytes, converter);
}

/** [sec, nsec] of the underlying clock at which media time ref[2] begins (nsec not normalised). */
const ref = new Float64Array(3);
const sendReading = new Float64Array(2);
const NS_PER_SAMPLE = 1e9 / rate;

/** Sends flow f's n due packets (n ≤ maxBurst) in one call. */
function sendDue(f: TxFlowSender, n: number): void {
  const first = f.schedule.next;
  for (let k = 0; k < n; k++) if (k > 0 || f.encodedFor !== first) encode(f, k);
  for (let k = 0; k < n; k++) f.schedule.advance();
  f.encodedFor = NaN;
  const s = f.sender;
  if (!s) {
    counters.notConnected += n;
    return;
  }
  const sent = s.send(f.packet, f.length, n);
  if (ref[2] !== first) {
    // Once per round (flows share deadlines): where this media time falls on the underlying clock.
    native.clockReadInto(clock.snapshot.clockId, ref, 0);
    ref[1] = ref[1]! + clock.underlyingNsUntil(first, ref[0]!, ref[1]!);
    ref[2] = first;
  }
  native.clockReadInto(clock.snapshot.clockId, sendReading, 0);
  const late = (sendReading[0]! - ref[0]!) * 1e9 + (sendReading[1]! - ref[1]!) - (first - ref[2]!) * NS_PER_SAMPLE;
  // Packet k was due k packet times after the first; whole ns stay small integers (no boxing).
  for (let k = 0; k < sent; k++) lateness.record(Math.round(late - k * f.spec.fpp * NS_PER_SAMPLE));
  counters.packets += sent;
}

/** Sends what is due; returns the earliest next packet time (media time), or NaN without flows. */
function sendRound(now: number): number {
  let earliest = NaN;
  for (let i = 0; i < senders.length; i++) {
    const f = senders[i]!;
    const before = f.schedule.rebootstraps;
    const n = f.schedule.due(now);
    counters.rebootstraps += f.schedule.rebootstraps - before;
    if (n > 0) sendDue(f, n);
    const next = f.schedule.next;
    if (!(next >= earliest)) earliest = next;
  }
  return earliest;
}

/**
 * While waiting: encode each flow's next packet now, so only the sends remain at the deadline.
 * Only for synthetic sources (exact functions of media time); a ring is read when due, since its
 * frames may not all be written yet.
 */
function encodeAhead(): void {
  if (!source.regenerable) return;
  for (let i = 0; i < senders.length; i++) {
    const f = senders[i]!;
    const t = f.schedule.next;
    if (t !== t || f.encodedFor === t) continue;
    encode(f, 0);
    f.encodedFor = t;
  }
}

/** The deadline being waited for, as an underlying-clock reading [sec, nsec]. */
const deadline = new Float64Array(2);

/**
 * Waits `ns` past the clock reading in `reading`: sleeps natively to `spinNs` before, then spins.
 * The spin compares raw readings with the deadline, so it allocates nothing per iteration.
 */
function waitNs(ns: number): void {
  const id = clock.snapshot.clockId;
  const total = Math.ceil(reading[1]! + ns);
  const carry = Math.floor(total / 1e9);
  deadline[0] = reading[0]! + carry;
  deadline[1] = total - carry * 1e9;
  if (ns > spinNs) {
    const sleepTotal = total - spinNs;
    const c = Math.floor(sleepTotal / 1e9);
    native.sleepUntilParts(id, reading[0]! + c, sleepTotal - c * 1e9);
  }
  if (spinNs === 0) return;
  for (;;) {
    native.clockReadInto(id, reading, 0);
    if (reading[0]! > deadline[0]! || (reading[0] === deadline[0] && reading[1]! >= deadline[1]!)) return;
  }
}

/** Milliseconds on CLOCK_MONOTONIC, wrapping every 2·10^6 s so they stay small integers (Date.now() allocates). */
const mono = new Float64Array(2);
function monoMs(): number {
  native.clockReadInto(native.CLOCK_MONOTONIC, mono, 0);
  return (mono[0]! % 2_000_000) * 1000 + Math.floor(mono[1]! / 1e6);
}
/** ms since `since` (a monoMs() value), also across the wrap. */
function msSince(now: number, since: number): number {
  const d = now - since;
  return d < 0 ? d + 2_000_000_000 : d;
}

/** The report slot last reported in (reports share their wall-clock slots with the other workers). */
let lastReportSlot = -1;
let lastKeepaliveReport = 0;
const sched = new ThreadSchedSampler();
const gc = new GcCounter();
let thread: ReturnType<ThreadSchedSampler['sample']>;
let lastYield = 0;

function housekeeping(): void {
  const now = monoMs();
  if (msSince(now, lastKeepaliveReport) >= KEEPALIVE_REPORT_MS) {
    lastKeepaliveReport = now;
    // §5.5: any datagram on a unicast flow's socket keeps it alive.
    for (let i = 0; i < senders.length; i++) {
      const f = senders[i]!;
      if (f.sender && f.sender.received() > 0 && !f.spec.multicast) heard.add(f.spec.id);
    }
    if (heard.size) {
      counters.keepalives += heard.size;
      rt.post({ type: 'event', name: 'tx-keepalive', data: { ids: [...heard] } });
      heard.clear();
    }
  }
  const slot = reportSlot(Date.now());
  if (slot !== lastReportSlot) {
    lastReportSlot = slot;
    thread = sched.sample() ?? thread;
    let sendErrors = counters.sendErrors + closedSendErrors;
    let lastSendError = '';
    for (const f of senders) {
      sendErrors += f.sender?.errors ?? 0;
      lastSendError = f.sender?.lastError || lastSendError;
    }
    rt.report({
      counters: { ...counters, sendErrors, missingFrames: source.missingFrames, ...(feeder ? feeder.counters : {}), ...(alsaFeeder ? { ...alsaFeeder.counters, ...alsaFeeder.alsaCounters() } : {}) },
      info: {
        sendingFlows: flows.size,
        source: describeTxSource(cfg.txSource),
        ...(alsaFeeder ? { alsa: alsaFeeder.info() } : {}),
        txLatencySamples: txLatency,
        earlyGuardSamples: guard,
        pacing: { spinUs: spinNs / 1000, realtime: realtime ? (realtime.ok ? 'SCHED_FIFO' : `refused: ${realtime.errno}`) : 'off', native: native.native, sockets: socketKind },
        ...(lastSendError ? { lastSendError } : {}),
        lateness: lateness.summary(),
        ...(thread ? { thread } : {}),
        gc: gc.summary(),
      },
    });
  }
}

/**
 * The send loop. It runs without returning while it paces, and returns to the event loop (with
 * tick scheduled again) for idle and long waits and for the periodic turn; no promise per turn.
 */
/** Idle: sleep on the wake word until the main thread posts (a flow set) or the next report is due. */
function idleWait(): void {
  rt.waitForMessage(Math.max(1, msUntilSlot(lastReportSlot + 1, Date.now()) + 1));
  tick();
}

function tick(): void {
  while (!rt.stopping) {
    handleMessages();
    housekeeping();
    if (rt.stopping) break;
    if (flows.size === 0 && !feeder && !alsaFeeder) {
      // Nothing to send and nothing to feed: sleep on the wake word until the main thread posts
      // (a flow set) or the next report is due. One turn first, so socket closes complete.
      counters.idleWaits++;
      setImmediate(idleWait);
      return;
    }
    if (flows.size === 0 || !clock.ready()) {
      counters.idleWaits++;
      setTimeout(tick, IDLE_WAIT_MS);
      return;
    }
    if (clock.snapshot.stepGeneration !== stepGeneration) {
      // A clock step: every schedule restarts from the new time.
      if (stepGeneration !== -1) counters.clockSteps++;
      stepGeneration = clock.snapshot.stepGeneration;
      for (const f of senders) f.schedule.reset();
    }
    const earliest = sendRound(readClock());
    if (earliest !== earliest) {
      setImmediate(tick);
      return;
    }
    encodeAhead();
    const wall = monoMs();
    if (msSince(wall, lastYield) >= (feeder || alsaFeeder || opening > 0 || dgramSockets > 0 ? YIELD_BUSY_MS : YIELD_IDLE_MS)) {
      // Socket opens, the feeder's reads and dgram events run in this turn.
      lastYield = wall;
      setImmediate(tick);
      return;
    }
    native.clockReadInto(clock.snapshot.clockId, reading, 0);
    const ns = clock.underlyingNsUntil(earliest, reading[0]!, reading[1]!);
    if (ns > TIMER_WAIT_NS) {
      counters.timerWaits++;
      setTimeout(tick, Math.floor((ns - TIMER_MARGIN_NS) / 1e6));
      return;
    }
    // Already due (or no clock: NaN): straight to the next round.
    if (ns > 0) waitNs(ns);
  }
  feeder?.stop();
  alsaFeeder?.stop();
  gc.stop();
  for (const f of flows.values()) closeSocket(f);
  rt.finish();
}

rt.releaseMemoryWhenIdle(() => flows.size === 0);
rt.post({ type: 'ready' });
feeder?.start();
alsaFeeder?.start();
tick();
