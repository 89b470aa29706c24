// Two network namespaces joined by a veth pair, for the native PTP-socket tests. Names are unique
// per process (inf- prefix); destroy() deletes them by name and is safe to call more than once.
import { spawnSync } from 'node:child_process';

export interface VethPair {
  nsA: string;
  nsB: string;
  addrA: string;
  addrB: string;
  destroy(): void;
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
}

/** Namespaces <tag>-a and <tag>-b with 10.77.<subnet>.1/24 and .2/24, multicast routed on the veth. */
export function createVethPair(tag: string, subnet = 9): VethPair {
  const base = `inf-${tag}-${process.pid}`;
  const nsA = `${base}-a`;
  const nsB = `${base}-b`;
  const addrA = `10.77.${subnet}.1`;
  const addrB = `10.77.${subnet}.2`;
  const pair: VethPair = {
    nsA,
    nsB,
    addrA,
    addrB,
    destroy() {
      for (const ns of [nsA, nsB]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    },
  };
  try {
    ip(['netns', 'add', nsA]);
    ip(['netns', 'add', nsB]);
    // Created inside nsA, so the interface names cannot clash with the host's.
    ip(['-n', nsA, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth0', 'netns', nsB]);
    for (const [ns, addr] of [[nsA, addrA], [nsB, addrB]] as const) {
      ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'veth0']);
      ip(['-n', ns, 'link', 'set', 'veth0', 'up']);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'veth0']);
    }
  } catch (err) {
    pair.destroy();
    throw err;
  }
  return pair;
}
