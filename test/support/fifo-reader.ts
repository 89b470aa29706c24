// Reads a device's RX FIFO into a file for the end-to-end tests, time-stamping each chunk on the
// media clock. Run as its own process at SCHED_FIFO (see capture-check.ts `captureFifo`): a reader
// stalled by a loaded machine would fill the pipe and the device's write buffers, which is not what
// these tests measure.
//   node fifo-reader.js FIFO OUT RATE   → OUT (the bytes) and OUT.chunks (JSON [[at, bytes], ...])
import { createReadStream, writeFileSync } from 'node:fs';
import { mediaTimeFromSplit } from '../../dist/core/media-time.js';
import { CLOCK_TAI, loadNative } from '../../dist/native/index.js';

const [fifo, out, rateText] = process.argv.slice(2) as [string, string, string];
const rate = Number(rateText);
const native = loadNative();
const clk = new Float64Array(2);
const chunks: [number, number][] = [];
// Kept in memory until the end: a write to disk can block for long under writeback pressure, and a
// reader blocked there would fill the pipe.
const parts: Buffer[] = [];
// Opening blocks until the device opens the FIFO for writing; tell the test we are about to.
process.stdout.write('ready\n');
const reader = createReadStream(fifo, { highWaterMark: 1 << 20 });
reader.on('data', (b) => {
  native.clockReadInto(CLOCK_TAI, clk, 0);
  chunks.push([mediaTimeFromSplit(clk[0]!, clk[1]!, rate), b.length]);
  parts.push(b as Buffer);
});
reader.on('close', () => {
  writeFileSync(out, Buffer.concat(parts));
  writeFileSync(`${out}.chunks`, JSON.stringify(chunks));
});
