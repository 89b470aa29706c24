import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';

const test = interop({ root: true, commands: ['ip', 'ping'] });

test('namespace LAN: hosts reach each other and are deleted afterwards', async (t) => {
  const lan = createLan(2, { tag: 'lan' });
  try {
    const [a, b] = lan.hosts;
    const r = await a!.run('ping', ['-c', '1', '-W', '2', b!.ip], { timeoutMs: 5000 });
    t.is(r.code, 0, r.stdout + r.stderr);
  } finally {
    await lan.destroy();
  }
  const { spawnSync } = await import('node:child_process');
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  for (const h of lan.hosts) t.false(list.includes(h.ns));
});
