// An in-memory DatagramTransport and a controllable state persister for server unit tests.
import type { DatagramTransport, Peer, StatePersister } from '../../dist/net/control/index.js';
import type { DeviceStateData } from '../../dist/state/index.js';

export class MemoryTransport implements DatagramTransport {
  readonly sent: { data: Buffer; to: Peer }[] = [];
  private handler: ((data: Buffer, from: Peer) => void) | undefined;

  constructor(readonly local: Peer = { address: '10.0.0.1', port: 4440 }) {}

  async send(data: Uint8Array, to: Peer): Promise<void> {
    this.sent.push({ data: Buffer.from(data), to });
  }

  onMessage(handler: (data: Buffer, from: Peer) => void): void {
    this.handler = handler;
  }

  /** Delivers a datagram as if it arrived from `from`. */
  deliver(data: Buffer, from: Peer = { address: '10.0.0.2', port: 50000 }): void {
    this.handler?.(data, from);
  }

  async close(): Promise<void> {}
}

/** Saves only when the test says so: `release()` completes the pending saves. */
export class GatedPersister implements StatePersister {
  readonly path = '(memory)';
  saved: DeviceStateData[] = [];
  private waiting: { data: DeviceStateData; resolve: () => void; reject: (e: Error) => void }[] = [];
  fail = false;

  save(data: DeviceStateData): Promise<void> {
    return new Promise((resolve, reject) => this.waiting.push({ data, resolve, reject }));
  }

  get pending(): number {
    return this.waiting.length;
  }

  release(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const x of w) {
      if (this.fail) x.reject(new Error('disk full'));
      else {
        this.saved.push(x.data);
        x.resolve();
      }
    }
  }

  async idle(): Promise<void> {}
}

export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
