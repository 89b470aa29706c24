// The file formats a take can be written in. A container's header is a pure function of the data
// size written so far and has a fixed length, so the recorder can rewrite it in place at any time.
import type { PcmBits } from './pcm.js';
import type { RecordingMetadata } from './metadata.js';

export type RecordFormat = 'wav' | 'w64' | 'rf64';

export interface StreamParams {
  channels: number;
  sampleRate: number;
  bits: PcmBits;
}

export interface Container {
  readonly format: RecordFormat;
  readonly ext: string;
  readonly headerLength: number;
  readonly frameBytes: number;
  /** Largest data size the format can describe (plain WAV: the 4 GiB RIFF limit). */
  readonly maxDataBytes: number;
  /** The header for `dataBytes` of sample data (always `headerLength` bytes). */
  header(dataBytes: number): Uint8Array;
  /** What follows the data at close (alignment padding), possibly empty. */
  trailer(dataBytes: number): Uint8Array;
}

export type ContainerFactory = (p: StreamParams, m: RecordingMetadata) => Container;

/** Writes a four-character code. */
export function putId(out: Uint8Array, at: number, id: string): void {
  for (let i = 0; i < 4; i++) out[at + i] = id.charCodeAt(i);
}

const PCM_SUBFORMAT = [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/**
 * The `fmt ` body: plain PCM for mono/stereo at 16 bits, WAVE_FORMAT_EXTENSIBLE otherwise (as
 * Microsoft requires for > 2 channels or > 16 bits). The channel mask is 0: Dante channels are
 * independent tracks (mics, feeds), not speaker positions, and mask 0 keeps players from treating a
 * multitrack as surround and downmixing it.
 */
export function fmtBody(p: StreamParams): Uint8Array {
  const extensible = p.channels > 2 || p.bits > 16;
  const out = new Uint8Array(extensible ? 40 : 16);
  const dv = new DataView(out.buffer);
  const block = (p.channels * p.bits) / 8;
  dv.setUint16(0, extensible ? 0xfffe : 1, true);
  dv.setUint16(2, p.channels, true);
  dv.setUint32(4, p.sampleRate, true);
  dv.setUint32(8, p.sampleRate * block, true);
  dv.setUint16(12, block, true);
  dv.setUint16(14, p.bits, true);
  if (extensible) {
    dv.setUint16(16, 22, true);
    dv.setUint16(18, p.bits, true);
    dv.setUint32(20, 0, true);
    out.set(PCM_SUBFORMAT, 24);
  }
  return out;
}
