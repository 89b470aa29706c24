import test from 'ava';
import { hex } from '../dist/core/bytes.js';
import {
  audioFrameCount,
  audioMediaTime,
  audioPacketLength,
  type BytesPerSample,
  decodeAudioHeader,
  decodeAudioSamples,
  encodeAudioPacket,
  TxSampleConverter,
  Xorshift32,
} from '../dist/core/audio/index.js';

const T = 48000 * 1000 + 12345;

test('§12.5 24-bit packet is byte-exact (24-bit source, no dither)', (t) => {
  // Frames (0x123456, −2) and (0x7FFFFF, −0x800000): slot 0 carries the first value of each.
  const ch0 = Int32Array.from([0x123456 << 8, 0x7fffff << 8]);
  const ch1 = Int32Array.from([-2 << 8, -0x800000 << 8]);
  const out = Buffer.alloc(64);
  const n = encodeAudioPacket(out, T, 48000, [ch0, ch1], 0, 2, 3, new TxSampleConverter(24));
  t.deepEqual(out.subarray(0, n), hex('0200 0003 e800 0030 3912 3456 ffff fe7f ffff 8000 00'));
  const dest = [new Int32Array(2), new Int32Array(2)];
  t.is(decodeAudioSamples(out, 3, 2, dest, 0, n), 2);
  t.is(dest[0]![0], 0x12345600);
  t.deepEqual(dest, [ch0, ch1]);
});

test('§12.5 16-bit packet is byte-exact (16-bit source) and decodes to << 16', (t) => {
  const ch0 = Int32Array.from([0x1234 << 16, 0x7fff << 16]);
  const ch1 = Int32Array.from([-2 << 16, -0x8000 << 16]);
  const out = Buffer.alloc(64);
  const n = encodeAudioPacket(out, T, 48000, [ch0, ch1], 0, 2, 2, new TxSampleConverter(16));
  t.deepEqual(out.subarray(0, n), hex('0200 0003 e800 0030 3912 34ff fe7f ff80 00'));
  const dest = [new Int32Array(2), new Int32Array(2)];
  decodeAudioSamples(out.subarray(0, n), 2, 2, dest);
  t.is(dest[0]![0], 0x12340000);
  t.deepEqual(dest, [ch0, ch1]);
});

test('header timestamp: seconds wrap at 2^32, sub-sample index, media time back', (t) => {
  const out = Buffer.alloc(16);
  encodeAudioPacket(out, T, 48000, [null], 0, 1, 2, new TxSampleConverter());
  t.deepEqual(decodeAudioHeader(out, 11), { seconds: 1000, subsamples: 12345 });
  t.is(audioMediaTime(out, 48000, 11), T);
  const big = 2 ** 32 * 44100 + 5 * 44100 + 7;
  encodeAudioPacket(out, big, 44100, [null], 0, 1, 2, new TxSampleConverter());
  t.deepEqual(decodeAudioHeader(out, 11), { seconds: 5, subsamples: 7 });
  encodeAudioPacket(out, -24, 48000, [null], 0, 1, 2, new TxSampleConverter());
  t.deepEqual(decodeAudioHeader(out, 11), { seconds: 2 ** 32 - 1, subsamples: 47976 });
  t.throws(() => decodeAudioHeader(out.subarray(0, 8)), { message: /truncated/ });
});

function randomInt32(rng: Xorshift32, n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.next() | 0;
  return a;
}

test('round trips at 16/24/32 bits with random data (source depth = wire depth is bit-exact)', (t) => {
  const rng = new Xorshift32(12345);
  for (const bps of [2, 3, 4] as BytesPerSample[]) {
    const bits = (bps * 8) as 16 | 24 | 32;
    const mask = bits === 32 ? -1 : ~((1 << (32 - bits)) - 1);
    const src = [0, 1, 2, 3].map(() => randomInt32(rng, 64).map((v) => v & mask));
    const out = Buffer.alloc(audioPacketLength(16, 4, bps));
    const dest = [new Int32Array(16), new Int32Array(16), null, new Int32Array(16)];
    const n = encodeAudioPacket(out, 1000, 48000, src, 16, 16, bps, new TxSampleConverter(bits));
    t.is(decodeAudioSamples(out, bps, 4, dest, 0, n), 16);
    t.deepEqual(dest[0], src[0]!.subarray(16, 32));
    t.deepEqual(dest[1], src[1]!.subarray(16, 32));
    t.deepEqual(dest[3], src[3]!.subarray(16, 32));
  }
});

