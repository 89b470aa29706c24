// The ALSA sink's steering, on a simulated sound card (its own clock, a chosen ppm off the media
// clock, periods taken whole, playback starting when the buffer is full): the ratio must settle
// on the card's drift with the fill held near its target and no xrun, and a stall of the card must
// be dropped at once rather than kept as latency. Simulated time: no wall clock involved.
import test from 'ava';
import { AlsaSinkOutput } from '../dist/audio-io/alsa-sink.js';
import { AlsaTxFeeder } from '../dist/audio-io/alsa-source.js';
import { createMediaRing } from '../dist/core/media-ring.js';
import type { ClockOverlayReader } from '../dist/core/clock-overlay.js';
import type { AlsaPcm, AlsaPcmInfo, AlsaPcmStatus, NativeTimer } from '../dist/native/index.js';
import { getLogger } from '../dist/log.js';

const RATE = 48000;
const BLOCK = 96; // the receive worker delivers every 2 ms
const RX = 2;

class SimCard implements AlsaPcm {
  readonly info: AlsaPcmInfo = { pcm: 'sim', stream: 'playback', type: 0, clocked: true, format: 'S32_LE', rate: RATE, channels: 2, periodFrames: 240, bufferFrames: 960, ringFrames: 16384 };
  fill = 0;
  xruns = 0;
  written = 0;
  private started = false;
  private owed = 0;
  constructor(public ppm: number) {}
  write(_s: Int32Array, frames: number): number {
    this.fill += frames;
    this.written += frames;
    if (!this.started && this.fill >= this.info.bufferFrames) this.started = true;
    return frames;
  }
  /** The card plays for `ns` of its own time: whole periods at rate × (1 + ppm). */
  play(ns: number): void {
    if (!this.started) return;
    this.owed += (RATE * (1 + this.ppm * 1e-6) * ns) / 1e9;
    const p = this.info.periodFrames;
    while (this.owed >= p) {
      this.owed -= p;
      if (this.fill >= p) this.fill -= p;
      else {
        this.xruns++;
        this.fill = 0;
        this.started = false;
        this.owed = 0;
      }
    }
  }
  read(): number {
    return 0;
  }
  discard(frames: number): number {
    // Only what waits in front of the card's buffer can be dropped.
    const n = Math.min(frames, Math.max(0, this.fill - this.info.bufferFrames));
    this.fill -= n;
    return n;
  }
  status(): AlsaPcmStatus {
    const inCard = Math.min(this.fill, this.info.bufferFrames);
    return { ringFill: this.fill - inCard, delayFrames: inCard, availFrames: this.info.bufferFrames - inCard, xruns: this.xruns, transferredFrames: this.written, droppedFrames: 0 };
  }
  injectXrun(): void {}
  close(): void {}
}

function rig(card: SimCard) {
  let now = 0;
  const native = { alsaOpen: () => card, alsaTakeMessages: () => ({ messages: [], suppressed: 0 }) } as unknown as NativeTimer;
  const sink = new AlsaSinkOutput(native, { pcm: 'sim', rate: RATE, map: [1, 2], periodFrames: 240, bufferFrames: 960 }, RX, BLOCK * RX * 4, () => now, () => now, getLogger('test'));
  const block = new Int32Array(BLOCK * RX);
  /** Runs `seconds` of media time; the card plays `cardStallMs` less at the start. Returns the fill range seen. */
  const run = (seconds: number, opts: { from?: number; stallMs?: number } = {}) => {
    let lo = Infinity;
    let hi = -Infinity;
    const steps = Math.round((seconds * 1000) / 2);
    const stallSteps = Math.round((opts.stallMs ?? 0) / 2);
    for (let i = 0; i < steps; i++) {
      now += 2e6;
      if (i >= stallSteps) card.play(2e6);
      const b = sink.acquire()!;
      b.set(block);
      sink.submit(b, BLOCK * RX);
      if (now / 1e9 >= (opts.from ?? 0)) {
        lo = Math.min(lo, card.fill);
        hi = Math.max(hi, card.fill);
      }
    }
    return { lo, hi };
  };
  return { sink, run, info: () => sink.info() as { ratioPpm: number; resyncs: number; resyncFrames: number; resampling: string; addedLatencyNs: number } };
}

for (const ppm of [300, -300]) {
  test(`a card ${ppm > 0 ? '+' : ''}${ppm} ppm off the media clock: the ratio settles on it, the fill stays near one buffer, no xrun`, (t) => {
    const card = new SimCard(ppm);
    const r = rig(card);
    r.run(150);
    const written = card.written;
    const settled = r.run(30);
    const info = r.info();
    // The ratio actually applied: frames the card got per frame delivered, over the last 30 s.
    const applied = ((card.written - written) / (30 * RATE) - 1) * 1e6;
    t.log(`applied ${applied.toFixed(2)} ppm (status shows ${info.ratioPpm}), fill ${settled.lo}..${settled.hi} over the last 30 s, added latency ${(info.addedLatencyNs / 1e6).toFixed(2)} ms`);
    t.is(info.resampling, 'adaptive');
    t.true(Math.abs(applied - ppm) < 5, `applied ${applied} ppm for a card at ${ppm}`);
    t.true(Math.abs(info.ratioPpm - ppm) < 50, `status ${info.ratioPpm} ppm`);
    t.is(card.xruns, 0);
    t.true(settled.lo >= 960 - 400 && settled.hi <= 960 + 400, `fill ${settled.lo}..${settled.hi}`);
    t.is(info.resyncs, 0, 'steering alone was enough');
  });
}

