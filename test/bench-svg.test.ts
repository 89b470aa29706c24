import test from 'ava';
import { escapeXml, histogramSvg, lineSvg } from '../dist/bench/svg.js';
import { histogram } from '../dist/bench/stats.js';

function wellFormed(svg: string): boolean {
  // Every opened element is closed: a cheap check that needs no XML parser.
  const open = (svg.match(/<(?!\/)[a-z]+[^>]*[^/]>/g) ?? []).length;
  const close = (svg.match(/<\/[a-z]+>/g) ?? []).length;
  return svg.startsWith('<svg ') && svg.trimEnd().endsWith('</svg>') && open === close;
}

test('histogram SVG overlays series with labels and counts outliers', (t) => {
  const a = histogram([1, 2, 2, 3, 100], 10, { lo: 0, hi: 10 });
  const svg = histogramSvg('lateness <µs> & more', 'µs', [{ label: 'js-pacer', hist: a }, { label: 'C reference', hist: a }]);
  t.true(wellFormed(svg));
  t.true(svg.includes('lateness &lt;µs&gt; &amp; more'));
  t.is((svg.match(/<polyline/g) ?? []).length, 2);
  t.true(svg.includes('js-pacer (+1 beyond)'));
  t.throws(() => histogramSvg('x', 'y', []), { instanceOf: RangeError });
});

test('line SVG draws one polyline per series', (t) => {
  const svg = lineSvg('rss', 's', 'MB', [{ label: '2x2', points: [[0, 90], [1, 91]] }, { label: '64x64', points: [[0, 110], [1, 112]] }]);
  t.true(wellFormed(svg));
  t.is((svg.match(/<polyline/g) ?? []).length, 2);
  t.throws(() => lineSvg('x', 'y', 'z', [{ label: 'a', points: [] }]), { instanceOf: RangeError });
  t.is(escapeXml(`"a'`), '&quot;a&apos;');
});