test('interleaved source with slot map matches per-slot source; empty slots are silent', (t) => {
  const rng = new Xorshift32(7);
  const stride = 3;
  const inter = randomInt32(rng, 8 * stride);
  const perSlot = [2, 0].map((c) => Int32Array.from({ length: 8 }, (_, f) => inter[f * stride + c]!));
  const a = Buffer.alloc(100);
  const b = Buffer.alloc(100);
  const na = encodeAudioPacket(a, 5, 48000, { samples: inter, stride, slotMap: [2, 0, -1] }, 2, 4, 3, new TxSampleConverter(24));
  const nb = encodeAudioPacket(b, 5, 48000, [perSlot[0]!, perSlot[1]!, null], 2, 4, 3, new TxSampleConverter(24));
  t.is(na, nb);
  t.deepEqual(a.subarray(0, na), b.subarray(0, nb));
  const dest = [new Int32Array(4), new Int32Array(4), new Int32Array(4).fill(9)];
  decodeAudioSamples(a, 3, 3, dest, 0, na);
  t.deepEqual(dest[2], new Int32Array(4));
});

test('dither only when the source has more bits than the wire; rounding and saturation', (t) => {
  const exact = new TxSampleConverter(24);
  t.false(exact.dithers(24));
  t.is(exact.convert(0x123456ff, 24), 0x123456);
  const dith = new TxSampleConverter(32, new Xorshift32(1));
  t.true(dith.dithers(24));
  t.false(dith.dithers(32));
  t.is(dith.convert(-123456789, 32), -123456789);
  // Full scale positive saturates instead of wrapping.
  for (let i = 0; i < 1000; i++) t.true(dith.convert(0x7fffffff, 16) <= 0x7fff && dith.convert(0x7fffffff, 16) >= 0x7ffe);
  for (let i = 0; i < 1000; i++) t.true(dith.convert(-0x80000000, 24) >= -0x800000);
  // A value halfway between two 16-bit steps averages to the midpoint (unbiased with the half-LSB offset).
  let sum = 0;
  const N = 20000;
  for (let i = 0; i < N; i++) sum += dith.convert((100 << 16) + 0x8000, 16);
  t.true(Math.abs(sum / N - 100.5) < 0.02, `mean ${sum / N}`);
  // Dithered values stay within ±1 LSB of the exact value.
  for (let i = 0; i < 1000; i++) {
    const v = dith.convert(0x12345678, 16);
    t.true(v >= 0x1233 && v <= 0x1235);
  }
  // Deterministic for a given seed.
  const a = new TxSampleConverter(32, new Xorshift32(99));
  const b = new TxSampleConverter(32, new Xorshift32(99));
  for (let i = 0; i < 100; i++) t.is(a.convert(i * 7919, 24), b.convert(i * 7919, 24));
});

test('decoder rejects partial frames, short packets and small destinations', (t) => {
  t.throws(() => audioFrameCount(9 + 5, 2, 3), { message: /bad-audio-length/ });
  t.throws(() => audioFrameCount(8, 2, 3), { message: /truncated/ });
  t.throws(() => audioFrameCount(9, 0, 3), { message: /bad-audio-length/ });
  t.is(audioFrameCount(9, 2, 3), 0);
  const pkt = Buffer.alloc(9 + 12);
  t.throws(() => decodeAudioSamples(pkt, 3, 2, [new Int32Array(1)]), { instanceOf: RangeError });
  t.throws(() => decodeAudioSamples(pkt, 3, 2, [null], 0, 40), { message: /truncated/ });
  t.throws(() => encodeAudioPacket(Buffer.alloc(10), 0, 48000, [null], 0, 2, 3, new TxSampleConverter()), { instanceOf: RangeError });
});
