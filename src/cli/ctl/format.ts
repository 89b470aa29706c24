// Text shown by `inferno ctl`: the RX status vocabulary of PROTOCOL.md §3.7, durations and tables.

/** Low u16 of the RX status word (netaudio's 2022 table, §3.7). */
const SUBSCRIPTION_STATUS: Record<number, string> = {
  0: 'none', 1: 'unresolved', 2: 'resolved', 3: 'resolve failed', 4: 'subscribed to self', 5: 'resolved, none',
  7: 'idle', 8: 'in progress', 9: 'connected (unicast)', 10: 'connected (multicast)', 14: 'manual',
  15: 'no connection', 16: 'channel format mismatch', 17: 'flow format mismatch', 18: 'no more RX flows',
  19: 'RX failure', 20: 'no more TX flows', 21: 'TX failure', 22: 'RX bandwidth exceeded', 23: 'TX bandwidth exceeded',
  24: 'TX rejected address', 25: 'TX rejected message', 26: 'latency unsuitable', 27: 'clock domain mismatch',
  28: 'unsupported', 29: 'RX link down', 30: 'TX link down', 31: 'dynamic protocol', 32: 'invalid channel',
  33: 'TX scheduler failure', 34: 'self-subscription disallowed', 35: 'TX not ready', 36: 'RX not ready',
  37: 'TX fan-out limit', 38: 'TX channel encrypted', 39: 'unexpected TX response', 64: 'multicast template error',
  65: 'multicast template error', 66: 'multicast template error', 67: 'multicast template error',
  68: 'multicast template error', 69: 'unsupported subscription mode (RX)', 70: 'unsupported subscription mode (TX)',
  96: 'TX access control denied', 97: 'TX access control pending', 112: 'HDCP error', 255: 'system failure',
};

/** "connected (unicast)", or the raw word for values outside the vocabulary. */
export function rxStatusText(status: number, subscribed: boolean): string {
  const low = status & 0xffff;
  if (low === 0) return subscribed ? 'unresolved' : 'not subscribed';
  return SUBSCRIPTION_STATUS[low] ?? `status 0x${(status >>> 0).toString(16).padStart(8, '0')}`;
}

/** 5000000 → "5 ms", 500000 → "0.5 ms", 150000 → "0.15 ms". */
export function formatLatency(ns: number | undefined): string {
  if (ns === undefined) return '-';
  return `${Number((ns / 1e6).toFixed(3))} ms`;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(rows: string[][], indent = ''): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
