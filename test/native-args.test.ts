import test from 'ava';
import { createRequire } from 'node:module';
import { ADDON_PATH, nativeStatus, type Addon } from '../dist/native/index.js';

// Every addon function, called with wrong argument types and counts, must throw a JS error or
// return: never crash the process. mlockAll/munlockAll take no arguments and lock the whole
// process, so they are left out.
const GARBAGE: unknown[] = [undefined, null, true, 'x', '', -1, 0, 1.5, NaN, Infinity, -Infinity, 2 ** 40, 1n, -1n, 2n ** 70n, {}, [], ['x'], [-1], new Uint8Array(1), new Float64Array(1), new BigInt64Array(1), () => 1, Symbol('s')];

test('the addon survives wrong arguments to every function', (t) => {
  t.true(nativeStatus().loaded);
  const addon = createRequire(import.meta.url)(ADDON_PATH) as Addon & Record<string, unknown>;
  const fns = Object.entries(addon).filter(([k, v]) => typeof v === 'function' && k !== 'mlockAll' && k !== 'munlockAll');
  t.true(fns.length >= 15);
  let calls = 0;
  let thrown = 0;
  for (const [name, fn] of fns) {
    const f = fn as (...a: unknown[]) => unknown;
    const argLists: unknown[][] = [[]];
    for (const g of GARBAGE) argLists.push([g], [g, g], [g, g, g], [g, g, g, g, g], [0, g, g], [1, g, 0]);
    for (const args of argLists) {
      calls++;
      try {
        f(...args);
      } catch (err) {
        thrown++;
        t.true(err instanceof Error, `${name}(${args.map(String).join(', ')}) threw a non-Error`);
      }
    }
  }
  t.log(`${calls} calls, ${thrown} threw`);
  // The scheduling state of this thread is unchanged by all that.
  t.deepEqual(addon.threadScheduling(), { policy: 'other', priority: 0 });
});
