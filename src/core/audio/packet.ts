// Audio packets (PROTOCOL.md §6.1–§6.2, vectors §12.5): byte 0x02, u32 seconds, u32 sample within
// the second, then frame-interleaved big-endian samples in flow slot order. Hot path: encode into
// a caller's buffer and decode into caller's Int32Arrays, allocating nothing per packet.
import { DecodeError } from '../errors.js';
import type { TxSampleConverter, WireBits } from './dither.js';

export const AUDIO_HEADER_LENGTH = 9;
/** §6.1, §11.1: constant first byte of unknown meaning; receivers ignore it. */
export const AUDIO_PACKET_MARKER = 0x02;
/** §6.1: keep payloads at most about this size. */
export const MAX_AUDIO_PAYLOAD = 1400;
const TWO_POW_32 = 0x100000000;

export type BytesPerSample = 2 | 3 | 4;

/** Interleaved application buffer: frame f, source channel c at `samples[f * stride + c]`. */
export interface InterleavedSource {
  samples: Int32Array;
  stride: number;
  /** Source channel per flow slot; −1 = empty slot (silence). */
  slotMap: ArrayLike<number>;
}

/** Per-slot buffers (null = empty slot) or an interleaved buffer with a slot map. */
export type AudioSource = readonly (Int32Array | null)[] | InterleavedSource;

export function audioPacketLength(fpp: number, slotCount: number, bytesPerSample: BytesPerSample): number {
  return AUDIO_HEADER_LENGTH + fpp * slotCount * bytesPerSample;
}

/** Writes the 9-byte header for media time `mediaTime` (samples) at `sampleRate`. */
export function writeAudioHeader(out: Buffer, mediaTime: number, sampleRate: number): void {
  const seconds = Math.floor(mediaTime / sampleRate);
  writeAudioHeaderParts(out, seconds, mediaTime - seconds * sampleRate);
}

/** The header from the media time's whole seconds and sample within the second. */
export function writeAudioHeaderParts(out: Buffer, seconds: number, sub: number): void {
  out[0] = AUDIO_PACKET_MARKER;
  out.writeUInt32BE(((seconds % TWO_POW_32) + TWO_POW_32) % TWO_POW_32, 1);
  out.writeUInt32BE(sub, 5);
}

/**
 * Encodes `fpp` frames starting at `frameOffset` of the source into `out`; returns the packet
 * length. `tx` converts 32-bit samples to the wire width (truncation or dither, §6.2).
 */
export function encodeAudioPacket(
  out: Buffer,
  mediaTime: number,
  sampleRate: number,
  source: AudioSource,
  frameOffset: number,
  fpp: number,
  bytesPerSample: BytesPerSample,
  tx: TxSampleConverter,
): number {
  const seconds = Math.floor(mediaTime / sampleRate);
  return encodeAudioPacketParts(out, seconds, mediaTime - seconds * sampleRate, source, frameOffset, fpp, bytesPerSample, tx);
}

/**
 * encodeAudioPacket with the media time as (whole seconds, sample within the second): both small
 * integers, so a send loop passes no large double (which V8 would box, i.e. allocate, per call).
 */
export function encodeAudioPacketParts(
  out: Buffer,
  seconds: number,
  sub: number,
  source: AudioSource,
  frameOffset: number,
  fpp: number,
  bytesPerSample: BytesPerSample,
  tx: TxSampleConverter,
): number {
  const interleaved = !isSlotArray(source);
  const slots = interleaved ? source.slotMap.length : source.length;
  const length = audioPacketLength(fpp, slots, bytesPerSample);
  if (out.length < length) throw new RangeError(`audio buffer ${out.length} < ${length} bytes`);
  writeAudioHeaderParts(out, seconds, sub);
  const bits = (bytesPerSample * 8) as WireBits;
  let o = AUDIO_HEADER_LENGTH;
  for (let f = 0; f < fpp; f++) {
    const frame = frameOffset + f;
    for (let s = 0; s < slots; s++) {
      let sample = 0;
      if (interleaved) {
        const c = source.slotMap[s]!;
        if (c >= 0) sample = source.samples[frame * source.stride + c] ?? 0;
      } else {
        const ch = source[s];
        if (ch) sample = ch[frame] ?? 0;
      }
      const v = tx.convert(sample, bits);
      if (bytesPerSample === 3) {
        out[o] = v >> 16;
        out[o + 1] = v >> 8;
        out[o + 2] = v;
      } else if (bytesPerSample === 2) {
        out[o] = v >> 8;
        out[o + 1] = v;
      } else {
        out[o] = v >>> 24;
        out[o + 1] = v >> 16;
        out[o + 2] = v >> 8;
        out[o + 3] = v;
      }
      o += bytesPerSample;
    }
  }
  return length;
}

