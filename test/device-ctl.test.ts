// `inferno ctl` against real devices (`node dist/main.js`) on one IP with alternate ports (§9.3):
// discovery over mDNS, renames re-announced, changes visible in /status and kept across restarts.
import type { ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import type { LanHost, RunResult } from './support/netns.js';
import { httpGet, mainJs, startInferno, waitFor } from './support/inferno-process.js';
import type { InfernoProcess } from './support/inferno-process.js';

const test = interop({ root: true, commands: ['ip'] });

function ctl(t: ExecutionContext, host: LanHost, ...args: string[]): Promise<RunResult> {
  return host.run(process.execPath, [mainJs, 'ctl', ...args, '--interface', host.ifname], { timeoutMs: 20000 }).then((r) => {
    t.log(`$ inferno ctl ${args.join(' ')}  → ${r.code}\n${r.stdout}${r.stderr}`);
    return r;
  });
}

async function startDevice(host: LanHost, name: string, stateDir: string, extra: string[], http: number): Promise<InfernoProcess> {
  const dev = startInferno(host, ['--bind-ip', 'eth0', '--name', name, '--state-dir', stateDir, '--http', `127.0.0.1:${http}`, ...extra]);
  await waitFor(() => httpGet(host, `http://127.0.0.1:${http}/status`), 10000).catch((e: Error) => {
    throw new Error(`${name}: ${e.message}\n${dev.output()}`);
  });
  return dev;
}

test.serial('ctl finds two real devices on one IP, renames them over ARC and the names stick', async (t) => {
  const lan = createLan(2, { tag: 'dctl' });
  const stateDir = mkdtempSync(join(tmpdir(), 'inferno-dctl-'));
  const devs: InfernoProcess[] = [];
  try {
    const [host, me] = lan.hosts as [LanHost, LanHost];
    devs.push(await startDevice(host, 'alpha', stateDir, ['--alt-port', '9000', '--process-id', '1', '--tx-channels', '4'], 18090));
    devs.push(await startDevice(host, 'beta', stateDir, ['--alt-port', '9100', '--process-id', '2', '--rx-channels', '6'], 18091));

    const rows = await waitFor(async () => {
      const r = await ctl(t, me, 'list', '--json', '--timeout', '1500');
      const parsed = r.code === 0 ? (JSON.parse(r.stdout) as { name: string; arcPort: number; deviceId: string; txChannels: number; rxChannels: number; sampleRate: number }[]) : [];
      return parsed.length === 2 ? parsed : undefined;
    }, 15000);
    t.deepEqual(rows.map((r) => [r.name, r.arcPort, r.deviceId, r.txChannels, r.rxChannels, r.sampleRate]), [
      ['alpha', 9000, '00000a4d00010001', 4, 2, 48000],
      ['beta', 9100, '00000a4d00010002', 2, 6, 48000],
    ]);

    t.is((await ctl(t, me, 'rename-channel', 'alpha', 'tx', '1', 'Kick')).code, 0);
    t.is((await ctl(t, me, 'rename-channel', 'beta', 'rx', '3', 'Vocal')).code, 0);
    const sub = await ctl(t, me, 'subscribe', 'beta', 'Vocal', 'Kick@alpha');
    t.is(sub.code, 0, sub.stderr);
    t.is((await ctl(t, me, 'rename', 'beta', 'gamma')).code, 0);

    const ch = await ctl(t, me, 'channels', 'gamma', '--json');
    t.is(ch.code, 0, ch.stderr);
    const listing = JSON.parse(ch.stdout) as { rx: { name: string; subscription: { txChannel: string; txDevice: string } | null }[] };
    t.is(listing.rx[2]!.name, 'Vocal');
    t.deepEqual(listing.rx[2]!.subscription, { txChannel: 'Kick', txDevice: 'alpha' });
    const alphaTx = JSON.parse((await ctl(t, me, 'channels', 'alpha', '--json')).stdout) as { tx: { name: string }[] };
    t.is(alphaTx.tx[0]!.name, 'Kick');

    // The rename is re-announced over mDNS: discovery now shows the new name.
    await waitFor(async () => {
      const r = await ctl(t, me, 'list', '--json', '--timeout', '1500');
      const names = r.code === 0 ? (JSON.parse(r.stdout) as { name: string }[]).map((x) => x.name).sort().join(',') : '';
      return names === 'alpha,gamma' ? names : undefined;
    }, 15000);
    const st = JSON.parse((await httpGet(host, 'http://127.0.0.1:18091/status'))!.body);
    t.is(st.device.name, 'gamma');

    // Restart beta: the names and the subscription come back from the saved state.
    devs[1]!.proc.kill('SIGTERM');
    t.is((await devs[1]!.exited).code, 0);
    devs[1] = await startDevice(host, 'beta', stateDir, ['--alt-port', '9100', '--process-id', '2', '--rx-channels', '6'], 18091);
    const again = JSON.parse((await ctl(t, me, 'channels', `${host.ip}:9100`, '--json')).stdout) as typeof listing & { name?: string };
    t.is(again.rx[2]!.name, 'Vocal');
    t.deepEqual(again.rx[2]!.subscription, { txChannel: 'Kick', txDevice: 'alpha' });
    const st2 = JSON.parse((await httpGet(host, 'http://127.0.0.1:18091/status'))!.body);
    t.is(st2.device.name, 'gamma');
  } finally {
    await Promise.all(devs.map((d) => d.stop()));
    await lan.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
