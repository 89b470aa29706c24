// Receive worker: owns the RX flow sockets (the native helper's batched recvmmsg sockets, or node:dgram
// without it or with --rx-socket dgram), writes incoming audio into
// the per-RX-channel media rings at its media time, sends keepalives, and delivers the rings to the
// configured sink at now − RX latency. Flows are opened and routed by the SubscriptionManager
// (control worker) through commands relayed by the main thread.
import { ClockOverlayReader } from '../core/clock-overlay.js';
import { KEEPALIVE, KEEPALIVE_INTERVAL_MS } from '../core/flows/limits.js';
import { MediaRingReader, MediaRingWriter } from '../core/media-ring.js';
import { DeliveryDrainGate, UV_UDP_READS_PER_TURN } from '../core/rx/drain-gate.js';
import { RxFlowReceiver } from '../core/rx/flow-receiver.js';
import type { FlowRoute } from '../core/rx/types.js';
import type { BytesPerSample } from '../core/audio/packet.js';
import { loadNative } from '../native/index.js';
import type { RxBatch, UdpReceiver } from '../native/index.js';
import { numberToIpv4, openDgramUdpReceiver } from '../native/udp-receiver.js';
import { FileSinkOutput, formatRxSink, NullSinkOutput, parseRxSink } from '../audio-io/sinks.js';
import type { SinkOutput } from '../audio-io/sinks.js';
import { MAX_CATCH_UP_FRAMES, MAX_DELIVERY_FRAMES, RxDelivery } from '../audio-io/sinks-delivery.js';
import { createRecorderSink, Recorder } from '../audio-io/recorder/index.js';
import type { RecorderConfig } from '../audio-io/recorder/index.js';
import { RX_TRACKS_EVENT } from '../audio-io/recorder/capture-options.js';
import type { TrackInfo } from '../audio-io/formats/metadata.js';
import { RingSinkOutput, RX_CAPTURE_SHARED } from '../audio-io/sinks-library.js';
import { AlsaSinkOutput, logAlsaMessages } from '../audio-io/alsa-sink.js';
import { identityMap } from '../audio-io/alsa-config.js';
import { CLOCK_MONOTONIC, RX_META_WORDS } from '../native/types.js';
import { everyReportSlot, REPORT_INTERVAL_MS } from './report-slots.js';
import { WorkerRuntime } from './runtime.js';

/** The sink hands over audio this often; well below any RX latency. */
const DELIVERY_INTERVAL_MS = 2;
/**
 * Receive buffer per flow socket (the kernel doubles it, capped by net.core.rmem_max): what arrives
 * while the thread is held up (GC, a loaded CPU) waits here instead of being dropped (measured: B
 * stopped with SIGSTOP for 500 ms loses none, test/e2e-rx-stress.test.ts). Packets are handled
 * before delivery runs, so they are then still in time for the RX latency.
 */
const RX_SOCKET_BUFFER_BYTES = 4 * 2 ** 20;

const rt = new WorkerRuntime();
const cfg = rt.init.config;
const rate = cfg.sampleRate;
const latencySamples = Math.floor((cfg.rxLatencyNs * rate) / 1e9);
/**
 * With no flow open and nobody consuming (null sink), delivery only keeps its position and meters
 * current: it then runs with the report, once a second, so an idle worker wakes up once a second.
 * Opening a flow restarts the fast pace at once. An idle step stays within half of
 * MAX_CATCH_UP_FRAMES so it never skips frames: above 131 kHz that is shorter than the report
 * interval, and idle delivery keeps a timer of its own.
 */
const idleDeliveryMs = Math.floor((MAX_CATCH_UP_FRAMES * 500) / rate);
const idleDeliveryOnReport = idleDeliveryMs >= REPORT_INTERVAL_MS;
const native = loadNative();
const clock = new ClockOverlayReader(rt.init.shared.clock!);
const clockRead = new Float64Array(2);

function mediaNow(): number {
  clock.refresh();
  native.clockReadInto(clock.snapshot.clockId, clockRead, 0);
  return clock.mediaTime(clockRead[0]!, clockRead[1]!);
}

