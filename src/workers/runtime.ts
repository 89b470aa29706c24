// Worker-side plumbing shared by every long-lived worker: settings from workerData, logging,
// the control port in both styles (event-driven, or polled by a loop that never yields), and
// periodic reports to the main thread.
import { writeFileSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { configureLogging, getLogger } from '../log.js';
import { loadNative } from '../native/index.js';
import type { Logger } from '../log.js';
import type { FromWorker, ToWorker, WorkerInit, WorkerReport } from '../engine/protocol.js';

/** Start-up garbage (compiling, first allocations) is released once this long after the start. */
const RELEASE_MEMORY_AFTER_MS = 3000;

/** Names the calling thread (15 bytes at most) so `top -H`, `ps -L` and the benchmarks tell the workers apart. */
export function nameThread(name: string): void {
  try {
    writeFileSync('/proc/thread-self/comm', name.slice(0, 15));
  } catch {
    // Not Linux, or /proc not mounted: the thread keeps its inherited name.
  }
}

export class WorkerRuntime {
  readonly init: WorkerInit;
  readonly log: Logger;
  private readonly port: MessagePort;
  private readonly wake: Int32Array;
  private wakeSeen = 0;
  private crashAt = Infinity;
  stopping = false;

  constructor() {
    if (!parentPort) throw new Error('worker runtime used outside a worker thread');
    this.port = parentPort;
    this.init = workerData as WorkerInit;
    configureLogging(this.init.log);
    this.log = getLogger(this.init.name);
    this.wake = new Int32Array(this.init.wake);
    this.wakeSeen = Atomics.load(this.wake, 0);
    nameThread(`inf-${this.init.name}`);
    if (this.init.crashAfterStartMs !== undefined) {
      // Event-driven workers crash from a timer; polling loops crash in poll().
      this.crashAt = Date.now() + this.init.crashAfterStartMs;
      setTimeout(() => this.crashIfDue(), this.init.crashAfterStartMs);
    }
  }

  post(msg: FromWorker): void {
    this.port.postMessage(msg);
  }

  report(report: WorkerReport): void {
    this.post({ type: 'report', report });
  }

  /** Event-driven style: handle each control message as it arrives. */
  onMessage(handler: (msg: ToWorker) => void): void {
    this.port.on('message', (msg: ToWorker) => {
      if (msg.type === 'stop') this.stopping = true;
      handler(msg);
    });
  }

  private crashIfDue(): void {
    if (Date.now() >= this.crashAt) throw new Error(`injected crash in ${this.init.name} worker`);
  }

  /** Polling style: drains the control port without yielding to the event loop. */
  poll(): ToWorker[] {
    this.crashIfDue();
    const out: ToWorker[] = [];
    for (;;) {
      const m = receiveMessageOnPort(this.port);
      if (!m) break;
      const msg = m.message as ToWorker;
      if (msg.type === 'stop') this.stopping = true;
      out.push(msg);
    }
    return out;
  }

  /** Sleeps until the main thread posts something or `timeoutMs` passes. */
  waitForMessage(timeoutMs: number): void {
    const seen = this.wakeSeen;
    if (Atomics.load(this.wake, 0) === seen) Atomics.wait(this.wake, 0, seen, timeoutMs);
    this.wakeSeen = Atomics.load(this.wake, 0);
  }

  /**
   * Once, RELEASE_MEMORY_AFTER_MS after start: gives start-up memory back (a compacting GC of this
   * thread, malloc_trim) if `idle()` says nothing time-critical runs. The GC stops this thread for
   * tens of ms: a worker carrying audio would glitch, so it skips the release then.
   */
  releaseMemoryWhenIdle(idle: () => boolean): void {
    setTimeout(() => {
      if (idle() && !this.stopping) loadNative().releaseMemory();
    }, RELEASE_MEMORY_AFTER_MS).unref();
  }

  /** Tells the main thread we are done and lets the thread end. */
  finish(): void {
    this.post({ type: 'stopped' });
    this.port.close();
  }
}
