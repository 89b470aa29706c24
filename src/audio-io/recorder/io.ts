// File operations of the recorder behind an interface: the piscina pool in production, in-thread
// fs (with injectable faults) in tests. Every write carries its file position, so writes may
// complete in any order.
import { close, fdatasync, open, write } from 'node:fs';
import { promisify } from 'node:util';
import { encodePcm } from '../formats/pcm.js';
import type { PcmBits } from '../formats/pcm.js';

export interface RecorderIo {
  /** Opens for writing: truncating, or failing if the file exists (`exclusive`). */
  open(path: string, exclusive: boolean): Promise<number>;
  /** Encodes the first `count` samples at `bits` and writes them at `position`. */
  writeSamples(fd: number, samples: Int32Array, count: number, bits: PcmBits, position: number): Promise<void>;
  writeBytes(fd: number, bytes: Uint8Array, position: number): Promise<void>;
  /** Writes `length` zero bytes at `position` (silence in any PCM encoding). */
  writeZeros(fd: number, length: number, position: number): Promise<void>;
  /** fdatasync: what was written so far survives a power loss. */
  sync(fd: number): Promise<void>;
  close(fd: number): Promise<void>;
  /** Releases threads; called once after the last close. */
  destroy(): Promise<void>;
}

export type PositionalWrite = (fd: number, b: Uint8Array, off: number, len: number, pos: number) => Promise<number>;

const pWrite = promisify(write) as unknown as (fd: number, b: Uint8Array, off: number, len: number, pos: number) => Promise<number>;
export const openFd = (path: string, exclusive: boolean): Promise<number> => promisify(open)(path, exclusive ? 'wx' : 'w');
export const closeFd = (fd: number): Promise<void> => promisify(close)(fd);
export const syncFd = (fd: number): Promise<void> => promisify(fdatasync)(fd);
/** Largest zero block written at once. */
export const ZERO_BLOCK = 1 << 20;

/** Writes all of `bytes` at `position` (a short write is continued). */
export async function writeFully(fd: number, bytes: Uint8Array, position: number, writeFn: PositionalWrite = pWrite): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const n = await writeFn(fd, bytes, done, bytes.length - done, position + done);
    if (n <= 0) throw new Error(`short write at byte ${position + done}`);
    done += n;
  }
}

/** In-thread io on the libuv pool. `writeFn` replaces the positional write (fault injection). */
export function threadIo(writeFn: PositionalWrite = pWrite): RecorderIo {
  return {
    open: openFd,
    async writeSamples(fd, samples, count, bits, position) {
      const out = new Uint8Array((count * bits) / 8);
      encodePcm(samples, count, bits, out);
      await writeFully(fd, out, position, writeFn);
    },
    writeBytes: (fd, bytes, position) => writeFully(fd, bytes, position, writeFn),
    async writeZeros(fd, length, position) {
      const zeros = new Uint8Array(Math.min(length, ZERO_BLOCK));
      for (let done = 0; done < length; done += zeros.length) {
        await writeFully(fd, zeros.subarray(0, Math.min(zeros.length, length - done)), position + done, writeFn);
      }
    },
    sync: syncFd,
    close: closeFd,
    async destroy() {},
  };
}
