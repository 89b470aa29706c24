// avahi-daemon inside one namespace host, with its own private D-Bus system bus, so
// avahi-browse there can resolve services on the test LAN. Nothing touches the machine's own
// bus or mDNS: the bus socket lives in a temp dir, and avahi gets a private tmpfs on /run (the
// mount namespace `ip netns exec` creates is a slave, so the mount never reaches the host).
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { LanHost } from './netns.js';
import { stopChild } from './netns.js';

export interface Avahi {
  /** Environment for avahi-browse & co. (points at the private bus). */
  env: NodeJS.ProcessEnv;
  /** avahi-browse -r -t -p for one service type, parsed. */
  browse(serviceType: string, timeoutMs?: number): Promise<AvahiService[]>;
  stop(): Promise<void>;
}

export interface AvahiService {
  name: string;
  type: string;
  host: string;
  address: string;
  port: number;
  /** TXT strings as avahi-browse prints them. */
  txt: string[];
}

const busConf = (socket: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
`;

const avahiConf = (host: string) => `[server]
host-name=${host}
use-ipv4=yes
use-ipv6=no
allow-interfaces=eth0
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
publish-aaaa-on-ipv4=no
`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `\032` style decimal escapes of avahi-browse -p back to text. */
export function unescapeAvahi(s: string): string {
  return s.replace(/\\(\d{3})/g, (_, d: string) => String.fromCharCode(Number(d))).replace(/\\(.)/g, '$1');
}

/** Splits avahi's TXT output `"a=1" "b" ""` into its strings. */
export function parseAvahiTxt(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(unescapeAvahi(m[1]!));
  return out;
}

export async function startAvahi(host: LanHost, hostName: string): Promise<Avahi> {
  const dir = mkdtempSync(join(tmpdir(), 'inferno-avahi-'));
  const socket = join(dir, 'bus');
  writeFileSync(join(dir, 'bus.conf'), busConf(socket));
  writeFileSync(join(dir, 'avahi-daemon.conf'), avahiConf(hostName));
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${socket}` };
  const procs: ChildProcess[] = [];
  const logs: string[] = [];
  const keepLog = (c: ChildProcess, tag: string) => {
    c.stdout?.on('data', (d) => logs.push(`${tag}: ${String(d)}`));
    c.stderr?.on('data', (d) => logs.push(`${tag}: ${String(d)}`));
  };
  const stop = async () => {
    for (const c of procs.reverse()) await stopChild(c, 1000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const bus = host.spawn('dbus-daemon', ['--config-file', join(dir, 'bus.conf'), '--nofork', '--nopidfile']);
    procs.push(bus);
    keepLog(bus, 'dbus');
    for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(50);
    if (!existsSync(socket)) throw new Error(`dbus-daemon did not start: ${logs.join('')}`);
    const daemon = host.spawn('sh', ['-c', `mount -t tmpfs tmpfs /run && exec avahi-daemon --no-drop-root --no-chroot --no-rlimits --no-proc-title -f '${join(dir, 'avahi-daemon.conf')}'`], { env });
    procs.push(daemon);
    keepLog(daemon, 'avahi');
    for (let i = 0; i < 200 && !logs.join('').includes('Server startup complete'); i++) {
      if (daemon.exitCode !== null) break;
      await sleep(50);
    }
    if (!logs.join('').includes('Server startup complete')) throw new Error(`avahi-daemon did not start: ${logs.join('')}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    env,
    stop,
    async browse(serviceType, timeoutMs = 15000) {
      const r = await host.run('avahi-browse', ['-r', '-t', '-p', serviceType], { timeoutMs, env });
      const out: AvahiService[] = [];
      for (const line of r.stdout.split('\n')) {
        if (!line.startsWith('=')) continue;
        // =;eth0;IPv4;<name>;<type>;<domain>;<host>;<address>;<port>;<txt>
        const f = line.split(';');
        out.push({
          name: unescapeAvahi(f[3]!),
          type: f[4]!,
          host: f[6]!,
          address: f[7]!,
          port: Number(f[8]),
          txt: parseAvahiTxt(f.slice(9).join(';')),
        });
      }
      return out;
    },
  };
}
