import test from 'ava';
import { cpuPerPacketRatio, pathRatio, zeroLossRate, OFFER_ACHIEVED_SHARE } from '../dist/bench/scenarios/rx-capacity.js';
import type { RxPathResult, RxStep } from '../dist/bench/scenarios/rx-capacity.js';

const step = (offeredPps: number, sentPps: number, lost = 0, flowsDropped = 0): RxStep => ({ offeredPps, sentPps, sent: sentPps * 2, received: sentPps * 2 - lost, lost, deviceCpuPercent: 10, socketBufferDrops: 0, backlogDrops: 0, flowsDropped });

test('rx-capacity: the result is the highest step a zero-loss step\'s sender achieved', (t) => {
  // 199,992 sent at the 200,000 step is that step (the old check compared the achieved rate).
  t.is(zeroLossRate([step(100_000, 99_999), step(200_000, 199_992), step(250_000, 249_000, 5)]), 200_000);
  // A sender that fell short of the offer does not prove the offer, only the step below it reached.
  t.is(zeroLossRate([step(100_000, 99_999), step(200_000, 200_000 * OFFER_ACHIEVED_SHARE - 1)]), 150_000);
  t.is(zeroLossRate([step(100_000, 99_999), step(200_000, 150_000 * OFFER_ACHIEVED_SHARE - 1)]), 100_000);
  // Loss, or flows dropped by an overloaded device, fail a step.
  t.is(zeroLossRate([step(50_000, 50_000), step(100_000, 100_000, 1)]), 50_000);
  t.is(zeroLossRate([step(50_000, 50_000), step(100_000, 100_000, 0, 8)]), 50_000);
  t.is(zeroLossRate([]), 0);
  // A step whose sender fell short proves the highest step its achieved rate reached, never its offer.
  t.is(zeroLossRate([step(150_000, 149_990), step(400_000, 227_407)]), 200_000);
  t.is(zeroLossRate([step(150_000, 149_990), step(400_000, 195_000)]), 150_000);
  t.is(zeroLossRate([step(150_000, 149_990), step(400_000, 240_000, 3)]), 150_000);
});

test('rx-capacity: path ratios compare zero-loss rates, and CPU per packet at the highest step both took cleanly', (t) => {
  const withCpu = (s: RxStep, us: number): RxStep => ({ ...s, deviceCpuUsPerPacket: us });
  const native: RxPathResult = { rxSocket: 'auto', socket: 'native', zeroLossPacketsPerSecond: 200_000, steps: [withCpu(step(50_000, 50_000), 4), withCpu(step(100_000, 100_000), 2.5), withCpu(step(200_000, 199_000), 2.2)] };
  const dgram: RxPathResult = { rxSocket: 'dgram', socket: 'dgram', zeroLossPacketsPerSecond: 50_000, steps: [withCpu(step(50_000, 50_000), 8), withCpu(step(100_000, 100_000), 7.5)] };
  t.is(pathRatio([native, dgram]), 4);
  t.is(pathRatio([native]), undefined);
  t.is(pathRatio([native, { ...dgram, zeroLossPacketsPerSecond: 0 }]), undefined);
  // Both clean at 100k: 7.5 / 2.5.
  t.deepEqual(cpuPerPacketRatio([native, dgram]), { offeredPps: 100_000, usPerPacket: [2.5, 7.5], ratio: 3 });
  // A lossy step is no comparison point.
  const lossy = { ...dgram, steps: [withCpu(step(50_000, 50_000), 8), withCpu(step(100_000, 100_000, 7), 7.5)] };
  t.deepEqual(cpuPerPacketRatio([native, lossy]), { offeredPps: 50_000, usPerPacket: [4, 8], ratio: 2 });
  t.is(cpuPerPacketRatio([native, { ...dgram, steps: [] }]), undefined);
});
