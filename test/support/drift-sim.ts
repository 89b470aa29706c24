// Synthetic-time model of the buffer between the media clock and a sound card with its own clock,
// steered by the DriftController. Only frame counts move (no audio), so an hour runs in a second.
//
// playback: the media clock delivers `blockFrames` input frames every block period (each delivery
//   late by a random 0..jitter), the resampler turns them into block × ratio frames written to the
//   buffer, the card takes `periodFrames` at a time at rate × (1 + ppm).
// capture: the card writes `periodFrames` at a time at rate × (1 + ppm), the media clock takes
//   `blockFrames` output frames per block period, which needs block / ratio buffer frames.
// The controller sees the fill after every media-clock block, like a sink that asks the card for its
// delay before each write.
import { DriftController } from '../../dist/core/drift/index.js';
import type { DriftControllerOptions } from '../../dist/core/drift/index.js';
import { Prng } from './ring-prng.js';

export interface DriftSimOptions {
  direction: 'playback' | 'capture';
  ppm: number;
  seconds: number;
  rate?: number;
  blockFrames?: number;
  periodFrames?: number;
  capacityFrames?: number;
  targetFillFrames?: number;
  jitterS?: number;
  seed?: number;
  controller?: Partial<DriftControllerOptions>;
  /** Filtered fill within this many frames of the target counts as settled (default 16). */
  settleFrames?: number;
  /** Ratio within this of the card's drift counts as settled (default 10 ppm). */
  settlePpm?: number;
  /** The card stops for this long every `stallEveryS` (xrun recovery, a stalled I/O thread). */
  stallS?: number;
  stallEveryS?: number;
  /** How many stalls (default: all through the run). */
  stalls?: number;
  /** Act on resyncFrames() after each observation (drop or pad frames, then rebase). */
  resync?: boolean;
  /** The media side stops for this long every `inputStallEveryS` (the delivering thread was not
   *  scheduled), then hands over every block it owes at once, observing the fill before each. */
  inputStallS?: number;
  inputStallEveryS?: number;
}

export interface DriftSimResult {
  xruns: number;
  minFill: number;
  maxFill: number;
  /** Largest |fill - target| over the run, instantaneous (includes the period sawtooth). */
  maxDeviation: number;
  /** Largest |fill - target| after settling. */
  maxDeviationSettled: number;
  /** Largest |low-passed fill - target| after settling. */
  maxFilteredDeviationSettled: number;
  /** Last time (s) the controller was outside the settle bounds; 0 when it never was. */
  settledAfterS: number;
  /** Mean correction after settling, ppm (the instantaneous one wobbles by a few ppm with the fill noise). */
  meanPpmSettled: number;
  /** Controller's correction at the end, ppm. */
  finalPpm: number;
  /** The correction that exactly matches the card (ppm). */
  idealPpm: number;
  saturated: number;
  resyncs: number;
  /** Largest |fill - target| seen in the last second of the run. */
  maxDeviationLastSecond: number;
  /** Largest |correction − ideal| after the first 20 s, ppm. */
  maxPpmError: number;
}

