// One RX flow's packet path (PROTOCOL.md §6.1, §6.4): checks and decodes each audio packet, places it
// at its media time (reconstructed from the wire timestamp near now) in the rings of the RX channels
// its slots are routed to, and counts what happened. No I/O and no allocation per packet: the
// caller passes the datagram and the current media time.
import { AUDIO_HEADER_LENGTH, decodeAudioSamples } from '../audio/packet.js';
import type { BytesPerSample } from '../audio/packet.js';
import { mediaTimeFromWire } from '../media-time.js';
import type { MediaRingWriter } from '../media-ring.js';
import type { FlowRoute } from './types.js';

/** Packet timestamps remembered to tell a reordered packet (fills a gap) from a duplicate. */
const HISTORY = 64;
/** A jump beyond this (samples) is a stream restart, not loss (legopc fork: 5 s). */
const RESTART_GAP_SECONDS = 5;
/** Largest datagram we decode (Ethernet MTU payload). */
const MAX_DATAGRAM = 1500;
const ONE_CHANNEL: Int32Array = Int32Array.of(0);

export interface RxFlowCounters {
  packets: number;
  frames: number;
  malformed: number;
  /** Packets whose last frame was already past the delivery point when they arrived. */
  late: number;
  /** Timestamp gaps (§6.4), corrected when a reordered packet fills one. */
  lostPackets: number;
  lostFrames: number;
  reordered: number;
  duplicates: number;
  restarts: number;
}

export class RxFlowReceiver {
  readonly counters: RxFlowCounters = { packets: 0, frames: 0, malformed: 0, late: 0, lostPackets: 0, lostFrames: 0, reordered: 0, duplicates: 0, restarts: 0 };
  /** Largest now − packet timestamp (samples) since `takeMaxAge()`. */
  private maxAge = -Infinity;
  private expected = NaN;
  private readonly history = new Float64Array(HISTORY).fill(NaN);
  private historyAt = 0;
  private slotBuffers: (Int32Array | null)[] = [];
  private routes: FlowRoute[] = [];
  private slots = 0;
  private bytesPerSample: BytesPerSample = 3;
  private maxFrames = 0;

  constructor(
    private readonly sampleRate: number,
    private readonly writers: readonly MediaRingWriter[],
  ) {}

  /** New slot layout or routing (control path: allocates). */
  configure(slots: number, bytesPerSample: BytesPerSample, routes: readonly FlowRoute[]): void {
    for (const [slot, rx] of routes) {
      if (slot < 0 || slot >= slots || rx < 0 || rx >= this.writers.length) throw new RangeError(`route ${slot}→${rx} outside the flow or the RX channels`);
    }
    this.slots = slots;
    this.bytesPerSample = bytesPerSample;
    this.maxFrames = Math.floor((MAX_DATAGRAM - AUDIO_HEADER_LENGTH) / (slots * bytesPerSample));
    this.routes = routes.map((r) => [r[0], r[1]] as const);
    this.slotBuffers = Array.from({ length: slots }, (_, s) => (routes.some((r) => r[0] === s) ? new Int32Array(this.maxFrames) : null));
  }

  /**
   * Handles one datagram of `length` bytes. `now` is the media time at arrival, `deliverFrom` the
   * media time the consumer reads next (now − latency). Returns false for a malformed packet.
   */
  onPacket(packet: Uint8Array, length: number, now: number, deliverFrom: number): boolean {
    const frameBytes = this.slots * this.bytesPerSample;
    const body = length - AUDIO_HEADER_LENGTH;
    if (frameBytes === 0 || body <= 0 || body % frameBytes !== 0 || body / frameBytes > this.maxFrames) {
      this.counters.malformed++;
      return false;
    }
    const frames = body / frameBytes;
    const seconds = packet[1]! * 0x1000000 + ((packet[2]! << 16) | (packet[3]! << 8) | packet[4]!);
    const sub = packet[5]! * 0x1000000 + ((packet[6]! << 16) | (packet[7]! << 8) | packet[8]!);
    if (sub >= this.sampleRate) {
      this.counters.malformed++;
      return false;
    }
    const t = mediaTimeFromWire(seconds, sub, this.sampleRate, now);
    const c = this.counters;
    c.packets++;
    c.frames += frames;
    if (now - t > this.maxAge) this.maxAge = now - t;
    if (t + frames <= deliverFrom) c.late++;
    this.countLoss(t, frames);
    decodeAudioSamples(packet, this.bytesPerSample, this.slots, this.slotBuffers, 0, length);
    const routes = this.routes;
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i]!;
      this.writers[r[1]]!.writeFrames(t, frames, ONE_CHANNEL, this.slotBuffers[r[0]]!, 0);
    }
    return true;
  }

  /** Largest now − timestamp (samples) since the last call, or 0 without packets (heartbeat 0x8003). */
  takeMaxAge(): number {
    const v = this.maxAge;
    this.maxAge = -Infinity;
    return v === -Infinity ? 0 : v;
  }

  private countLoss(t: number, frames: number): void {
    const c = this.counters;
    const e = this.expected;
    if (Number.isNaN(e) || Math.abs(t - e) > RESTART_GAP_SECONDS * this.sampleRate) {
      if (!Number.isNaN(e)) c.restarts++;
      this.expected = t + frames;
    } else if (t >= e) {
      if (t > e) {
        // §6.4: a gap is lost audio; in whole packets of this size.
        c.lostFrames += t - e;
        c.lostPackets += Math.round((t - e) / frames);
      }
      this.expected = t + frames;
    } else if (this.seen(t)) {
      c.duplicates++;
      return;
    } else {
      c.reordered++;
      c.lostFrames -= frames;
      c.lostPackets--;
    }
    this.history[this.historyAt] = t;
    this.historyAt = (this.historyAt + 1) % HISTORY;
  }

  private seen(t: number): boolean {
    for (let i = 0; i < HISTORY; i++) if (this.history[i] === t) return true;
    return false;
  }
}
