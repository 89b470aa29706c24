// The recorder fed from a synthetic pattern source (no network): every format and depth is read back
// by sox, ffprobe and our own parser with the right layout, samples and track names.
import test from 'ava';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder, poolIo, threadIo } from '../dist/audio-io/recorder/index.js';
import type { RecorderOptions } from '../dist/audio-io/recorder/index.js';
import { interop } from './support/needs.js';
import { parseTake, samplesOf } from './support/rec-parse.js';
import { ffprobe, patternBlock, soxInfo, soxSamples } from './support/rec-tools.js';

const tools = interop({ commands: ['sox', 'ffprobe'] });
const RATE = 48000;
const TRACKS = [{ name: 'Kick', source: 'Kick@FOH' }, { name: 'Snare', source: 'Snare@FOH' }, { name: 'Vox "lead" & <1>' }];

function makeRecorder(dir: string, o: Partial<RecorderOptions> & Pick<RecorderOptions, 'format' | 'bits'>): Recorder {
  return new Recorder({ path: join(dir, 'take'), channels: 3, sampleRate: RATE, device: 'stage box', tracks: TRACKS, blockSamples: 4096 * 3, io: poolIo(), ...o });
}

/** Feeds `frames` pattern frames from media time t0 in blocks of `block`. */
function feed(rec: Recorder, channels: number, t0: number, frames: number, block = 96): void {
  for (let f = 0; f < frames; f += block) {
    const n = Math.min(block, frames - f);
    const b = rec.acquire()!;
    b.set(patternBlock(channels, t0 + f, n));
    rec.submit(b, n * channels);
  }
}

function expectPattern(t: { is: (a: unknown, b: unknown, m?: string) => void }, s: Int32Array, channels: number, t0: number, bits: number): void {
  const want = patternBlock(channels, t0, s.length / channels);
  const mask = bits >= 32 ? -1 : ~((1 << (32 - bits)) - 1);
  let bad = -1;
  for (let i = 0; i < s.length && bad < 0; i++) if (s[i] !== (want[i]! & mask)) bad = i;
  t.is(bad, -1, 'every sample is the pattern truncated to the file depth');
}

