// The real device (`node dist/main.js`) as seen by python-zeroconf on another namespace host:
// every service it publishes resolves with the exact TXT strings of PROTOCOL.md §2.2, its ports
// and its address; a TX channel renamed over ARC is re-published under the new name.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import type { LanHost } from './support/netns.js';
import { httpGet, mainJs, startInferno, waitFor } from './support/inferno-process.js';

const zeroconfScript = fileURLToPath(new URL('../test/support/zeroconf-browse.py', import.meta.url));

function python(): string | undefined {
  for (const p of ['python3', '/usr/bin/python3']) {
    if (spawnSync(p, ['-c', 'import zeroconf'], { stdio: 'ignore' }).status === 0) return p;
  }
  return undefined;
}

interface Seen { type: string; name: string; server: string; port: number; addresses: string[]; txt: string[] }

async function browse(py: string, host: LanHost): Promise<Map<string, Seen>> {
  const types = ['_netaudio-arc._udp.local.', '_netaudio-cmc._udp.local.', '_netaudio-chan._udp.local.'];
  const r = await host.run(py, [zeroconfScript, host.ip, '2', ...types], { timeoutMs: 45000 });
  if (r.code !== 0) throw new Error(`zeroconf browse failed: ${r.stderr}`);
  const list = JSON.parse(r.stdout) as Seen[];
  return new Map(list.map((s) => [`${s.type}|${s.name.slice(0, -(s.type.length + 1))}`, s]));
}

interop({ root: true, commands: ['python3'] }).serial('python-zeroconf resolves the running device with the exact Dante records', async (t) => {
  const py = python();
  if (!py) return t.fail('python3 with the zeroconf module is needed');
  const lan = createLan(2, { tag: 'dmdns' });
  const stateDir = mkdtempSync(join(tmpdir(), 'inferno-dmdns-'));
  try {
    const [h1, h2] = lan.hosts as [LanHost, LanHost];
    const dev = startInferno(h1, ['--bind-ip', 'eth0', '--name', 'mdns-dev', '--tx-channels', '3', '--state-dir', stateDir, '--http', '127.0.0.1:18092']);
    await waitFor(() => httpGet(h1, 'http://127.0.0.1:18092/status'), 10000);
    const host = 'mdns-dev.local.';
    const chan = (id: number, extra: string[]) => ({
      server: host, port: 4455,
      txt: ['txtvers=2', 'dbcp1=0x1102', 'dbcp=0x1004', `id=${id}`, 'rate=48000', 'pcm=3 e', 'enc=24', 'en=24', 'latency_ns=10000000', 'fpp=32,2', 'nchan=3', ...extra],
    });
    const want = new Map<string, { server: string; port: number; txt: string[] }>([
      ['_netaudio-arc._udp.local.|mdns-dev', { server: host, port: 4440, txt: ['arcp_vers=2.7.41', 'arcp_min=0.2.4', 'router_vers=4.0.2', 'router_info=Inferno-AoIP', 'mf=Inferno-AoIP', 'model=_000000000000000b'] }],
      ['_netaudio-cmc._udp.local.|mdns-dev', { server: host, port: 8800, txt: ['id=00000a4d00010000', 'process=0', 'cmcp_vers=1.2.0', 'cmcp_min=1.0.0', 'server_vers=4.0.2', 'channels=0x6000004d', 'mf=Inferno-AoIP', 'model=_000000000000000b', '', ''] }],
      ...[1, 2, 3].flatMap((i) => [
        [`_netaudio-chan._udp.local.|0${i}@mdns-dev`, chan(i, ['default'])] as const,
        [`_netaudio-chan._udp.local.|TX ${i}@mdns-dev`, chan(i, [])] as const,
      ]),
    ]);
    const seen = await browse(py, h2);
    t.deepEqual([...seen.keys()].sort(), [...want.keys()].sort());
    for (const [k, w] of want) {
      const s = seen.get(k);
      if (!s) continue;
      t.is(s.server, w.server, k);
      t.is(s.port, w.port, k);
      t.deepEqual(s.addresses, [h1.ip], k);
      t.deepEqual(s.txt, w.txt, k);
    }

    // Rename TX 2 over ARC: `TX 2@` goes away (goodbye), `Bass@` appears.
    const r = await h2.run(process.execPath, [mainJs, 'ctl', 'rename-channel', 'mdns-dev', 'tx', '2', 'Bass', '--interface', 'eth0'], { timeoutMs: 20000 });
    t.is(r.code, 0, r.stderr);
    const after = await browse(py, h2);
    t.true(after.has('_netaudio-chan._udp.local.|Bass@mdns-dev'));
    t.false(after.has('_netaudio-chan._udp.local.|TX 2@mdns-dev'));
    t.true(after.has('_netaudio-chan._udp.local.|02@mdns-dev'));

    dev.proc.kill('SIGTERM');
    t.is((await dev.exited).code, 0);
  } finally {
    await lan.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
