// The RX media rings in `shared`: one per RX channel (`rx.1` …), so channels can move between flows
// without reallocating. Written by the receive worker, read by the sink at now − latency.
import { createMediaRing } from '../../core/media-ring.js';
import { samplesFromNs } from '../../core/media-time.js';

/** Largest ring: 2^15 frames, 0.68 s at 48 kHz, 0.17 s at 192 kHz (above the 40 ms maximum latency + jitter). */
export const RX_RING_CAPACITY = 32768;
/** Beyond the latency, a ring holds this much: how long delivery may stall (load, GC) before the
 *  writer has to drop frames. 250 ms at 48 kHz and 5 ms gives 16384 frames, half the old fixed size. */
export const RX_RING_MARGIN_NS = 250_000_000;

/** Ring frames for an RX latency: latency plus margin, rounded up to a power of two, at most RX_RING_CAPACITY. */
export function rxRingCapacity(rxLatencyNs: number, sampleRate: number): number {
  const need = samplesFromNs(rxLatencyNs + RX_RING_MARGIN_NS, sampleRate);
  return Math.min(RX_RING_CAPACITY, 2 ** Math.ceil(Math.log2(Math.max(need, 16))));
}

export function createRxRings(config: { rxChannels: number; rxLatencyNs: number; sampleRate: number }): Record<string, SharedArrayBuffer> {
  // Holes are zero-filled once the writer is half a latency ahead, before the reader (a full latency
  // behind the newest data) gets there: a lost packet costs exactly its own frames.
  const holeFixWait = Math.max(1, Math.floor(samplesFromNs(config.rxLatencyNs, config.sampleRate) / 2));
  const capacity = rxRingCapacity(config.rxLatencyNs, config.sampleRate);
  const out: Record<string, SharedArrayBuffer> = {};
  for (let i = 1; i <= config.rxChannels; i++) out[`rx.${i}`] = createMediaRing({ channels: 1, capacity, holeFixWait });
  return out;
}