export function simulateDrift(o: DriftSimOptions): DriftSimResult {
  const rate = o.rate ?? 48000;
  const block = o.blockFrames ?? 48;
  const period = o.periodFrames ?? 256;
  const capacity = o.capacityFrames ?? 2048;
  const target = o.targetFillFrames ?? 768;
  const jitter = o.jitterS ?? 0.0008;
  const prng = new Prng(o.seed ?? 1);
  const ctl = new DriftController({ rate, targetFillFrames: target, ...o.controller });
  const settleFrames = o.settleFrames ?? 16;
  const settlePpm = o.settlePpm ?? 10;
  const drift = o.ppm * 1e-6;
  const idealPpm = o.direction === 'playback' ? o.ppm : (1 / (1 + drift) - 1) * 1e6;
  const blockS = block / rate;
  const cardPeriodS = period / (rate * (1 + drift));
  // Start half a period into the card's cycle, so the sawtooth straddles the target.
  let cardNext = cardPeriodS / 2;
  let blockIndex = 1;
  let blockNext = blockS + prng.float() * jitter;
  let fill = target;
  let carry = 0; // fractional frames owed by the resampler
  let xruns = 0;
  let minFill = fill;
  let maxFill = fill;
  let maxDev = 0;
  let lastUnsettled = 0;
  // Maxima since the controller was last outside the settle bounds.
  let maxDevSettled = 0;
  let maxFDevSettled = 0;
  let ppmSum = 0;
  let ppmCount = 0;
  let devLastSecond = 0;
  let maxPpmError = 0;
  let nextStall = o.stallEveryS ?? Infinity;
  let stallsLeft = o.stalls ?? Infinity;
  for (;;) {
    const t = Math.min(cardNext, blockNext);
    if (t > o.seconds) break;
    if (cardNext <= blockNext) {
      if (o.direction === 'playback') {
        fill -= period;
        if (fill < 0) xruns++;
      } else {
        fill += period;
        if (fill > capacity) xruns++;
      }
      cardNext += cardPeriodS;
      if (cardNext >= nextStall && stallsLeft-- > 0) {
        cardNext += o.stallS ?? 0;
        nextStall += o.stallEveryS ?? Infinity;
      }
    } else {
      const ratio = ctl.ratio;
      if (o.direction === 'playback') {
        carry += block * ratio;
        const n = Math.floor(carry);
        carry -= n;
        fill += n;
        if (fill > capacity) xruns++;
      } else {
        carry += block / ratio;
        const n = Math.floor(carry);
        carry -= n;
        fill -= n;
        if (fill < 0) xruns++;
      }
      ctl.update(fill, Math.round(t * 1e9));
      if (o.resync) {
        const jump = ctl.resyncFrames(fill);
        if (jump !== 0) {
          // playback: drop frames before the buffer (or pad silence); capture: skip or repeat input.
          fill -= jump;
          ctl.rebase(fill);
        }
      }
      const fdev = Math.abs(ctl.fillFrames - target);
      if (fdev > settleFrames || Math.abs(ctl.ppm - idealPpm) > settlePpm) {
        lastUnsettled = t;
        maxDevSettled = 0;
        maxFDevSettled = 0;
        ppmSum = 0;
        ppmCount = 0;
      } else {
        if (fdev > maxFDevSettled) maxFDevSettled = fdev;
        ppmSum += ctl.ppm;
        ppmCount++;
      }
      blockIndex++;
      blockNext = blockIndex * blockS + prng.float() * jitter;
      if (o.inputStallS && o.inputStallEveryS) {
        const phase = blockNext % o.inputStallEveryS;
        if (blockNext > o.inputStallEveryS && phase < o.inputStallS) blockNext += o.inputStallS - phase;
      }
      if (t > 20 && Math.abs(ctl.ppm - idealPpm) > maxPpmError) maxPpmError = Math.abs(ctl.ppm - idealPpm);
    }
    if (fill < minFill) minFill = fill;
    if (fill > maxFill) maxFill = fill;
    const dev = Math.abs(fill - target);
    if (dev > maxDev) maxDev = dev;
    if (lastUnsettled < t && dev > maxDevSettled) maxDevSettled = dev;
    if (t > o.seconds - 1 && dev > devLastSecond) devLastSecond = dev;
  }
  return {
    xruns,
    minFill,
    maxFill,
    maxDeviation: maxDev,
    maxDeviationSettled: maxDevSettled,
    maxFilteredDeviationSettled: maxFDevSettled,
    settledAfterS: lastUnsettled,
    meanPpmSettled: ppmCount > 0 ? ppmSum / ppmCount : Number.NaN,
    finalPpm: ctl.ppm,
    idealPpm,
    saturated: ctl.saturatedObservations,
    resyncs: ctl.resyncs,
    maxDeviationLastSecond: devLastSecond,
    maxPpmError,
  };
}
