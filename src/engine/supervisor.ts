// Starts the long-lived workers from compiled files, relays control to them, collects their
// reports, and handles crashes: a worker that throws is logged with its stack and restarted
// (with backoff, up to MAX_RESTARTS within RESTART_WINDOW_MS); past that the supervisor emits
// 'fatal' and the device stops with a clear error. Nothing waits forever: start and stop have
// deadlines and end in Worker.terminate().
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { getLogger } from '../log.js';
import { wakeWorker } from './protocol.js';
import type { FromWorker, ToWorker, WorkerInit, WorkerName, WorkerReport } from './protocol.js';

export const MAX_RESTARTS = 3;
export const RESTART_WINDOW_MS = 60_000;
export const START_TIMEOUT_MS = 10_000;
const RESTART_BACKOFF_MS = 250;

export type WorkerState = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped' | 'failed';

export interface WorkerHealth {
  state: WorkerState;
  restarts: number;
  lastError?: string;
  lastReportAgeMs?: number;
  threadId?: number;
}

interface Slot {
  name: WorkerName;
  init: WorkerInit;
  wake: Int32Array;
  worker?: Worker;
  state: WorkerState;
  restartTimes: number[];
  restarts: number;
  lastError?: string;
  report?: WorkerReport;
  reportAt?: number;
  /** Incarnations that still get the crash test hook. */
  crashesLeft: number;
  /** Counters of earlier incarnations, so totals survive restarts. */
  carried: Record<string, number>;
  ready?: () => void;
  exited?: () => void;
}

export interface SupervisorOptions {
  /** Per-worker init without the wake buffer (added here). */
  workers: Omit<WorkerInit, 'wake'>[];
  /** Directory URL of the compiled worker files. */
  workerDir?: URL;
}

/** Young generation (MB) per worker. V8 lets it grow to 16 MB and more per isolate and keeps those
 *  pages resident; the clock and control workers allocate little and the receive and transmit
 *  workers' steady state allocates little per packet, so small new spaces cost a few more (short)
 *  scavenges and save tens of MB of RSS across the device (bench/README.md, footprint). */
export function youngGenerationMb(name: WorkerName): number {
  return name === 'receive' ? 4 : 2;
}

export class Supervisor extends EventEmitter {
  private readonly slots = new Map<WorkerName, Slot>();
  private readonly workerDir: URL;
  private readonly log = getLogger('supervisor');
  private nextCommandId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stopping = false;

  constructor(opts: SupervisorOptions) {
    super();
    this.workerDir = opts.workerDir ?? new URL('../workers/', import.meta.url);
    for (const w of opts.workers) {
      const wakeBuf = new SharedArrayBuffer(4);
      this.slots.set(w.name, {
        name: w.name,
        init: { ...w, wake: wakeBuf },
        wake: new Int32Array(wakeBuf),
        state: 'stopped',
        restartTimes: [],
        restarts: 0,
        crashesLeft: w.crashTimes ?? Infinity,
        carried: {},
      });
    }
  }

  async start(): Promise<void> {
    await Promise.all([...this.slots.values()].map((s) => this.spawn(s)));
  }

