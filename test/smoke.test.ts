import test from 'ava';
import { getLogger, configureLogging } from '../dist/index.js';

test('logger writes structured lines', (t) => {
  const lines: string[] = [];
  configureLogging({ level: 'info', format: 'json' }, (l) => lines.push(l));
  getLogger('smoke').info('hello', { a: 1 });
  getLogger('smoke').debug('hidden');
  t.is(lines.length, 1);
  const rec = JSON.parse(lines[0]!);
  t.is(rec.msg, 'hello');
  t.is(rec.a, 1);
  t.is(rec.component, 'smoke');
});
