// Messages between the main thread and the long-lived workers. Control goes through the worker's
// MessagePort; a worker whose loop never yields reads it with receiveMessageOnPort and sleeps on
// the shared `wake` word, which the main thread bumps and notifies after every post.
import type { DeviceConfig } from '../config/device-config.js';
import type { LogSettings } from '../log.js';

export const WORKER_NAMES = ['clock', 'control', 'receive', 'transmit'] as const;
export type WorkerName = (typeof WORKER_NAMES)[number];

export interface WorkerInit {
  name: WorkerName;
  config: DeviceConfig;
  log: LogSettings;
  /** Int32Array(1) over this buffer: a counter bumped (and notified) on every message to the worker. */
  wake: SharedArrayBuffer;
  /** Shared buffers by name (clock overlay, audio rings). */
  shared: Record<string, SharedArrayBuffer>;
  /** Test hook: the worker throws this long after starting (crash handling tests). */
  crashAfterStartMs?: number;
  /** Test hook: how many incarnations crash (default: every one). */
  crashTimes?: number;
}

export type ToWorker =
  | { type: 'stop' }
  | { type: 'command'; id: number; name: string; args?: unknown };

export interface WorkerReport {
  /** Monotonically increasing counters, merged into /status and /metrics. */
  counters: Record<string, number>;
  /** Current values (gauges and descriptive state). */
  info: Record<string, unknown>;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'report'; report: WorkerReport }
  | { type: 'reply'; id: number; ok: boolean; result?: unknown; error?: string }
  | { type: 'event'; name: string; data?: unknown }
  | { type: 'stopped' };

/** Posts a message and wakes a worker that may be sleeping in Atomics.wait. */
export function wakeWorker(wake: Int32Array): void {
  Atomics.add(wake, 0, 1);
  Atomics.notify(wake, 0);
}
