// Hand-written SVG charts for --plot: a histogram and a line chart. Plain strings, no dependency;
// a browser or any image viewer opens them.
import type { Histogram } from './stats.js';

const W = 640;
const H = 360;
const M = { left: 64, right: 16, top: 32, bottom: 48 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-2) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

function frame(title: string, xLabel: string, yLabel: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`,
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">${escapeXml(yLabel)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

interface Scale {
  x(v: number): number;
  y(v: number): number;
}

function axes(x0: number, x1: number, y0: number, y1: number): { scale: Scale; lines: string[] } {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (v: number) => M.left + ((v - x0) / (x1 - x0 || 1)) * pw;
  const sy = (v: number) => M.top + ph - ((v - y0) / (y1 - y0 || 1)) * ph;
  const lines = [`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`];
  for (let i = 0; i <= 4; i++) {
    const xv = x0 + ((x1 - x0) * i) / 4;
    const yv = y0 + ((y1 - y0) * i) / 4;
    lines.push(`<text x="${sx(xv).toFixed(1)}" y="${H - M.bottom + 14}" text-anchor="middle">${fmt(xv)}</text>`);
    lines.push(`<text x="${M.left - 4}" y="${(sy(yv) + 4).toFixed(1)}" text-anchor="end">${fmt(yv)}</text>`);
  }
  return { scale: { x: sx, y: sy }, lines };
}

export interface HistogramSeries {
  label: string;
  hist: Histogram;
}

/** Overlaid histograms (same bins expected, e.g. ours vs reference) as step outlines. */
export function histogramSvg(title: string, xLabel: string, series: HistogramSeries[]): string {
  if (series.length === 0) throw new RangeError('histogramSvg needs at least one series');
  const x0 = Math.min(...series.map((s) => s.hist.lo));
  const x1 = Math.max(...series.map((s) => s.hist.lo + s.hist.width * s.hist.counts.length));
  const y1 = Math.max(1, ...series.flatMap((s) => s.hist.counts));
  const { scale, lines } = axes(x0, x1, 0, y1);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts: string[] = [];
    s.hist.counts.forEach((c, b) => {
      const a = scale.x(s.hist.lo + b * s.hist.width);
      const e = scale.x(s.hist.lo + (b + 1) * s.hist.width);
      pts.push(`${a.toFixed(1)},${scale.y(c).toFixed(1)}`, `${e.toFixed(1)},${scale.y(c).toFixed(1)}`);
    });
    lines.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    const extra = s.hist.over ? ` (+${s.hist.over} beyond)` : '';
    lines.push(`<text x="${W - M.right - 4}" y="${M.top + 14 + i * 14}" text-anchor="end" fill="${color}">${escapeXml(s.label + extra)}</text>`);
  });
  return frame(title, xLabel, 'count', lines);
}

export interface LineSeries {
  label: string;
  points: [number, number][];
}

export function lineSvg(title: string, xLabel: string, yLabel: string, series: LineSeries[]): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) throw new RangeError('lineSvg needs at least one point');
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const { scale, lines } = axes(Math.min(...xs), Math.max(...xs), Math.min(0, ...ys), Math.max(...ys) || 1);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = s.points.map(([x, y]) => `${scale.x(x).toFixed(1)},${scale.y(y).toFixed(1)}`).join(' ');
    lines.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts}"/>`);
    lines.push(`<text x="${W - M.right - 4}" y="${M.top + 14 + i * 14}" text-anchor="end" fill="${color}">${escapeXml(s.label)}</text>`);
  });
  return frame(title, xLabel, yLabel, lines);
}
