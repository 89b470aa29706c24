// Prometheus text exposition (version 0.0.4) for /metrics.

export interface MetricSample {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  value: number;
  labels?: Record<string, string>;
}

const NAME_RE = /[^a-zA-Z0-9_:]/g;

export function metricName(...parts: string[]): string {
  return parts
    .join('_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(NAME_RE, '_');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function fmtNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Renders samples grouped by metric name, each family with one HELP and TYPE line. */
export function renderPrometheus(samples: MetricSample[]): string {
  const families = new Map<string, MetricSample[]>();
  for (const s of samples) {
    const list = families.get(s.name);
    if (list) list.push(s);
    else families.set(s.name, [s]);
  }
  const out: string[] = [];
  for (const [name, list] of families) {
    out.push(`# HELP ${name} ${list[0]!.help.replace(/\n/g, ' ')}`);
    out.push(`# TYPE ${name} ${list[0]!.type}`);
    for (const s of list) {
      const labels = s.labels && Object.keys(s.labels).length
        ? `{${Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
        : '';
      out.push(`${name}${labels} ${fmtNumber(s.value)}`);
    }
  }
  return out.join('\n') + '\n';
}
