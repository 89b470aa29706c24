// tshark dissects what our device sends, in both versions (`--ptp-version both`: a leader and a
// follower, so Sync, Follow_Up, Delay_Req, Delay_Resp and, for v2, Announce all appear), with no
// malformed-packet or expert warnings and the fields we put there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { interop } from './support/needs.js';
import { createLan, stopChild } from './support/netns.js';
import { startPtpNode } from '../dist/bench/ptp-lab.js';
import { sleep } from '../dist/bench/ptp-scenarios.js';

const test = interop({ root: true, commands: ['ip', 'tshark'] });

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('tshark dissects our PTPv1 and PTPv2 packets cleanly with the expected fields', async (t) => {
  const lan = createLan(2, { tag: 'tsh' });
  const dir = mkdtempSync(join(tmpdir(), 'inferno-ptp-cap-'));
  const cap = join(dir, 'ptp.pcapng');
  try {
    const [a, b] = lan.hosts as [typeof lan.hosts[0], typeof lan.hosts[0]];
    const dump = a.spawn('tshark', ['-q', '-i', a.ifname, '-w', cap, '-f', 'udp port 319 or udp port 320']);
    await sleep(2000);
    const leader = startPtpNode(a, { version: 'both', mode: 'leader', domain: 0 });
    const follower = startPtpNode(b, { version: 'both', mode: 'follower', domain: 0 });
    await sleep(9000);
    await follower.stop();
    await leader.stop();
    await stopChild(dump);
    const macA = tshark(['-r', cap, '-T', 'fields', '-e', 'eth.src', '-Y', `ip.src == ${a.ip}`, '-c', '1']).trim();

    const verbose = tshark(['-r', cap, '-V', '-Y', 'ptp']);
    t.notRegex(verbose, /Malformed|Expert Info \((Warning|Error)/, 'no malformed packets or warnings');

    const v1 = tshark(['-r', cap, '-Y', 'ptp.versionptp == 1', '-T', 'fields', '-E', 'separator=,', '-e', 'ip.src', '-e', 'ptp.subdomain', '-e', 'ptp.sourceuuid', '-e', 'ptp.controlfield'])
      .trim().split('\n').filter(Boolean).map((l) => l.split(','));
    t.true(v1.length > 20, `${v1.length} v1 packets`);
    t.true(v1.every(([, sub]) => sub === '_DFLT'), 'subdomain _DFLT');
    const v1FromA = v1.filter(([src]) => src === a.ip);
    t.true(v1FromA.every(([, , uuid]) => uuid === macA), `v1 uuid is the MAC ${macA}`);
    // controlField: 0 Sync, 1 Delay_Req, 2 Follow_Up, 3 Delay_Resp.
    t.deepEqual([...new Set(v1FromA.map((r) => r[3]))].sort(), ['0', '2', '3']);
    t.deepEqual([...new Set(v1.filter(([src]) => src === b.ip).map((r) => r[3]))], ['1']);

    const v2 = tshark(['-r', cap, '-Y', 'ptp.v2.versionptp == 2', '-T', 'fields', '-E', 'separator=,', '-e', 'ip.src', '-e', 'ptp.v2.domainnumber', '-e', 'ptp.v2.clockidentity', '-e', 'ptp.v2.messagetype'])
      .trim().split('\n').filter(Boolean).map((l) => l.split(','));
    t.true(v2.length > 20, `${v2.length} v2 packets`);
    t.true(v2.every(([, dom]) => dom === '0'), 'domain 0');
    const eui = macA.split(':');
    const expectId = `0x${eui.slice(0, 3).join('')}fffe${eui.slice(3).join('')}`;
    t.true(v2.filter(([src]) => src === a.ip).every(([, , id]) => id === expectId), `v2 clock identity ${expectId}`);
    // messageType: 0x0 Sync, 0x1 Delay_Req, 0x8 Follow_Up, 0x9 Delay_Resp, 0xb Announce.
    t.deepEqual([...new Set(v2.filter(([src]) => src === a.ip).map((r) => r[3]))].sort(), ['0x00', '0x08', '0x09', '0x0b']);
    t.deepEqual([...new Set(v2.filter(([src]) => src === b.ip).map((r) => r[3]))], ['0x01']);
  } finally {
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
