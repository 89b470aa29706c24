// `bench alsa`: CPU cost of the ALSA playback path, as seconds of audio per CPU second (all threads
// of the process, so the native I/O thread counts too; background load stretches wall time but
// barely moves the figure). Pass-through: a real `null` PCM (no clock, frames copied unchanged).
// Resampled: the same sink with a PCM that has a clock (simulated, its fill held at the target),
// so the drift controller and the resampler run on every block as they would for a sound card.
import { AlsaSinkOutput } from '../../audio-io/alsa-sink.js';
import { getLogger } from '../../log.js';
import { loadNative } from '../../native/index.js';
import type { AlsaPcm, AlsaPcmStatus, NativeTimer } from '../../native/types.js';
import { checkTarget, newSession } from '../results.js';
import { durationOf } from '../scenario.js';
import type { Scenario } from '../scenario.js';

const RATE = 48000;
/** The receive worker hands over 2 ms blocks. */
const BLOCK = 96;
const MATRIX: readonly { channels: number; resampled: boolean }[] = [
  { channels: 2, resampled: false },
  { channels: 8, resampled: false },
  { channels: 2, resampled: true },
  { channels: 8, resampled: true },
];

export interface AlsaPathThroughput {
  channels: number;
  resampled: boolean;
  timesRealTime: number;
  /** Share of one core the path takes at real time. */
  corePercent: number;
  /** Frames that found the ring full (the I/O thread fell behind a producer faster than real time). */
  droppedFrames: number;
}

/** A clocked PCM that takes every frame and always reports the fill at its target. */
function clockedPcm(native: NativeTimer, channels: number): NativeTimer {
  const info = { pcm: 'bench', stream: 'playback' as const, type: 0, clocked: true, format: 'S32_LE' as const, rate: RATE, channels, periodFrames: 240, bufferFrames: 960, ringFrames: 16384 };
  const status: AlsaPcmStatus = { ringFill: 0, delayFrames: 960, availFrames: 0, xruns: 0, transferredFrames: 0, droppedFrames: 0 };
  const pcm: AlsaPcm = { info, write: (_s, n) => n, read: () => 0, status: () => status, discard: () => 0, injectXrun: () => {}, close: () => {} };
  return { ...native, alsaOpen: () => pcm };
}

const cpuS = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export function measureAlsaPath(channels: number, resampled: boolean, seconds: number): AlsaPathThroughput {
  const native = loadNative();
  const n = resampled ? clockedPcm(native, channels) : native;
  let now = 0;
  const sink = new AlsaSinkOutput(n, { pcm: 'null', rate: RATE, map: Array.from({ length: channels }, (_, i) => i + 1), periodFrames: 240, bufferFrames: 960 }, channels, BLOCK * channels, () => now, () => now, getLogger('bench'));
  if (sink.error) throw new Error(sink.error);
  let frames = 0;
  const push = () => {
    const b = sink.acquire()!;
    for (let i = 0; i < b.length; i++) b[i] = Math.imul(frames + i, 0x9e3779b1) >> 8;
    sink.submit(b, BLOCK * channels);
    frames += BLOCK;
    now += 2e6;
  };
  for (let i = 0; i < 100; i++) push(); // warm-up: JIT, the I/O thread running
  frames = 0;
  const dropped0 = Number(sink.info().droppedFrames ?? 0);
  const cpu0 = cpuS();
  const end = Date.now() + seconds * 1000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < end) {
    for (let i = 0; i < 50; i++) push();
    // Never faster than the I/O thread drains the ring (sleeping costs no CPU): every frame is
    // carried to ALSA, none dropped at a full ring.
    while (Number(sink.info().ringFill) > 8192) Atomics.wait(pause, 0, 0, 1);
  }
  const cpu = cpuS() - cpu0;
  const droppedFrames = Number(sink.info().droppedFrames ?? 0) - dropped0;
  void sink.close();
  const timesRealTime = frames / RATE / cpu;
  return { channels, resampled, timesRealTime: Number(timesRealTime.toFixed(1)), corePercent: Number((100 / timesRealTime).toFixed(2)), droppedFrames };
}

export const alsaScenario: Scenario = {
  name: 'alsa',
  description: 'ALSA playback path: audio seconds per CPU second, pass-through (null PCM) and resampled, 2 and 8 channels',
  defaultDurationS: 2,
  async unavailable() {
    try {
      loadNative().alsaOpen({ pcm: 'null', stream: 'playback', rate: RATE, channels: 2, periodFrames: 240, bufferFrames: 960, ringFrames: 4096 }).close();
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  },
  async run(opts, progress) {
    const seconds = durationOf(alsaScenario, opts);
    const session = newSession('alsa', { rate: RATE, blockFrames: BLOCK, secondsPerConfiguration: seconds });
    const results: AlsaPathThroughput[] = [];
    for (const [i, m] of MATRIX.entries()) {
      progress.update(i / MATRIX.length, `${m.channels} channels, ${m.resampled ? 'resampled' : 'pass-through'}`);
      await new Promise((r) => setImmediate(r));
      results.push(measureAlsaPath(m.channels, m.resampled, seconds));
    }
    session.figures = { results };
    const r8 = results.find((x) => x.channels === 8 && x.resampled)!;
    session.targets.push(checkTarget('8ch-resampled', '8 channels resampled: at least 10 × real time (under 10 % of a core)', 'min', r8.timesRealTime, 10, '× real time'));
    session.targets.push(checkTarget('no-drops', 'every frame carried to ALSA (none dropped at a full ring)', 'max', results.reduce((a, x) => a + x.droppedFrames, 0), 0, 'frames'));
    const table = [['channels', 'path', 'figure', 'ring full'], ...results.map((x) => [`${x.channels}`, x.resampled ? 'resampled' : 'pass-through', `${x.timesRealTime} × real time (${x.corePercent} % of a core)`, `${x.droppedFrames} frames`])];
    return { session, table, plots: [] };
  },
};
