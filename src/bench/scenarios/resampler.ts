// `bench resampler`: throughput and quality of the drift resampler (src/core/drift). Throughput is
// output frames per second of CPU time of this thread, so background load stretches wall time but
// barely moves the figure; it is also given as a multiple of real time at 48 kHz.
import { Resampler } from '../../core/drift/resampler.js';
import type { ResamplerQuality } from '../../core/drift/resampler.js';
import { checkTarget, newSession } from '../results.js';
import { durationOf } from '../scenario.js';
import type { Scenario } from '../scenario.js';
import { measureThdn } from '../thdn.js';

const RATE = 48000;
const BLOCK = 256;
const THROUGHPUT_MATRIX: readonly { channels: number; quality: ResamplerQuality }[] = [
  { channels: 2, quality: 'high' },
  { channels: 8, quality: 'high' },
  { channels: 64, quality: 'high' },
  { channels: 64, quality: 'medium' },
];
const QUALITY_MATRIX: readonly { frequency: number; ppm: number; quality: ResamplerQuality }[] = [
  { frequency: 1000, ppm: 200, quality: 'high' },
  { frequency: 1000, ppm: -200, quality: 'high' },
  { frequency: 1000, ppm: 1000, quality: 'high' },
  { frequency: 100, ppm: 200, quality: 'high' },
  { frequency: 10000, ppm: 200, quality: 'high' },
  { frequency: 1000, ppm: 200, quality: 'medium' },
  { frequency: 10000, ppm: 200, quality: 'medium' },
];

export interface ResamplerThroughput {
  channels: number;
  quality: ResamplerQuality;
  framesPerCpuSecond: number;
  timesRealTime: number;
}

function threadCpuS(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export function measureThroughput(channels: number, quality: ResamplerQuality, seconds: number): ResamplerThroughput {
  const rs = new Resampler(channels, { quality });
  const input = new Int32Array(BLOCK * channels);
  for (let i = 0; i < input.length; i++) input[i] = Math.imul(i, 0x9e3779b1) >> 4;
  const output = new Int32Array((BLOCK + 8) * channels);
  // Warm-up so the JIT has compiled the inner loops before the clock starts.
  for (let i = 0; i < 200; i++) rs.process(input, BLOCK, output, BLOCK + 8, 1.0002);
  let frames = 0;
  const cpu0 = threadCpuS();
  const wallEnd = Date.now() + seconds * 1000;
  while (Date.now() < wallEnd) {
    for (let i = 0; i < 50; i++) frames += rs.process(input, BLOCK, output, BLOCK + 8, i & 1 ? 1.0002 : 0.9998).produced;
  }
  const cpu = threadCpuS() - cpu0;
  const framesPerCpuSecond = frames / cpu;
  return { channels, quality, framesPerCpuSecond: Math.round(framesPerCpuSecond), timesRealTime: Number((framesPerCpuSecond / RATE).toFixed(2)) };
}

export const resamplerScenario: Scenario = {
  name: 'resampler',
  description: 'drift resampler: frames/s per CPU second for 2..64 channels, THD+N of sines through ±200..1000 ppm',
  defaultDurationS: 2,
  unavailable: async () => undefined,
  async run(opts, progress) {
    const seconds = durationOf(resamplerScenario, opts);
    const session = newSession('resampler', { rate: RATE, blockFrames: BLOCK, secondsPerConfiguration: seconds });
    const steps = THROUGHPUT_MATRIX.length + QUALITY_MATRIX.length;
    const throughput: ResamplerThroughput[] = [];
    for (const [i, m] of THROUGHPUT_MATRIX.entries()) {
      progress.update(i / steps, `throughput, ${m.channels} channels, ${m.quality}`);
      await new Promise((r) => setImmediate(r)); // let the progress line draw
      throughput.push(measureThroughput(m.channels, m.quality, seconds));
    }
    const quality = [];
    for (const [i, m] of QUALITY_MATRIX.entries()) {
      progress.update((THROUGHPUT_MATRIX.length + i) / steps, `THD+N, ${m.frequency} Hz at ${m.ppm} ppm, ${m.quality}`);
      await new Promise((r) => setImmediate(r));
      const r = measureThdn({ ratio: 1 + m.ppm * 1e-6, frequency: m.frequency, level: -1, quality: m.quality });
      quality.push({ ...m, levelDbfs: -1, thdnDb: Number(r.thdnDb.toFixed(1)) });
    }
    session.figures = { throughput, quality };
    const t64 = throughput.find((x) => x.channels === 64 && x.quality === 'high')!;
    session.targets.push(checkTarget('64ch-throughput', '64 channels, high quality, at least 4 × real time on one core', 'min', t64.timesRealTime, 4, '× real time'));
    const q = quality.find((x) => x.frequency === 1000 && x.ppm === 200 && x.quality === 'high')!;
    session.targets.push(checkTarget('thdn-1k-200ppm', '1 kHz at -1 dBFS through +200 ppm: THD+N at most -100 dB', 'max', q.thdnDb, -100, 'dB'));
    session.notes.push('THD+N: least-squares fit of the fundamental at its exact resampled frequency over 48000 frames after 4800 skipped; residual RMS / fundamental RMS');
    const table = [
      ['measurement', 'channels / tone', 'quality', 'figure'],
      ...throughput.map((x) => ['throughput', `${x.channels} ch`, x.quality, `${(x.framesPerCpuSecond / 1000).toFixed(0)} kframes/s (${x.timesRealTime} × real time)`]),
      ...quality.map((x) => ['THD+N', `${x.frequency} Hz ${x.ppm > 0 ? '+' : ''}${x.ppm} ppm`, x.quality, `${x.thdnDb} dB`]),
    ];
    return { session, table, plots: [] };
  },
};
