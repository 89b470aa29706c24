// TX sources and the stage window (pure, synthetic time).
import test from 'ava';
import { parseTxSource, PatternSource, ToneSource, SilenceSource, RingSource } from '../dist/audio-io/sources.js';
import { TxStage, STAGE_FRAMES } from '../dist/core/tx/stage.js';
import { patternSample } from '../dist/core/pattern.js';
import { createMediaRing, MediaRingWriter } from '../dist/core/media-ring.js';
import { encodeAudioPacket, decodeAudioSamples, TxSampleConverter } from '../dist/core/audio/index.js';

test('--tx-source parsing', (t) => {
  t.deepEqual(parseTxSource('pattern'), { kind: 'pattern' });
  t.deepEqual(parseTxSource('tone:1000'), { kind: 'tone', hz: 1000, dbfs: -20 });
  t.deepEqual(parseTxSource('tone:440.5:-6'), { kind: 'tone', hz: 440.5, dbfs: -6 });
  t.deepEqual(parseTxSource('fifo:/tmp/x'), { kind: 'fifo', path: '/tmp/x' });
  t.deepEqual(parseTxSource('file:a.raw'), { kind: 'file', path: 'a.raw' });
  for (const bad of ['', 'tone', 'tone:0', 'tone:100:3', 'noise', 'fifo:']) t.throws(() => parseTxSource(bad), undefined, bad);
});

test('pattern through the stage and a packet is bit-exact at 16, 24 and 32 bits', (t) => {
  const stage = new TxStage(3);
  const src = new PatternSource();
  stage.setUsedChannels([1, 3], src);
  const t0 = 1_765_000_000 * 48000 + 12345; // a realistic media time
  const exact = new TxSampleConverter(16);
  for (const bits of [16, 24, 32] as const) {
    const bytes = (bits / 8) as 2 | 3 | 4;
    const fpp = 16;
    stage.ensure(t0, t0 + 4 * fpp, src);
    for (let p = 0; p < 4; p++) {
      const h = t0 + p * fpp;
      const pkt = Buffer.alloc(9 + fpp * 3 * bytes);
      encodeAudioPacket(pkt, h, 48000, [stage.mirrors[2]!, null, stage.mirrors[0]!], stage.offset(h), fpp, bytes, exact);
      const out = [new Int32Array(fpp), new Int32Array(fpp), new Int32Array(fpp)];
      decodeAudioSamples(pkt, bytes, 3, out);
      for (let f = 0; f < fpp; f++) {
        t.is(out[0]![f], patternSample(3, h + f, bits));
        t.is(out[1]![f], 0);
        t.is(out[2]![f], patternSample(1, h + f, bits));
      }
    }
  }
});

test('stage wraps: ranges across the window edge are contiguous and correct', (t) => {
  const stage = new TxStage(1);
  const src = new PatternSource();
  stage.setUsedChannels([1], src);
  let pos = STAGE_FRAMES * 3 - 100;
  for (let i = 0; i < 20; i++, pos += 37) {
    stage.ensure(pos, pos + 37, src);
    const o = stage.offset(pos);
    for (let f = 0; f < 37; f++) t.is(stage.mirrors[0]![o + f], patternSample(1, pos + f, 32));
  }
});

test('tone: amplitude from dBFS, phase from media time, quantised to 24 bits', (t) => {
  const tone = new ToneSource(1000, -6, 48000, 24);
  const out = new Int32Array(48);
  tone.fill(48000 * 1000, 48, [out]);
  t.is(out[0], 0);
  const peak = Math.max(...out);
  t.true(Math.abs(peak / 0x7fffffff - 10 ** (-6 / 20)) < 1e-3);
  t.true(out.every((v) => (v & 0xff) === 0));
  const again = new Int32Array(48);
  tone.fill(48000 * 5, 48, [again]);
  t.deepEqual(again, out, 'same phase at every whole second');
  const silence = new Int32Array([1, 2]);
  new SilenceSource().fill(0, 2, [silence]);
  t.deepEqual([...silence], [0, 0]);
});

test('ring source: frame written for r is sent at wire time r + shift; missing frames are zeros, counted', (t) => {
  const ring = createMediaRing({ channels: 2, capacity: 4096, holeFixWait: 100 });
  const w = new MediaRingWriter(ring);
  const src = new RingSource(ring, 456);
  const frames = Int32Array.from({ length: 2 * 64 }, (_, i) => i + 1);
  w.writeFrames(1000, 64, [0, 1], frames);
  const a = new Int32Array(64);
  const b = new Int32Array(64);
  src.fill(1000 + 456, 64, [a, b]);
  t.is(src.missingFrames, 64, 'the first read attaches the reader and returns zeros');
  w.writeFrames(1064, 64, [0, 1], frames);
  src.fill(1064 + 456, 64, [a, b]);
  t.is(a[0], 1);
  t.is(b[0], 2);
  t.is(a[63], 127);
  t.is(src.missingFrames, 64);
  src.fill(1128 + 456, 10, [a, b]);
  t.is(src.missingFrames, 74, 'nothing written yet');
  t.is(a[0], 0);
});