function isSlotArray(s: AudioSource): s is readonly (Int32Array | null)[] {
  return Array.isArray(s);
}

export interface AudioHeader {
  /** Seconds modulo 2^32. */
  seconds: number;
  /** Sample index within that second. */
  subsamples: number;
}

export function decodeAudioHeader(packet: Uint8Array, packetLength = packet.length): AudioHeader {
  if (packetLength < AUDIO_HEADER_LENGTH || packetLength > packet.length) {
    throw new DecodeError('truncated', `${packetLength}-byte audio packet`);
  }
  return { seconds: readU32(packet, 1), subsamples: readU32(packet, 5) };
}

/**
 * Media time of the first frame, t = seconds × rate + subsamples, without allocating. The seconds
 * wrap at 2^32, so use it modulo a buffer size (§6.1).
 */
export function audioMediaTime(packet: Uint8Array, sampleRate: number, packetLength = packet.length): number {
  if (packetLength < AUDIO_HEADER_LENGTH || packetLength > packet.length) {
    throw new DecodeError('truncated', `${packetLength}-byte audio packet`);
  }
  return readU32(packet, 1) * sampleRate + readU32(packet, 5);
}

/** Frames in a packet of this length, or a DecodeError when it is not a whole number of frames. */
export function audioFrameCount(packetLength: number, channelCount: number, bytesPerSample: BytesPerSample): number {
  const frameBytes = channelCount * bytesPerSample;
  const body = packetLength - AUDIO_HEADER_LENGTH;
  if (body < 0) throw new DecodeError('truncated', `${packetLength}-byte audio packet`);
  if (frameBytes <= 0 || body % frameBytes !== 0) {
    throw new DecodeError('bad-audio-length', `${body} sample bytes for ${channelCount} × ${bytesPerSample}`);
  }
  return body / frameBytes;
}

/**
 * De-interleaves samples into `dest[slot]` (null skips the slot) from `destOffset`, converted to
 * signed 32-bit full scale (16 → << 16, 24 → << 8). Returns the frame count.
 */
export function decodeAudioSamples(
  packet: Uint8Array,
  bytesPerSample: BytesPerSample,
  channelCount: number,
  dest: readonly (Int32Array | null)[],
  destOffset = 0,
  packetLength = packet.length,
): number {
  if (packetLength > packet.length) throw new DecodeError('truncated', `length ${packetLength} > buffer ${packet.length}`);
  const frames = audioFrameCount(packetLength, channelCount, bytesPerSample);
  for (let s = 0; s < channelCount && s < dest.length; s++) {
    const d = dest[s];
    if (d && destOffset + frames > d.length) throw new RangeError(`slot ${s} buffer too small`);
  }
  const stride = channelCount * bytesPerSample;
  for (let s = 0; s < channelCount && s < dest.length; s++) {
    const d = dest[s];
    if (!d) continue;
    let i = AUDIO_HEADER_LENGTH + s * bytesPerSample;
    if (bytesPerSample === 3) {
      for (let f = 0; f < frames; f++, i += stride) d[destOffset + f] = (packet[i]! << 24) | (packet[i + 1]! << 16) | (packet[i + 2]! << 8);
    } else if (bytesPerSample === 2) {
      for (let f = 0; f < frames; f++, i += stride) d[destOffset + f] = (packet[i]! << 24) | (packet[i + 1]! << 16);
    } else {
      for (let f = 0; f < frames; f++, i += stride) {
        d[destOffset + f] = (packet[i]! << 24) | (packet[i + 1]! << 16) | (packet[i + 2]! << 8) | packet[i + 3]!;
      }
    }
  }
  return frames;
}

function readU32(b: Uint8Array, o: number): number {
  return b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
}