const rings = Array.from({ length: cfg.rxChannels }, (_, i) => rt.init.shared[`rx.${i + 1}`]!);
const writers = rings.map((b) => new MediaRingWriter(b));
const readers = rings.map((b) => new MediaRingReader(b));
const sinkSpec = parseRxSink((cfg as { rxSink?: string }).rxSink ?? 'none');
const blockSamples = MAX_DELIVERY_FRAMES * cfg.rxChannels;
const recorderCfg = (cfg as { recorder?: RecorderConfig }).recorder;
// Library mode (Device.capture): the main thread shared a capture ring; it replaces the sink.
const captureRing = rt.init.shared[RX_CAPTURE_SHARED];
const monoRead = new Float64Array(2);
const monotonicNs = (): number => {
  native.clockReadInto(CLOCK_MONOTONIC, monoRead, 0);
  return monoRead[0]! * 1e9 + monoRead[1]!;
};
function makeSink(): SinkOutput {
  if (captureRing) return new RingSinkOutput(captureRing, blockSamples, () => delivery.position);
  if (recorderCfg) return createRecorderSink(recorderCfg, { channels: cfg.rxChannels, sampleRate: rate, blockSamples }, (err) => rt.log.error('recorder stopped', { error: err.message }));
  switch (sinkSpec.kind) {
    case 'none': return new NullSinkOutput(blockSamples);
    case 'alsa': {
      const alsa = { pcm: sinkSpec.pcm, rate, map: cfg.alsaMap ?? identityMap(cfg.rxChannels), periodFrames: cfg.alsaPeriodFrames, bufferFrames: cfg.alsaBufferFrames };
      return new AlsaSinkOutput(native, alsa, cfg.rxChannels, blockSamples, () => delivery.position, monotonicNs, rt.log);
    }
    default: {
      const path = sinkSpec.path;
      return new FileSinkOutput(path, blockSamples, 16, (err) => rt.log.error('rx sink write failed', { path, error: err.message }));
    }
  }
}
const output = makeSink();
const delivery = new RxDelivery(readers, latencySamples, output);
// With --realtime, below the transmit worker (81): a CFS-scheduled receiver on a loaded machine
// stalls for 100 ms and more, long enough for packets to miss the RX latency or overflow the socket
// buffer. It only ever sleeps in the event loop, so SCHED_FIFO is safe. Set after the sink is made,
// so the recorder's pool threads start at the normal policy.
const RX_FIFO_PRIORITY = 80;
const realtime = cfg.realtime ? native.setRealtimePriority('fifo', RX_FIFO_PRIORITY) : undefined;
if (realtime && !realtime.ok) rt.log.warn('receive worker: SCHED_FIFO refused', { errno: realtime.errno });

interface OpenFlow {
  id: number;
  socket?: UdpReceiver;
  receiver: RxFlowReceiver;
  unicast: boolean;
  routes: FlowRoute[];
  source?: { address: string; port: number };
  /** The source as numbers, to see a change without making a string per packet. */
  sourceAddress: number;
  sourcePort: number;
  port: number;
  /** Largest now − timestamp (samples) over the last report interval. */
  maxAge: number;
  /** SO_RCVBUF as the kernel granted it. */
  recvBufferBytes: number;
  /** Datagrams read since the last delivery check (see DeliveryDrainGate). */
  readSinceCheck: number;
  /** Native socket: the last wake-up stopped at its read bound, so datagrams may still be queued. */
  mayHoldMore: boolean;
}
const flows = new Map<number, OpenFlow>();
const counters = { commands: 0, keepalives: 0, flowsOpened: 0, flowsClosed: 0, truncated: 0, socketErrors: 0 };
/** Kind of the last flow socket opened, for the status and the rx-capacity benchmark. */
let socketKind: 'none' | 'native' | 'dgram' = 'none';
const rxSocket = (cfg as { rxSocket?: string }).rxSocket ?? 'auto';
type FlowCounterName = 'packets' | 'malformed' | 'late' | 'lostPackets' | 'lostFrames' | 'duplicates' | 'reordered';
const FLOW_TOTALS: FlowCounterName[] = ['packets', 'malformed', 'late', 'lostPackets', 'lostFrames', 'duplicates', 'reordered'];
/** Counters of flows already closed, so device totals never go backwards. */
const closedTotals: Record<FlowCounterName, number> = { packets: 0, malformed: 0, late: 0, lostPackets: 0, lostFrames: 0, duplicates: 0, reordered: 0 };

