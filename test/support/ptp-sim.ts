// Discrete-event simulation of PTP ports on a multicast LAN in synthetic time. Each node has its own
// underlying clock u(t) = EPOCH + t·(1 + skew) + offset (t = true time, ns); the network delivers
// every datagram to every other live node after a random delay; rx/tx timestamps carry noise.
import type { PtpAction, PtpEvent, PtpPort } from '../../dist/core/ptp/index.js';

/** Underlying clocks start near 2025 so absolute ns exceed 2^53, as on a real host. */
export const EPOCH_NS = 1_750_000_000_000_000_000n;

export interface SimClock {
  offsetNs: number;
  skewPpm: number;
}

export interface SimOptions {
  seed?: number;
  delayMinNs?: number;
  delayMaxNs?: number;
  tsNoiseNs?: number;
  /** Extra transform applied to datagrams in flight (tests use it to forge rogue messages). */
  tamper?: (from: string, data: Buffer, t: number) => Buffer | null;
}

export interface SimNode {
  name: string;
  port: PtpPort<unknown>;
  clock: SimClock;
  alive: boolean;
  /** Overlay jumps (ns) seen at each publish, with the true time. */
  jumps: { t: number; jumpNs: number }[];
  actions: { t: number; action: PtpAction }[];
}

type Ev =
  | { t: number; kind: 'tick'; node: SimNode; gen: number }
  | { t: number; kind: 'rx'; node: SimNode; data: Buffer }
  | { t: number; kind: 'txts'; node: SimNode; tag: number; sendT: number }
  | { t: number; kind: 'call'; fn: () => void };

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

class Heap {
  private a: Ev[] = [];
  private seq = 0;
  private order = new WeakMap<Ev, number>();
  get size(): number {
    return this.a.length;
  }
  private less(i: number, j: number): boolean {
    const x = this.a[i]!;
    const y = this.a[j]!;
    return x.t < y.t || (x.t === y.t && this.order.get(x)! < this.order.get(y)!);
  }
  push(e: Ev): void {
    this.order.set(e, this.seq++);
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Ev | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(l, m)) m = l;
        if (r < a.length && this.less(r, m)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

export class PtpSim {
  t = 0;
  readonly nodes: SimNode[] = [];
  private readonly heap = new Heap();
  private readonly rand: () => number;
  private readonly gens = new Map<SimNode, { gen: number; at: number }>();
  readonly opts: Required<Omit<SimOptions, 'tamper'>> & Pick<SimOptions, 'tamper'>;

  constructor(opts: SimOptions = {}) {
    this.opts = { seed: 1, delayMinNs: 50_000, delayMaxNs: 150_000, tsNoiseNs: 1_000, ...opts };
    this.rand = mulberry32(this.opts.seed);
  }

  addNode(name: string, port: PtpPort<unknown>, clock: SimClock): SimNode {
    const node: SimNode = { name, port, clock, alive: true, jumps: [], actions: [] };
    this.nodes.push(node);
    this.deliver(node, { type: 'tick', now: this.u(node, this.t) });
    return node;
  }

  node(name: string): SimNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Underlying clock reading of `node` at true time t. */
  u(node: SimNode, t: number): bigint {
    return EPOCH_NS + BigInt(Math.round(t * (1 + node.clock.skewPpm * 1e-6) + node.clock.offsetNs));
  }

  private trueTimeOf(node: SimNode, u: bigint): number {
    return (Number(u - EPOCH_NS) - node.clock.offsetNs) / (1 + node.clock.skewPpm * 1e-6);
  }

  private noise(): number {
    return Math.round((this.rand() * 2 - 1) * this.opts.tsNoiseNs);
  }

  /** PTP time of a node's overlay at true time t (null before the port started). */
  ptpTime(node: SimNode, t = this.t): bigint | null {
    const o = node.port.currentOverlay();
    return o ? o.read(this.u(node, t)) : null;
  }

  at(t: number, fn: () => void): void {
    this.heap.push({ t, kind: 'call', fn });
  }

  run(untilNs: number): void {
    for (;;) {
      const e = this.heap.pop();
      if (!e) break;
      if (e.t > untilNs) {
        this.heap.push(e);
        break;
      }
      this.t = e.t;
      if (e.kind === 'call') {
        e.fn();
        continue;
      }
      if (!e.node.alive) continue;
      if (e.kind === 'tick') {
        if (this.gens.get(e.node)?.gen !== e.gen) continue;
        this.gens.delete(e.node);
        this.deliver(e.node, { type: 'tick', now: this.u(e.node, e.t) });
      } else if (e.kind === 'rx') {
        this.deliver(e.node, { type: 'rx', data: e.data, rxTimestamp: this.u(e.node, e.t) + BigInt(this.noise()) });
      } else {
        this.deliver(e.node, { type: 'txTimestamp', tag: e.tag, timestamp: this.u(e.node, e.sendT) + BigInt(this.noise()) });
      }
    }
    this.t = untilNs;
  }

  private deliver(node: SimNode, ev: PtpEvent): void {
    const before = node.port.currentOverlay()?.snapshot() ?? null;
    const actions = node.port.handle(ev);
    const uNow = this.u(node, this.t);
    for (const a of actions) {
      node.actions.push({ t: this.t, action: a });
      if (a.type === 'send') this.send(node, a.data, a.wantTxTimestamp, a.tag);
    }
    if (before) {
      const after = node.port.currentOverlay()!;
      const prev = before.shiftNs + uNow + BigInt(Math.round(Number(uNow - before.lastSyncNs) * before.freqScale));
      const jump = Number(after.read(uNow) - prev);
      if (jump !== 0) node.jumps.push({ t: this.t, jumpNs: jump });
    }
    this.scheduleTick(node);
  }

  private scheduleTick(node: SimNode): void {
    const wake = this.trueTimeOf(node, node.port.nextWakeUp());
    const t = Math.max(this.t + 1, Math.ceil(wake));
    const cur = this.gens.get(node);
    if (cur && cur.at <= t) return;
    const gen = (cur?.gen ?? 0) + 1;
    this.gens.set(node, { gen, at: t });
    this.heap.push({ t, kind: 'tick', node, gen });
  }

  private send(from: SimNode, data: Buffer, wantTs: boolean, tag: number): void {
    if (wantTs) this.heap.push({ t: this.t + 5_000, kind: 'txts', node: from, tag, sendT: this.t });
    const tampered = this.opts.tamper ? this.opts.tamper(from.name, data, this.t) : data;
    if (!tampered) return;
    for (const n of this.nodes) {
      if (n === from || !n.alive) continue;
      const d = this.opts.delayMinNs + this.rand() * (this.opts.delayMaxNs - this.opts.delayMinNs);
      this.heap.push({ t: this.t + d, kind: 'rx', node: n, data: tampered });
    }
  }
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