  private spawn(slot: Slot): Promise<void> {
    slot.state = 'starting';
    const crash = slot.init.crashAfterStartMs !== undefined && slot.crashesLeft-- > 0;
    const worker = new Worker(new URL(`${slot.name}.js`, this.workerDir), {
      workerData: { ...slot.init, crashAfterStartMs: crash ? slot.init.crashAfterStartMs : undefined },
      name: `inferno-${slot.name}`,
      resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb(slot.name) },
    });
    slot.worker = worker;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${slot.name} worker did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      slot.ready = () => {
        clearTimeout(timer);
        resolve();
      };
      worker.once('exit', () => {
        clearTimeout(timer);
        if (slot.state === 'starting') reject(new Error(`${slot.name} worker exited during start: ${slot.lastError ?? 'no error reported'}`));
      });
    });
    worker.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    worker.on('error', (err: Error) => {
      slot.lastError = err.stack ?? err.message;
      this.log.error('worker crashed', { worker: slot.name, error: slot.lastError });
    });
    worker.on('exit', (code) => this.onExit(slot, worker, code));
    return ready;
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    switch (msg.type) {
      case 'ready':
        slot.state = 'running';
        slot.ready?.();
        break;
      case 'report':
        slot.report = msg.report;
        slot.reportAt = Date.now();
        break;
      case 'reply': {
        const p = this.pending.get(msg.id);
        if (!p) break;
        this.pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new Error(msg.error ?? 'command failed'));
        break;
      }
      case 'event':
        this.emit('worker-event', slot.name, msg.name, msg.data);
        break;
      case 'stopped':
        void slot.worker?.terminate();
        break;
    }
  }

  private onExit(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    for (const [k, v] of Object.entries(slot.report?.counters ?? {})) slot.carried[k] = (slot.carried[k] ?? 0) + v;
    slot.report = undefined;
    if (this.stopping || slot.state === 'stopping') {
      slot.state = 'stopped';
      slot.exited?.();
      return;
    }
    if (slot.state === 'starting') {
      slot.state = 'failed';
      // A first start failure rejects start(); a failed restart ends the device.
      if (slot.restarts > 0) this.emit('fatal', new Error(`${slot.name} worker failed to restart: ${slot.lastError ?? `exit code ${code}`}`));
      return;
    }
    slot.lastError ??= `exited with code ${code}`;
    const now = Date.now();
    slot.restartTimes = slot.restartTimes.filter((t) => now - t < RESTART_WINDOW_MS);
    if (slot.restartTimes.length >= MAX_RESTARTS) {
      slot.state = 'failed';
      this.emit('fatal', new Error(`${slot.name} worker failed ${MAX_RESTARTS + 1} times within ${RESTART_WINDOW_MS / 1000} s; last error: ${slot.lastError}`));
      return;
    }
    slot.restartTimes.push(now);
    slot.restarts++;
    slot.state = 'restarting';
    const delay = RESTART_BACKOFF_MS * 2 ** (slot.restartTimes.length - 1);
    this.log.warn('restarting worker', { worker: slot.name, inMs: delay, restarts: slot.restarts });
    setTimeout(() => {
      if (this.stopping) return;
      this.spawn(slot).then(
        () => this.emit('restarted', slot.name),
        (err: Error) => this.log.error('worker restart failed', { worker: slot.name, error: err.message }),
      );
    }, delay).unref();
  }

  /** Sends a control message and wakes the worker if it sleeps on its wake word. */
  send(name: WorkerName, msg: ToWorker): void {
    const slot = this.slots.get(name);
    if (!slot?.worker) throw new Error(`${name} worker is not running`);
    slot.worker.postMessage(msg);
    wakeWorker(slot.wake);
  }

  /** Sends a command and waits for the worker's reply (rejects after `timeoutMs`). */
  command<T = unknown>(name: WorkerName, command: string, args?: unknown, timeoutMs = 5000): Promise<T> {
    const id = this.nextCommandId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${name} worker did not answer '${command}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => { clearTimeout(timer); resolve(v as T); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      try {
        this.send(name, { type: 'command', id, name: command, args });
      } catch (err) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(err as Error);
      }
    });
  }

  health(): Record<string, WorkerHealth> {
    const out: Record<string, WorkerHealth> = {};
    const now = Date.now();
    for (const s of this.slots.values()) {
      out[s.name] = {
        state: s.state,
        restarts: s.restarts,
        ...(s.lastError ? { lastError: s.lastError } : {}),
        ...(s.reportAt ? { lastReportAgeMs: now - s.reportAt } : {}),
        ...(s.worker ? { threadId: s.worker.threadId } : {}),
      };
    }
    return out;
  }

  /** Latest report per worker, with counters including earlier incarnations. */
  reports(): Record<string, WorkerReport> {
    const out: Record<string, WorkerReport> = {};
    for (const s of this.slots.values()) {
      const counters: Record<string, number> = { ...s.carried };
      for (const [k, v] of Object.entries(s.report?.counters ?? {})) counters[k] = (counters[k] ?? 0) + v;
      out[s.name] = { counters, info: s.report?.info ?? {} };
    }
    return out;
  }

  /** Asks every worker to stop; terminates any that has not exited after `timeoutMs`. */
  async stop(timeoutMs = 1500): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.slots.values()].map(async (slot) => {
        const w = slot.worker;
        if (!w) {
          slot.state = slot.state === 'failed' ? 'failed' : 'stopped';
          return;
        }
        slot.state = 'stopping';
        const exited = new Promise<void>((resolve) => (slot.exited = resolve));
        try {
          w.postMessage({ type: 'stop' } satisfies ToWorker);
          wakeWorker(slot.wake);
        } catch { /* already gone */ }
        const timer = setTimeout(() => void w.terminate(), timeoutMs);
        await exited;
        clearTimeout(timer);
      }),
    );
    for (const p of this.pending.values()) p.reject(new Error('device stopping'));
    this.pending.clear();
  }
}
