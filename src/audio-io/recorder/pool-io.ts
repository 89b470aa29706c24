// RecorderIo on a piscina pool: sample blocks (in SharedArrayBuffers, so nothing is copied) are
// encoded and written, silence written and files synced on the pool's threads; open and close
// stay on the libuv pool.
import { Piscina } from 'piscina';
import { closeFd, openFd } from './io.js';
import type { RecorderIo } from './io.js';
import type { TaskResult, WriteTask } from './encode-worker.js';

/**
 * All threads start at once, from the creating thread, while it still runs at normal priority
 * (the receive worker may switch itself to SCHED_FIFO afterwards, which later threads would inherit).
 */
export function poolIo(threads = 2): RecorderIo {
  const pool = new Piscina({ filename: new URL('./encode-worker.js', import.meta.url).href, minThreads: threads, maxThreads: threads });
  const run = async (task: WriteTask) => {
    const r = (await pool.run(task)) as TaskResult;
    if (r.error) throw Object.assign(new Error(r.error.message), r.error.code ? { code: r.error.code } : {});
  };
  return {
    open: openFd,
    writeSamples: (fd, samples, count, bits, position) => run({ op: 'samples', fd, samples, count, bits, position }),
    writeBytes: (fd, bytes, position) => run({ op: 'bytes', fd, bytes, position }),
    writeZeros: (fd, length, position) => run({ op: 'zeros', fd, length, position }),
    sync: (fd) => run({ op: 'sync', fd }),
    close: closeFd,
    destroy: () => pool.destroy(),
  };
}
