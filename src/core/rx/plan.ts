// Flow sizing for a receiver (PROTOCOL.md §5.1, §5.4): how many slots a new flow gets and how many
// frames per packet to ask for.
import { MAX_AUDIO_PAYLOAD } from '../audio/packet.js';
import { MAX_CHANNELS_PER_FLOW, MAX_FRAMES_PER_PACKET, MIN_FRAMES_PER_PACKET } from '../flows/limits.js';
import type { ResolvedTxChannel } from './types.js';

/** Slots of a new unicast flow: min(tx nchan, local RX channel count, 8) (§5.1). */
export function flowSlotCount(nchan: number, rxChannels: number): number {
  return Math.max(1, Math.min(nchan, rxChannels, MAX_CHANNELS_PER_FLOW));
}

/**
 * Frames per packet: within the transmitter's advertised range and the payload limit; `requested`
 * (the receiver's `--rx-fpp`) when given, else at most a quarter of the receive latency so that a
 * few packets are always in flight before their deadline.
 */
export function flowFramesPerPacket(
  tx: Pick<ResolvedTxChannel, 'fppMax' | 'fppMin'>, slots: number, bytesPerSample: number, latencySamples: number, requested?: number,
): number {
  const byPayload = Math.floor(MAX_AUDIO_PAYLOAD / (slots * bytesPerSample));
  const want = requested || Math.floor(latencySamples / 4);
  const hi = Math.min(tx.fppMax || MAX_FRAMES_PER_PACKET, byPayload, MAX_FRAMES_PER_PACKET);
  const lo = Math.max(tx.fppMin || MIN_FRAMES_PER_PACKET, MIN_FRAMES_PER_PACKET);
  return Math.max(lo, Math.min(hi, want));
}

export function bytesPerSampleOf(bits: number): 2 | 3 | 4 {
  return bits <= 16 ? 2 : bits <= 24 ? 3 : 4;
}

/** Transmitters are told apart by their flows-control endpoint. */
export function transmitterKey(ip: string, port: number): string {
  return `${ip}:${port}`;
}
