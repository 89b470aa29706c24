// Recording file formats: `containerFor(format, stream, metadata)`.
import type { Container, RecordFormat, StreamParams } from './container.js';
import type { RecordingMetadata } from './metadata.js';
import { riffContainer } from './riff.js';
import type { RiffOptions } from './riff.js';
import { w64Container } from './w64.js';

export * from './container.js';
export * from './metadata.js';
export * from './pcm.js';
export { riffContainer } from './riff.js';
export type { RiffOptions } from './riff.js';
export { w64Container } from './w64.js';

export const RECORD_FORMATS: readonly RecordFormat[] = ['wav', 'w64', 'rf64'];

export function containerFor(format: RecordFormat, p: StreamParams, m: RecordingMetadata, opts: RiffOptions = {}): Container {
  return format === 'w64' ? w64Container(p, m) : riffContainer(format, p, m, opts);
}
