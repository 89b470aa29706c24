// Per-server counters: packets in, replies out, drops and notable answers by reason. Flattened
// into the control worker's report as `<server>.<counter>` and `<server>.drop.<reason>`.

export class ServerCounters {
  packets = 0;
  replies = 0;
  sendErrors = 0;
  readonly drops = new Map<string, number>();
  readonly counts = new Map<string, number>();

  constructor(readonly server: string) {}

  drop(reason: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }

  count(reason: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  get dropped(): number {
    let n = 0;
    for (const v of this.drops.values()) n += v;
    return n;
  }

  flat(): Record<string, number> {
    const s = this.server;
    const out: Record<string, number> = {
      [`${s}.packets`]: this.packets,
      [`${s}.replies`]: this.replies,
      [`${s}.send_errors`]: this.sendErrors,
    };
    for (const [k, v] of this.drops) out[`${s}.drop.${k}`] = v;
    for (const [k, v] of this.counts) out[`${s}.count.${k}`] = v;
    return out;
  }
}

export interface CounterSummary {
  packets: number;
  replies: number;
  sendErrors: number;
  dropped: number;
  drops: Record<string, number>;
  counts: Record<string, number>;
}

/** Rebuilds per-server summaries from flat counters (which the supervisor sums over restarts). */
export function summarizeCounters(flat: Record<string, number>): Record<string, CounterSummary> {
  const out: Record<string, CounterSummary> = {};
  for (const [key, v] of Object.entries(flat)) {
    const [server, kind, ...rest] = key.split('.');
    if (!server || !kind) continue;
    const s = (out[server] ??= { packets: 0, replies: 0, sendErrors: 0, dropped: 0, drops: {}, counts: {} });
    if (kind === 'packets') s.packets = v;
    else if (kind === 'replies') s.replies = v;
    else if (kind === 'send_errors') s.sendErrors = v;
    else if (kind === 'drop' && rest.length) {
      s.drops[rest.join('.')] = v;
      s.dropped += v;
    } else if (kind === 'count' && rest.length) s.counts[rest.join('.')] = v;
  }
  return out;
}
