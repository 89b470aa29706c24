// Piscina tasks: encode a block of interleaved 32-bit samples and write it at its file position,
// write silence, or fdatasync. Run on the pool's threads so neither encoding nor a slow disk (nor
// a sync waiting for it) ever touches the receive path.
// Errors are returned (not thrown) so their `code` (ENOSPC, EIO, ...) survives the thread hop.
import { fdatasyncSync, writeSync } from 'node:fs';
import { encodePcm } from '../formats/pcm.js';
import type { PcmBits } from '../formats/pcm.js';

export type WriteTask =
  | { op: 'samples'; fd: number; samples: Int32Array; count: number; bits: PcmBits; position: number }
  | { op: 'bytes'; fd: number; bytes: Uint8Array; position: number }
  | { op: 'zeros'; fd: number; length: number; position: number }
  | { op: 'sync'; fd: number };

export interface TaskResult {
  error?: { message: string; code?: string };
}

let scratch = new Uint8Array(0);
let zeros = new Uint8Array(0);
const ZERO_BLOCK = 1 << 20;

function writeAll(fd: number, b: Uint8Array, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = writeSync(fd, b, done, length - done, position + done);
    if (n <= 0) throw new Error(`short write at byte ${position + done}`);
    done += n;
  }
}

export default function run(task: WriteTask): TaskResult {
  try {
    if (task.op === 'bytes') {
      writeAll(task.fd, task.bytes, task.bytes.length, task.position);
    } else if (task.op === 'zeros') {
      if (zeros.length < Math.min(task.length, ZERO_BLOCK)) zeros = new Uint8Array(Math.min(task.length, ZERO_BLOCK));
      for (let done = 0; done < task.length; done += zeros.length) writeAll(task.fd, zeros, Math.min(zeros.length, task.length - done), task.position + done);
    } else if (task.op === 'sync') {
      fdatasyncSync(task.fd);
    } else {
      const length = (task.count * task.bits) / 8;
      if (scratch.length < length) scratch = new Uint8Array(length);
      encodePcm(task.samples, task.count, task.bits, scratch);
      writeAll(task.fd, scratch, length, task.position);
    }
    return {};
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: { message: e.message, ...(e.code ? { code: e.code } : {}) } };
  }
}
