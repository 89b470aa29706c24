// Reads a device's RX FIFO into a file for the end-to-end tests, time-stamping each chunk on the
// media clock. Run as its own process at SCHED_FIFO (see e2e-check.ts `captureFifo`): a reader
// stalled by a loaded machine would fill the pipe and the device's write buffers, which is not what
// these tests measure.
//   node fifo-reader.js FIFO OUT RATE   → OUT (the bytes) and OUT.chunks (JSON [[at, bytes], ...])
import { createReadStream, closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { mediaTimeFromSplit } from '../../dist/core/media-time.js';
import { CLOCK_TAI, loadNative } from '../../dist/native/index.js';

const [fifo, out, rateText] = process.argv.slice(2) as [string, string, string];
const rate = Number(rateText);
const native = loadNative();
const clk = new Float64Array(2);
const fd = openSync(out, 'w');
const chunks: [number, number][] = [];
// Opening blocks until the device opens the FIFO for writing; tell the test we are about to.
process.stdout.write('ready\n');
const reader = createReadStream(fifo, { highWaterMark: 1 << 20 });
reader.on('data', (b) => {
  native.clockReadInto(CLOCK_TAI, clk, 0);
  chunks.push([mediaTimeFromSplit(clk[0]!, clk[1]!, rate), b.length]);
  writeSync(fd, b as Buffer);
});
reader.on('close', () => {
  closeSync(fd);
  writeFileSync(`${out}.chunks`, JSON.stringify(chunks));
});