function updateRouted(): void {
  delivery.routed.fill(0);
  for (const f of flows.values()) for (const [, rx] of f.routes) delivery.routed[rx] = 1;
}

async function openFlow(args: { flowId: number; multicast?: { ip: string; port: number } }): Promise<{ port: number }> {
  closeFlow(args.flowId);
  const flow: OpenFlow = { id: args.flowId, receiver: new RxFlowReceiver(rate, writers), unicast: !args.multicast, routes: [], sourceAddress: -1, sourcePort: -1, port: 0, maxAge: 0, recvBufferBytes: 0, readSinceCheck: 0, mayHoldMore: false };
  // One clock read per batch: every datagram of it was already queued when the batch was read, so
  // `now` is after each one's arrival, as with a read per datagram; it is used to place the packet
  // (wire timestamp reconstructed near now: seconds of tolerance) and for the age statistic, which
  // sees at most the batch's handling time less. `late` compares with delivery.position, which only
  // moves in the check phase, never inside a batch.
  const onBatch = (batch: RxBatch, count: number, more: boolean): void => {
    flow.readSinceCheck += count;
    flow.mayHoldMore = more;
    const now = mediaNow();
    const from = delivery.position;
    const meta = batch.meta;
    for (let i = 0; i < count; i++) {
      const m = i * RX_META_WORDS;
      if (meta[m + 1] !== flow.sourceAddress || meta[m + 2] !== flow.sourcePort) {
        flow.sourceAddress = meta[m + 1]!;
        flow.sourcePort = meta[m + 2]!;
        flow.source = { address: numberToIpv4(flow.sourceAddress), port: flow.sourcePort };
      }
      // A datagram longer than its slot keeps its real length: the receiver counts it malformed
      // (longer than any audio packet) without reading past the slot.
      flow.receiver.onPacket(batch.packets[i]!, meta[m]!, now, from);
    }
  };
  // Unicast: an ephemeral port on the device address, which goes into the flow request (§5.1).
  // Multicast: the group address and port, so only that group's packets arrive (§5.6).
  const opts = { bindAddress: cfg.ip, port: args.multicast?.port ?? 0, ...(args.multicast ? { multicastGroup: args.multicast.ip } : {}), recvBufferBytes: RX_SOCKET_BUFFER_BYTES };
  const socket = rxSocket === 'dgram' ? await openDgramUdpReceiver(opts, onBatch) : await native.udpReceiverOpen(opts, onBatch);
  // A second open of the same flow while this one was binding replaced it: this socket is not used.
  if (flows.has(args.flowId)) closeFlow(args.flowId);
  flow.socket = socket;
  flow.port = socket.localPort;
  flow.recvBufferBytes = socket.recvBufferBytes;
  socketKind = socket.native ? 'native' : 'dgram';
  flows.set(flow.id, flow);
  counters.flowsOpened++;
  flowsChanged();
  // Report now, ahead of the reply: /status must not list a flow whose socket it does not show yet.
  report();
  return { port: flow.port };
}

function closeFlow(flowId: number): boolean {
  const f = flows.get(flowId);
  if (!f) return false;
  flows.delete(flowId);
  for (const k of FLOW_TOTALS) closedTotals[k] += f.receiver.counters[k];
  // No batch arrives after close (native and dgram alike).
  f.socket!.close();
  const st = f.socket!.stats();
  counters.truncated += st.truncated;
  counters.socketErrors += st.errors;
  counters.flowsClosed++;
  flowsChanged();
  updateRouted();
  return true;
}

function configureFlow(args: { flowId: number; slots: number; bytesPerSample: BytesPerSample; routes: FlowRoute[] }): boolean {
  const f = flows.get(args.flowId);
  if (!f) return false;
  f.receiver.configure(args.slots, args.bytesPerSample, args.routes);
  f.routes = args.routes.map((r) => [r[0], r[1]] as const);
  updateRouted();
  return true;
}