for (const format of ['wav', 'w64', 'rf64'] as const) {
  for (const bits of [16, 24, 32] as const) {
    tools(`${format} ${bits}-bit: sox, ffprobe and the parser agree on layout, samples and track names`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'recfmt-'));
      try {
        const path = join(dir, `take.${format === 'w64' ? 'w64' : 'wav'}`);
        const rec = makeRecorder(dir, { format, bits, path });
        const frames = RATE + 123;
        feed(rec, 3, 1000, frames);
        await rec.close();
        t.is(rec.error, undefined);
        t.deepEqual(rec.files, [path]);
        const sox = soxInfo(path);
        t.deepEqual(sox, { channels: 3, rate: RATE, bits, samples: frames });
        const probe = ffprobe(path);
        t.is(probe.streams.length, 1);
        t.is(probe.streams[0]!.channels, 3);
        t.is(probe.streams[0]!.sample_rate, String(RATE));
        t.is(probe.streams[0]!.codec_name, `pcm_s${bits}le`);
        const p = parseTake(path);
        t.is(p.kind, format === 'w64' ? 'W64' : 'RIFF', 'an RF64 take below 4 GiB stays a plain WAV');
        t.is(p.formatTag, 0xfffe, 'WAVE_FORMAT_EXTENSIBLE for 3 channels');
        t.is(p.channelMask, 0);
        t.deepEqual(p.trackNames, ['Kick', 'Snare', 'Vox &quot;lead&quot; &amp; &lt;1&gt;']);
        t.true(p.chunks.get('bext')!.toString('latin1', 0, 256).startsWith('stage box: 1 Kick, 2 Snare, 3 Vox'));
        if (format !== 'w64') t.regex(probe.format.tags?.comment ?? '', /1 Kick, 2 Snare/, 'INFO comment visible to ffprobe');
        expectPattern(t, samplesOf(p.data, bits), 3, 1000, bits);
        expectPattern(t, soxSamples(path), 3, 1000, bits);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

tools('stereo 16-bit is plain PCM; the track names are in iXML and INFO', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recfmt-'));
  try {
    const path = join(dir, 'st.wav');
    const rec = new Recorder({ path, format: 'wav', bits: 16, channels: 2, sampleRate: RATE, device: 'd', tracks: TRACKS.slice(0, 2), blockSamples: 8192, io: threadIo() });
    feed(rec, 2, 0, 4801);
    await rec.close();
    const p = parseTake(path);
    t.is(p.formatTag, 1);
    t.is(p.chunks.get('fmt ')!.length, 16);
    t.deepEqual(p.trackNames, ['Kick', 'Snare']);
    t.is(soxInfo(path).samples, 4801);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

tools('rf64 upgrades to RF64 with ds64 past the RIFF limit, and sox and ffprobe read it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recfmt-'));
  try {
    const path = join(dir, 'big.wav');
    const rec = makeRecorder(dir, { format: 'rf64', bits: 24, path, riffLimit: 100_000 });
    const frames = 30_001;
    feed(rec, 3, 7, frames);
    await rec.close();
    t.deepEqual(rec.files, [path], 'no split: RF64 has no size limit');
    const p = parseTake(path);
    t.is(p.kind, 'RF64');
    t.true(p.chunks.has('ds64'));
    t.is(p.data.length, frames * 9);
    t.is(soxInfo(path).samples, frames);
    t.is(Number(ffprobe(path).streams[0]!.duration_ts), frames);
    expectPattern(t, soxSamples(path), 3, 7, 24);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

tools('wav continues in a new file at the RIFF limit, gapless', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recfmt-'));
  try {
    const path = join(dir, 'lim.wav');
    const rec = makeRecorder(dir, { format: 'wav', bits: 24, path, riffLimit: 100_000 });
    feed(rec, 3, 7, 30_001);
    await rec.close();
    t.true(rec.files.length >= 3, rec.files.join(' '));
    let t0 = 7;
    for (const f of rec.files) {
      t.true(statSync(f).size <= 100_008);
      const s = soxSamples(f);
      expectPattern(t, s, 3, t0, 24);
      t0 += s.length / 3;
    }
    t.is(t0, 7 + 30_001);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

tools('--split-every rotation: files named by device and start time, boundary samples consecutive', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recfmt-'));
  try {
    let clock = Date.UTC(2024, 4, 17, 21, 59, 58, 500);
    const rec = makeRecorder(dir, { format: 'w64', bits: 24, split: { seconds: 1 }, now: () => clock });
    for (let i = 0; i < 35; i++) {
      feed(rec, 3, 500 + i * 4800, 4800, 4096);
      clock += 100;
      await new Promise((r) => setTimeout(r, 20));
    }
    await rec.close();
    const names = readdirSync(dir).sort();
    t.deepEqual(names, ['take-stage_box-20240517-215958.w64', 'take-stage_box-20240517-215959.w64', 'take-stage_box-20240517-220000.w64', 'take-stage_box-20240517-220001.w64']);
    const lengths = names.map((n) => soxInfo(join(dir, n)).samples);
    t.deepEqual(lengths, [RATE, RATE, RATE, 35 * 4800 - 3 * RATE]);
    t.is(rec.counters.droppedFrames, 0);
    let t0 = 500;
    for (const n of names) {
      const s = soxSamples(join(dir, n));
      expectPattern(t, s, 3, t0, 24);
      t0 += s.length / 3;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

tools('a full queue drops frames, counts them and writes silence in their place', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recfmt-'));
  try {
    const path = join(dir, 'q.wav');
    const rec = makeRecorder(dir, { format: 'wav', bits: 24, path, queueChunks: 4, chunkFrames: 1000 });
    // Synchronously: no write can complete, so only the 4 staging chunks hold audio.
    feed(rec, 3, 0, 10_000, 500);
    t.is(rec.counters.droppedFrames, 6000);
    t.is(rec.info().droppedFrames, 6000);
    await rec.close();
    t.is(rec.counters.silenceFrames, 6000);
    t.is(soxInfo(path).samples, 10_000, 'the file keeps the take\'s length');
    const s = soxSamples(path);
    expectPattern(t, s.subarray(0, 4000 * 3), 3, 0, 24);
    t.true(s.subarray(4000 * 3).every((v) => v === 0), 'the dropped frames are silence');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