test('a card that stalls 200 ms while media time goes on: the backlog is dropped, not kept as latency', (t) => {
  const card = new SimCard(100);
  const r = rig(card);
  r.run(120);
  const before = r.info().ratioPpm;
  // 200 ms not played: 9600 frames pile up in front of the card.
  r.run(2, { stallMs: 200 });
  const after = r.run(5);
  const info = r.info();
  t.log(`dropped ${info.resyncFrames} frames in ${info.resyncs} steps; fill afterwards ${after.lo}..${after.hi}; status ratio ${before} -> ${info.ratioPpm} ppm`);
  // All but what is within the resync threshold (one buffer, 20 ms) of the target is dropped at
  // once; the rest is steered away at up to 1000 ppm.
  t.true(info.resyncFrames >= 9600 - 960 - 240 && info.resyncFrames <= 9600 + 240, `dropped ${info.resyncFrames}`);
  t.true(after.hi <= 960 + 960 + 240, `fill ${after.lo}..${after.hi}`);
  t.is(card.xruns, 0);
  r.run(60);
  const written = card.written;
  const settled = r.run(20);
  const applied = ((card.written - written) / (20 * RATE) - 1) * 1e6;
  t.log(`a minute later: applied ${applied.toFixed(2)} ppm, fill ${settled.lo}..${settled.hi}`);
  t.true(Math.abs(applied - 100) < 10, `back on the card's drift: ${applied} ppm applied`);
  t.true(settled.lo >= 960 - 400 && settled.hi <= 960 + 400, `fill ${settled.lo}..${settled.hi}`);
});

/** A capture card on its own clock: whole periods appear at rate × (1 + ppm); reads take them. */
class SimCaptureCard implements AlsaPcm {
  readonly info: AlsaPcmInfo = { pcm: 'sim', stream: 'capture', type: 0, clocked: true, format: 'S32_LE', rate: RATE, channels: 2, periodFrames: 240, bufferFrames: 960, ringFrames: 16384 };
  fill = 0;
  captured = 0;
  taken = 0;
  dropped = 0;
  private owed = 0;
  constructor(public ppm: number) {}
  capture(ns: number): void {
    this.owed += (RATE * (1 + this.ppm * 1e-6) * ns) / 1e9;
    const p = this.info.periodFrames;
    while (this.owed >= p) {
      this.owed -= p;
      this.captured += p;
      if (this.fill + p > this.info.ringFrames) this.dropped += p;
      else this.fill += p;
    }
  }
  write(): number {
    return 0;
  }
  read(samples: Int32Array, max: number): number {
    const n = Math.min(max, this.fill);
    samples.fill(7, 0, n * 2);
    this.fill -= n;
    this.taken += n;
    return n;
  }
  discard(frames: number): number {
    const n = Math.min(frames, this.fill);
    this.fill -= n;
    return n;
  }
  status(): AlsaPcmStatus {
    return { ringFill: this.fill, delayFrames: 0, availFrames: 0, xruns: 0, transferredFrames: this.captured, droppedFrames: this.dropped };
  }
  injectXrun(): void {}
  close(): void {}
}

for (const ppm of [300, -300]) {
  test(`capture from a card ${ppm > 0 ? '+' : ''}${ppm} ppm off: the feeder takes its frames at its rate, the backlog stays bounded`, (t) => {
    const card = new SimCaptureCard(ppm);
    const native = { alsaOpen: () => card, alsaTakeMessages: () => ({ messages: [], suppressed: 0 }) } as unknown as NativeTimer;
    const ring = createMediaRing({ channels: 2, capacity: 65536 });
    const feeder = new AlsaTxFeeder(native, { pcm: 'sim', rate: RATE, map: [1, 2], periodFrames: 240, bufferFrames: 960 }, ring, {} as ClockOverlayReader, 400, getLogger('test'));
    let media = 1_000_000;
    let ns = 0;
    const backlog: number[] = [];
    const steps = (180 * 1000) / 2;
    for (let i = 0; i < steps; i++) {
      ns += 2e6;
      media += 96;
      card.capture(2e6);
      feeder.step(media, ns);
      // The last 30 s, every 74 ms (not a multiple of the period, so the sawtooth averages out):
      // frames captured and not yet resampled (card side + local).
      if (i >= steps - 15000 && i % 37 === 0) {
        const x = feeder.info() as { ringFill: number; inputFrames: number };
        backlog.push(x.ringFill + x.inputFrames);
      }
    }
    const info = feeder.info() as { ratioPpm: number; resyncs: number };
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    // A ratio off by e ppm moves the backlog by 48000 × e × 1e-6 frames a second: compare the first
    // and last 10 s of the window (20 s apart).
    const third = Math.floor(backlog.length / 3);
    const drift = mean(backlog.slice(-third)) - mean(backlog.slice(0, third));
    const applied = ppm - (drift / 20 / RATE) * 1e6;
    t.log(`backlog ${Math.min(...backlog)}..${Math.max(...backlog)}, moved ${drift.toFixed(1)} frames in 20 s (ratio within ${Math.abs(applied - ppm).toFixed(2)} ppm of the card), status ratio ${info.ratioPpm} ppm, resyncs ${info.resyncs}`);
    t.true(Math.abs(drift) < 20, `backlog moved ${drift} frames in 20 s`);
    t.true(Math.abs(info.ratioPpm + ppm) < 50, `status ratio ${info.ratioPpm} ppm (output per input frame: below 1 for a fast card)`);
    t.is(card.dropped, 0);
    t.is(feeder.counters.feederRestarts, 0);
    t.true(Math.max(...backlog) <= 2000, 'the backlog stays within two buffers');
  });
}
