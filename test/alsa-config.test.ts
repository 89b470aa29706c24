// ALSA settings (channel maps, alsa:PCM values, period and buffer) and the rate adapters the ALSA
// paths use: bad values exit 2 with one line; a PCM without a clock passes frames unchanged; a PCM
// with one is steered in the direction that brings the buffer back to its target.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { loadSettings } from '../dist/index.js';
import { resolveDeviceConfig } from '../dist/config/device-config.js';
import { ConfigError } from '../dist/core/errors.js';
import { identityMap, parseAlsaMap } from '../dist/audio-io/alsa-config.js';
import { IdentityRate, SteeredRate, createRateAdapter } from '../dist/audio-io/alsa-rate.js';
import { parseRxSink } from '../dist/audio-io/sinks.js';
import { parseTxSource } from '../dist/audio-io/sources.js';
import { mainJs } from './support/inferno-process.js';

function run(args: string[], env: Record<string, string> = {}) {
  // Every case here is invalid, so no device (and no socket) is ever started.
  const r = spawnSync(process.execPath, [mainJs, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 10000 });
  return { code: r.status, stderr: r.stderr };
}

const invalid: [string, string[], Record<string, string>, RegExp][] = [
  ['a map entry that is not a number', ['--alsa-map', '1,x'], {}, /^inferno: invalid alsa-map: "1,x" \(accepted: comma-separated channel numbers/],
  ['an empty map entry', ['--alsa-map', '1,,2'], {}, /invalid alsa-map: "1,,2"/],
  ['a map of only zeros', ['--alsa-map', '0,0'], {}, /invalid alsa-map: "0,0" .*maps no channel/],
  ['a range ending at 0', ['--alsa-map', '2-0'], {}, /invalid alsa-map: "2-0" .*0 cannot start or end a range/],
  ['a channel above 128', ['--alsa-map', '129'], {}, /invalid alsa-map: "129" .*channel 129 above 128/],
  ['more than 64 PCM channels', ['--alsa-map', '1-65'], {}, /invalid alsa-map: "1-65" .*at most 64 PCM channels/],
  ['a map naming an RX channel the device lacks', ['--alsa-map', '1,3', '--rx-channels', '2'], {}, /invalid alsa-map: "1,3" \(accepted: RX channels 1 to 2 .*3 is not one\)/],
  ['a TX channel fed twice (env)', [], { INFERNO_ALSA_TX_MAP: '1,2,1' }, /invalid alsa-tx-map: "1,2,1" .*channel 1 appears twice/],
  ['a TX map beyond the TX channels', ['--alsa-tx-map', '4', '--tx-channels', '2'], {}, /invalid alsa-tx-map: "4" \(accepted: TX channels 1 to 2/],
  ['alsa: without a PCM name', ['--rx-sink', 'alsa:'], {}, /invalid rx-sink: "alsa:" \(accepted: none, fifo:PATH, file:PATH or alsa:PCM\)/],
  ['tx-source alsa: without a PCM name', ['--tx-source', 'alsa: '], {}, /invalid tx-source: "alsa: " \(accepted: .*alsa:PCM\)/],
  ['a period too small', ['--alsa-period-frames', '8'], {}, /invalid alsa-period-frames: "8" \(accepted: an integer from 16 to 65536\)/],
  ['a buffer under two periods', ['--alsa-period-frames', '480', '--alsa-buffer-frames', '512'], {}, /invalid alsa-buffer-frames: 512 \(accepted: at least two periods \(2 × --alsa-period-frames = 960\)\)/],
];

for (const [title, args, env, re] of invalid) {
  test(`exit 2 on ${title}`, (t) => {
    const r = run(['--bind-ip', '127.0.0.1', ...args], env);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, re);
    t.is(r.stderr.trim().split('\n').length, 1, 'exactly one line');
  });
}

test('maps: lists, ranges in both directions, 0 for none, arrays from a config file', (t) => {
  t.deepEqual(parseAlsaMap('alsa-map', '1,2'), [1, 2]);
  t.deepEqual(parseAlsaMap('alsa-map', ' 3-5 , 0 ,1'), [3, 4, 5, 0, 1]);
  t.deepEqual(parseAlsaMap('alsa-map', '4-2'), [4, 3, 2]);
  t.deepEqual(parseAlsaMap('alsa-map', '1,1'), [1, 1], 'one RX channel on two outputs');
  t.deepEqual(parseAlsaMap('alsa-map', [2, 1]), [2, 1]);
  t.deepEqual(parseAlsaMap('alsa-tx-map', '0,1,0,2', 128, true), [0, 1, 0, 2], 'unused capture channels');
  t.throws(() => parseAlsaMap('alsa-map', { a: 1 }), { instanceOf: ConfigError });
  t.deepEqual(identityMap(3), [1, 2, 3]);
  const s = loadSettings(['--rx-sink', "alsa:file:'/x y/out.raw',raw", '--alsa-map', '2', '--tx-source', 'alsa:plughw:1,0'], {}).settings;
  t.is(s.rxSink, "alsa:file:'/x y/out.raw',raw");
  t.deepEqual(s.alsaMap, [2]);
  t.deepEqual(s.txSource, { kind: 'alsa', pcm: 'plughw:1,0' });
  t.is(s.alsaPeriodFrames, 240);
  t.is(s.alsaBufferFrames, 960);
  t.deepEqual(parseRxSink('alsa:hw:0'), { kind: 'alsa', pcm: 'hw:0' });
  t.deepEqual(parseTxSource('alsa:dsnoop'), { kind: 'alsa', pcm: 'dsnoop' });
  const cfg = resolveDeviceConfig(s, { name: 'lo', ip: '127.0.0.1', netmask: '255.0.0.0', mac: '00:00:00:00:00:00' } as never);
  t.deepEqual(cfg.alsaMap, [2]);
});

test('a PCM without a clock: frames pass unchanged, ratio exactly 1, no added delay', (t) => {
  const a = createRateAdapter(false, 2, 48000, 960);
  t.true(a instanceof IdentityRate);
  const input = Int32Array.from({ length: 200 }, (_, i) => Math.imul(i, 0x7654321) | 0);
  const out = new Int32Array(400);
  const r = a.process(input, 100, out, 200, 12345, 1e9);
  t.deepEqual({ ...r }, { consumed: 100, produced: 100 });
  t.deepEqual(out.subarray(0, 200), input);
  t.is(a.ppm, 0);
  t.is(a.delayFrames, 0);
  t.false(a.steered);
});

test('a PCM with its own clock: the fill is learned, then a buffer above it lowers the ratio, below raises it', (t) => {
  for (const [fill, sign] of [[960 + 480, -1], [960 - 480, 1]] as const) {
    const a = createRateAdapter(true, 2, 48000, 960);
    t.true(a instanceof SteeredRate);
    const input = new Int32Array(96 * 2);
    const out = new Int32Array(200 * 2);
    // The first second learns the fill to hold (here 960); the ratio stays 1 meanwhile.
    let k = 0;
    for (; k < 600; k++) a.process(input, 96, out, 200, 960, k * 2e6);
    t.is(a.ppm, 0);
    t.is((a as InstanceType<typeof SteeredRate>).targetFillFrames, 960);
    let produced = 0;
    for (let i = 0; i < 500; i++, k++) produced += a.process(input, 96, out, 200, fill, k * 2e6).produced;
    t.is(Math.sign(a.ppm), sign, `fill ${fill}: ${a.ppm} ppm`);
    t.true(Math.abs(a.ppm) <= 1000 + 1e-6, "clamped to ±1000 ppm");
    t.true(a.delayFrames > 0);
    // Output follows the ratio: fewer frames out than in when the buffer is too full.
    t.is(Math.sign(produced - 500 * 96), sign === -1 ? -1 : 1);
    a.reset();
    t.is(a.ppm, 0, 'after a restart the fill is learned again');
  }
});
