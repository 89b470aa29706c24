// Worker for the seqlock test: publishes overlays whose fields are all derived from one counter k,
// so a reader can tell a torn record (fields from two different publications) from a good one.
import { parentPort, workerData } from 'node:worker_threads';
import { ClockOverlayWriter, ClockState } from '../../dist/core/clock-overlay.js';

export function overlayFieldsFor(k: number) {
  return {
    clockId: k & 0x7fffffff,
    state: (k % 3) + 1,
    sampleRate: 48000 as const,
    lastSync: { sec: 1_700_000_000 + k, nsec: (k * 7919) % 1e9 },
    shift: { sec: -k, nsec: (k * 104729) % 1e9 },
    freqScale: k * 1e-12,
  };
}

if (parentPort && workerData?.role === 'overlay-writer') {
  const { buffer, count } = workerData as { buffer: SharedArrayBuffer; count: number };
  const writer = new ClockOverlayWriter(buffer);
  const leader = new Uint8Array(8);
  const dv = new DataView(leader.buffer);
  for (let k = 1; k <= count; k++) {
    const f = overlayFieldsFor(k);
    dv.setUint32(0, k);
    dv.setUint32(4, ~k >>> 0);
    writer.publish({ ...f, state: f.state as ClockState, leaderId: leader }, k % 5 === 0);
  }
  parentPort.postMessage('done');
}