function flowStats(): Record<string, unknown>[] {
  return [...flows.values()].map((f) => {
    const st = f.socket!.stats();
    return { id: f.id, port: f.port, unicast: f.unicast, source: f.source ? `${f.source.address}:${f.source.port}` : undefined, maxAgeSamples: f.maxAge, recvBufferBytes: f.recvBufferBytes, socket: f.socket!.native ? 'native' : 'dgram', datagrams: st.datagrams, batches: st.batches, truncated: st.truncated, socketErrors: st.errors, ...(st.lastError ? { lastSocketError: st.lastError } : {}), ...f.receiver.counters };
  });
}

// Keepalives `13 37` from each unicast flow socket to the source of its audio (§5.5). The timer
// runs only while a flow is open.
let keepaliveTimer: NodeJS.Timeout | undefined;
function sendKeepalives(): void {
  for (const f of flows.values()) {
    if (!f.unicast || !f.source) continue;
    f.socket!.send(KEEPALIVE, f.source.address, f.source.port);
    counters.keepalives++;
  }
}
function flowsChanged(): void {
  if (flows.size > 0 && !keepaliveTimer && !rt.stopping) keepaliveTimer = setInterval(sendKeepalives, KEEPALIVE_INTERVAL_MS);
  if (flows.size === 0 && keepaliveTimer) {
    clearInterval(keepaliveTimer);
    keepaliveTimer = undefined;
  }
  // Leaving the idle pace: deliver at the fast pace from now on, not after the idle wait.
  if (flows.size > 0 && deliveryIdle) {
    clearTimeout(deliveryTimer);
    scheduleDelivery();
  }
}

// Delivery runs in the check phase, after the poll phase has handled the datagrams already queued
// on the flow sockets: after an event-loop stall the timer fires first, and reading the rings then
// would hand over as missing the frames of packets that arrived in time but were not yet read.
// A socket still draining a backlog defers delivery by a turn (DeliveryDrainGate).
const drainGate = new DeliveryDrainGate();
const reads: number[] = [];
const deliver = (): boolean => {
  reads.length = 0;
  for (const f of flows.values()) {
    // A native socket reads until the socket is empty or a bound per wake-up, so only a wake-up that
    // hit the bound can leave a backlog; dgram reads at most UV_UDP_READS_PER_TURN per turn.
    reads.push(f.socket!.native ? (f.mayHoldMore ? UV_UDP_READS_PER_TURN : 0) : f.readSinceCheck);
    f.readSinceCheck = 0;
    f.mayHoldMore = false;
  }
  if (drainGate.shouldWait(reads)) return false;
  const now = mediaNow();
  if (Number.isNaN(now)) return true;
  // Idle with the null sink: nothing routed, nobody listening; only the position moves.
  if (flows.size === 0 && idleOutput) delivery.advanceDiscarding(now);
  else delivery.run(now);
  return true;
};
const idleOutput = output instanceof NullSinkOutput;
let deliveryTimer: NodeJS.Timeout | undefined;
let deliveryStopped = false;
let deliveryIdle = false;
/** Bumped per schedule: a rescheduled chain's already-fired timer (its setImmediate pending) ends. */
let deliveryChain = 0;
function scheduleDelivery(): void {
  if (deliveryStopped) return;
  deliveryIdle = flows.size === 0 && idleOutput;
  const chain = ++deliveryChain;
  if (deliveryIdle && idleDeliveryOnReport) return; // report() delivers
  const ms = deliveryIdle ? idleDeliveryMs : DELIVERY_INTERVAL_MS;
  const run = (): void => {
    if (chain !== deliveryChain || deliveryStopped) return;
    if (deliver()) scheduleDelivery();
    else setImmediate(run);
  };
  deliveryTimer = setTimeout(() => setImmediate(run), ms);
}
scheduleDelivery();

/** Truncated datagrams and socket errors of the open flows and the closed ones. */
function socketTotals(): { truncated: number; socketErrors: number } {
  let truncated = counters.truncated;
  let socketErrors = counters.socketErrors;
  for (const f of flows.values()) {
    const st = f.socket!.stats();
    truncated += st.truncated;
    socketErrors += st.errors;
  }
  return { truncated, socketErrors };
}

