// Plain-text tables for the terminal; numbers are right-aligned, the first column left-aligned.
export function formatTable(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd())
    .join('\n') + '\n';
}

/** Nanoseconds as µs with one decimal, the unit pacing figures are read in. */
export function us(ns: number): string {
  return Number.isFinite(ns) ? (ns / 1000).toFixed(1) : '-';
}

export function pct(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(1)} %` : '-';
}

export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MB` : '-';
}

export function yesNo(met: boolean): string {
  return met ? 'met' : 'MISSED';
}
