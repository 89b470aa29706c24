import test from 'ava';
import { zeroLossRate, OFFER_ACHIEVED_SHARE } from '../dist/bench/scenarios/rx-capacity.js';
import type { RxStep } from '../dist/bench/scenarios/rx-capacity.js';

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