let lastLatency: { min: number; mean: number; max: number } | undefined;
function report(): void {
  if (deliveryIdle && idleDeliveryOnReport && !deliveryStopped) deliver();
  if (output instanceof AlsaSinkOutput) logAlsaMessages(native, rt.log);
  for (const f of flows.values()) f.maxAge = f.receiver.takeMaxAge();
  lastLatency = delivery.takeLatency() ?? lastLatency;
  const toNs = (s: number) => Math.round((s * 1e9) / rate);
  const rings = writers.map((w) => {
    const s = w.state;
    return { zeroFilled: s.zeroFilled, holes: s.holes, late: s.late, overrun: s.overrun, skipped: s.skipped };
  });
  const sum = (k: FlowCounterName) => [...flows.values()].reduce((a, f) => a + f.receiver.counters[k], closedTotals[k]);
  rt.report({
    counters: { ...counters, ...socketTotals(), ...output.counters, ...(output instanceof AlsaSinkOutput ? output.alsaCounters() : {}), deliveredFrames: delivery.frames, deliverySkippedFrames: delivery.skippedFrames, deliveryBlocksDropped: delivery.blocksDropped, deliveryStalls: delivery.stalls, deliveryDeferrals: drainGate.deferrals },
    info: {
      realtime: realtime ? (realtime.ok ? 'SCHED_FIFO' : `refused: ${realtime.errno}`) : 'off',
      socket: socketKind,
      sink: captureRing ? 'library' : formatRxSink(sinkSpec),
      sinkState: output.state,
      ...(output instanceof Recorder ? { recorder: output.info() } : {}),
      ...(output instanceof AlsaSinkOutput ? { alsa: output.info() } : {}),
      latency: {
        configuredNs: cfg.rxLatencyNs,
        configuredSamples: latencySamples,
        ...(lastLatency ? { achievedNs: toNs(lastLatency.mean), achievedMinNs: toNs(lastLatency.min), achievedMaxNs: toNs(lastLatency.max) } : {}),
      },
      firstFrameMediaTime: delivery.firstFrame,
      // Media time of the next frame to hand over: these counters cover the output before it.
      deliveredToMediaTime: delivery.position,
      deliveredFrames: delivery.frames,
      packets: sum('packets'),
      malformed: sum('malformed'),
      latePackets: sum('late'),
      lostPackets: sum('lostPackets'),
      lostFrames: sum('lostFrames'),
      duplicates: sum('duplicates'),
      reordered: sum('reordered'),
      flows: flowStats(),
      channels: delivery.channels.map((c, i) => ({ rx: i + 1, routed: delivery.routed[i] === 1, missingFrames: c.missingFrames, missingRuns: c.missingRuns, ...rings[i] })),
      peakDbfs: delivery.takePeaks().map((p) => (Number.isFinite(p) ? Math.round(p * 10) / 10 : null)),
    },
  });
}
const stopReports = everyReportSlot(report);

rt.onMessage((msg) => {
  if (msg.type === 'stop') {
    clearInterval(keepaliveTimer);
    keepaliveTimer = undefined;
    deliveryStopped = true;
    clearTimeout(deliveryTimer);
    stopReports();
    for (const id of [...flows.keys()]) closeFlow(id);
    // A last report after the sink closed carries the recorder's final state (e.g. a write error).
    void output.close().finally(() => {
      report();
      rt.finish();
    });
    return;
  }
  counters.commands++;
  const reply = (p: Promise<unknown>) =>
    p.then(
      (result) => rt.post({ type: 'reply', id: msg.id, ok: true, result }),
      (err: Error) => rt.post({ type: 'reply', id: msg.id, ok: false, error: err.message }),
    );
  switch (msg.name) {
    case 'open-flow':
      void reply(openFlow(msg.args as Parameters<typeof openFlow>[0]));
      return;
    case 'configure-flow':
      void reply(Promise.resolve().then(() => configureFlow(msg.args as Parameters<typeof configureFlow>[0])));
      return;
    case 'close-flow':
      void reply(Promise.resolve(closeFlow((msg.args as { flowId: number }).flowId)));
      return;
    case 'flows':
      void reply(Promise.resolve(flowStats()));
      return;
    case RX_TRACKS_EVENT:
      if (output instanceof Recorder) output.setTracks((msg.args as { tracks: TrackInfo[] }).tracks);
      return;
    default:
      rt.post({ type: 'reply', id: msg.id, ok: false, error: `receive worker has no command '${msg.name}'` });
  }
});
rt.releaseMemoryWhenIdle(() => flows.size === 0);
rt.post({ type: 'ready' });
