// The recorder behind `inferno capture --format wav|w64|rf64`.
import { poolIo } from './pool-io.js';
import { Recorder } from './recorder.js';
import type { RecorderOptions } from './recorder.js';

export { Recorder } from './recorder.js';
export type { RecorderOptions } from './recorder.js';
export { threadIo, writeFully } from './io.js';
export type { RecorderIo, PositionalWrite } from './io.js';
export { poolIo } from './pool-io.js';
export { parseSplit, splitFrames, stampUtc, takeFileName } from './options.js';
export type { SplitSpec } from './options.js';

/** What `inferno capture` passes to the receive worker (plain data: it crosses threads). */
export type RecorderConfig = Omit<RecorderOptions, 'io' | 'onError' | 'now' | 'blockSamples' | 'channels' | 'sampleRate'>;

/** A recorder writing through a piscina pool, for the receive worker. */
export function createRecorderSink(cfg: RecorderConfig, stream: { channels: number; sampleRate: number; blockSamples: number }, onError: (err: Error) => void): Recorder {
  return new Recorder({ ...cfg, ...stream, io: poolIo(), onError });
}
