// Runs one library Device inside a namespace host (see lib-device.test.ts). Role `tx`: transmits the
// 24-bit test pattern for its media time on TX 1 and 2 through `transmit()` (async generators of
// blocks). Role `rx`: subscribes RX 1/2 to the transmitter, `capture()`s, checks every frame against
// the pattern for its media time, then stalls a second capture to provoke overflow. Prints one
// `result {json}` line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device } from '../../dist/index.js';
import type { SubscriptionEvent } from '../../dist/index.js';
import { patternSample } from '../../dist/core/pattern.js';

interface Args {
  role: 'tx' | 'rx';
  ip: string;
  name: string;
  peer?: string;
  /** tx: seconds of audio sent; rx: seconds of audio to check. */
  seconds: number;
}

const args = JSON.parse(process.argv[2]!) as Args;
const RATE = 48000;
const BLOCK = 480;

async function* pattern(channel: number, start: number, frames: number): AsyncGenerator<Int32Array> {
  for (let k = 0; k < frames; k += BLOCK) {
    const b = new Int32Array(Math.min(BLOCK, frames - k));
    for (let i = 0; i < b.length; i++) b[i] = patternSample(channel, start + k + i, 24);
    yield b;
  }
}

async function runTx(device: Device): Promise<unknown> {
  while (Number.isNaN(device.mediaTime())) await new Promise((r) => setTimeout(r, 20));
  const startAt = Math.ceil(device.mediaTime() + RATE / 2);
  const frames = args.seconds * RATE;
  const streams = [1, 2].map((ch) => device.transmit(ch, pattern(ch, startAt, frames), { startAt }));
  console.log(`started ${startAt}`);
  const stats = await Promise.all(streams.map((s) => s.done));
  return { startAt, stats };
}

async function runRx(device: Device): Promise<unknown> {
  const events: SubscriptionEvent[] = [];
  device.on('subscription', (e) => events.push(e));
  await device.subscribe(1, `01@${args.peer}`);
  await device.subscribe(2, `02@${args.peer}`);
  const cap = device.capture({ channels: [1, 2], framesPerBlock: 256 });
  let checked = 0;
  let mismatches = 0;
  let firstMismatch: unknown;
  let zeros = 0;
  let lastTime = NaN;
  let discontinuities = 0;
  const deadline = Date.now() + 20_000;
  for await (const b of cap) {
    if (!Number.isNaN(lastTime) && b.mediaTime !== lastTime) discontinuities++;
    lastTime = b.mediaTime + b.frames;
    for (let i = 0; i < b.frames; i++) {
      const a = b.channels[0]![i]!;
      const c = b.channels[1]![i]!;
      if (a === 0 && c === 0) {
        if (checked > 0) zeros++;
        continue;
      }
      const t = b.mediaTime + i;
      if (a !== patternSample(1, t, 24) || c !== patternSample(2, t, 24)) {
        mismatches++;
        firstMismatch ??= { t, a, c, want: [patternSample(1, t, 24), patternSample(2, t, 24)] };
      }
      checked++;
    }
    if (checked >= args.seconds * RATE || Date.now() > deadline) break;
  }
  const captureStats = cap.stats;
  // A consumer that stops reading: the bounded queue overflows and says so.
  let overflowEvents = 0;
  device.on('overflow', () => overflowEvents++);
  const stalled = device.capture({ channels: [1], framesPerBlock: 480, maxBufferedBlocks: 4 });
  await new Promise((r) => setTimeout(r, 600));
  const buffered = stalled.buffered;
  const stalledStats = { ...stalled.stats };
  let drained = 0;
  for await (const b of stalled) {
    drained += b.frames > 0 ? 1 : 0;
    if (drained >= 4) break;
  }
  const status = device.status() as { control: { rxChannels: { subscription?: unknown }[] }; library: unknown };
  return {
    checked, mismatches, firstMismatch, zeros, discontinuities, captureStats, subscriptionEvents: events,
    overflow: { events: overflowEvents, buffered, stats: stalledStats, drained },
    rxChannels: status.control.rxChannels, library: status.library,
  };
}

const stateDir = mkdtempSync(join(tmpdir(), 'lib-device-'));
const device = await Device.start({
  bindIp: args.ip, name: args.name, rxChannels: 2, txChannels: 2, clock: 'local', stateDir, logLevel: 'warn', rxLatencyNs: 10_000_000,
});
let code = 0;
try {
  const result = args.role === 'tx' ? await runTx(device) : await runRx(device);
  console.log(`result ${JSON.stringify(result)}`);
  // The transmitter keeps its flows up until the receiver is done.
  if (args.role === 'tx') await new Promise((r) => process.stdin.once('data', r).once('end', r));
} catch (err) {
  console.error((err as Error).stack);
  code = 1;
} finally {
  await device.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
process.exit(code);
