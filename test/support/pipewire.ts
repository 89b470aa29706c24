// A private, headless PipeWire for tests: the daemon with a null sink (`test_sink`) driven by its
// own Dummy-Driver, and WirePlumber to link streams, both started inside a namespace host the test
// made, with their own runtime, config and state directories. No D-Bus, no systemd, no sound card.
// Clients (aplay -D pipewire, pw-record, a device with an ALSA sink) find the daemon through
// XDG_RUNTIME_DIR in `rig.env`. Everything is killed by pid in stop() (and by Lan.destroy()).
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { projectRoot } from './inferno-process.js';
import type { LanHost, RunResult } from './netns.js';
import { stopChild } from './netns.js';

/** Commands a PipeWire test needs (Debian: pipewire pipewire-bin pipewire-alsa wireplumber alsa-utils). */
export const PIPEWIRE_COMMANDS = ['pipewire', 'wireplumber', 'pw-cli', 'wpctl', 'pw-record', 'aplay'];

export const PW_SINK = 'test_sink';
const PW_SINK_DESCRIPTION = 'Test null sink';

export interface PipeWireRig {
  host: LanHost;
  dir: string;
  /** Environment for clients of this daemon (merge into a child's env). */
  env: NodeJS.ProcessEnv;
  rate: number;
  /** Runs a client to completion inside the host, with the rig's environment. */
  run(cmd: string, args: string[], timeoutMs?: number): Promise<RunResult>;
  /** Starts pw-record on the sink's monitor; stop() ends it with SIGINT so the WAV header is final. */
  record(path: string, opts?: { channels?: number; format?: 's16' | 's32' }): PwRecording;
  /**
   * Starts pw-driftrec: the graph's driver at rate × (1 + ppm) on CLOCK_MONOTONIC, recording the
   * sink's monitor as raw s32le with `channels` channels. Needs a C compiler and libpipewire-0.3-dev.
   */
  driftRecord(path: string, opts: { ppm: number; seconds: number; channels?: number; quantum?: number }): DriftRecording;
  /** Daemon and session-manager logs, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export interface PwRecording {
  proc: ChildProcess;
  stop(): Promise<void>;
}

export interface DriftRecording extends PwRecording {
  /** Resolves when the recorder exits (after `seconds`, or stop()) with its frame and cycle counts. */
  done: Promise<{ code: number | null; frames: number; cycles: number; stderr: string }>;
}

// The daemon configuration: only the native protocol (a UNIX socket), no network modules.
// `adapter.auto-port-config` is needed or the null sink has no ports; `node.group` ties it to the
// Dummy-Driver, which paces the graph on CLOCK_MONOTONIC.
function daemonConf(rate: number): string {
  return `context.properties = {
    core.daemon = true
    core.name   = pipewire-0
    link.max-buffers = 16
    default.clock.rate = ${rate}
    default.clock.allowed-rates = [ ${rate} ]
    default.clock.quantum = 1024
    default.clock.min-quantum = 32
    default.clock.max-quantum = 2048
}
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-profiler }
    { name = libpipewire-module-metadata }
    { name = libpipewire-module-spa-device-factory }
    { name = libpipewire-module-spa-node-factory }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-client-device }
    { name = libpipewire-module-access args = { } }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-link-factory }
    { name = libpipewire-module-session-manager }
]
context.objects = [
    { factory = metadata args = { metadata.name = default } }
    { factory = spa-node-factory
        args = { factory.name = support.node.driver  node.name = Dummy-Driver
                 node.group = pipewire.dummy  priority.driver = 20000 } }
    { factory = spa-node-factory
        args = { factory.name = support.node.driver  node.name = Freewheel-Driver
                 priority.driver = 19000  node.group = pipewire.freewheel  node.freewheel = true } }
    { factory = adapter
        args = {
            factory.name     = support.null-audio-sink
            node.name        = ${PW_SINK}
            node.description = "${PW_SINK_DESCRIPTION}"
            media.class      = Audio/Sink
            audio.position   = [ FL FR ]
            audio.rate       = ${rate}
            node.group       = pipewire.dummy
            adapter.auto-port-config = { mode = dsp monitor = true control = false position = preserve }
        }
    }
]
`;
}

async function waitUntil(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`PipeWire rig: ${what} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts pipewire + wireplumber inside `host`; resolves once the null sink is the default sink. */
export async function startPipeWire(host: LanHost, opts: { rate?: number } = {}): Promise<PipeWireRig> {
  const rate = opts.rate ?? 48000;
  const dir = mkdtempSync(join(tmpdir(), 'inferno-pw-'));
  const home = join(dir, 'home');
  const config = join(home, '.config');
  for (const d of ['run', 'home/.config/wireplumber/main.lua.d', 'home/.config/wireplumber/bluetooth.lua.d', 'home/.local/state']) {
    mkdirSync(join(dir, d), { recursive: true, mode: 0o700 });
  }
  writeFileSync(join(dir, 'pipewire.conf'), daemonConf(rate));
  // WirePlumber without D-Bus: no portal, no device monitors (there is no hardware to find).
  writeFileSync(
    join(config, 'wireplumber/main.lua.d/51-headless-test.lua'),
    'default_access.properties["enable-flatpak-portal"] = false\nalsa_monitor.enabled = false\nv4l2_monitor.enabled = false\nlibcamera_monitor.enabled = false\n',
  );
  writeFileSync(join(config, 'wireplumber/bluetooth.lua.d/51-headless-test.lua'), 'bluez_monitor.enabled = false\n');
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_RUNTIME_DIR: join(dir, 'run'),
    HOME: home,
    XDG_CONFIG_HOME: config,
    XDG_STATE_HOME: join(home, '.local/state'),
  };
  delete childEnv.DBUS_SESSION_BUS_ADDRESS;
  delete childEnv.PIPEWIRE_REMOTE;
  const procs: ChildProcess[] = [];
  const logs: Record<string, string> = { pipewire: '', wireplumber: '' };
  const spawnLogged = (name: string, cmd: string, args: string[]): ChildProcess => {
    const c = host.spawn(cmd, args, { env: childEnv });
    c.stdout?.setEncoding('utf8').on('data', (d: string) => (logs[name] += d));
    c.stderr?.setEncoding('utf8').on('data', (d: string) => (logs[name] += d));
    procs.push(c);
    return c;
  };
  const run = (cmd: string, args: string[], timeoutMs = 10000) => host.run(cmd, args, { timeoutMs, env: childEnv });
  const stop = async () => {
    // WirePlumber first (it is a client of the daemon), then the daemon; each by its own pid.
    for (const c of [...procs].reverse()) await stopChild(c);
    rmSync(dir, { recursive: true, force: true });
  };
  const logsOf = () => Object.entries(logs).map(([k, v]) => `--- ${k}\n${v}`).join('\n');
  try {
    spawnLogged('pipewire', 'pipewire', ['-c', join(dir, 'pipewire.conf')]);
    await waitUntil('daemon', async () => (await run('pw-cli', ['info', '0'], 5000)).code === 0, 15000);
    spawnLogged('wireplumber', 'wireplumber', []);
    const defaultSink = new RegExp(`\\*\\s+\\d+\\.\\s+${PW_SINK_DESCRIPTION}`);
    await waitUntil('default sink', async () => defaultSink.test((await run('wpctl', ['status'], 5000)).stdout), 15000);
  } catch (err) {
    const text = logsOf();
    await stop();
    throw new Error(`${(err as Error).message}\n${text}`);
  }
  return {
    host,
    dir,
    env: childEnv,
    rate,
    run,
    record(path, ropts = {}) {
      const proc = host.spawn('pw-record', [
        '--target', PW_SINK, '--rate', String(rate), '--channels', String(ropts.channels ?? 2), '--format', ropts.format ?? 's32', path,
      ], { env: childEnv });
      proc.stdout?.resume();
      proc.stderr?.resume();
      return {
        proc,
        stop: () =>
          new Promise<void>((resolve) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
            const timer = setTimeout(() => void stopChild(proc).then(resolve), 5000);
            proc.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            proc.kill('SIGINT');
          }),
      };
    },
    driftRecord(path, dopts) {
      const proc = host.spawn(buildDriftRecorder(), [
        PW_SINK, path, String(dopts.ppm), String(dopts.seconds), String(dopts.quantum ?? 1024), String(dopts.channels ?? 2),
      ], { env: childEnv });
      let out = '';
      let err = '';
      proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
      proc.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
      const done = new Promise<{ code: number | null; frames: number; cycles: number; stderr: string }>((res) =>
        proc.once('exit', (code) => {
          const m = /frames=(\d+) cycles=(\d+)/.exec(out);
          res({ code, frames: m ? Number(m[1]) : -1, cycles: m ? Number(m[2]) : -1, stderr: err });
        }),
      );
      return {
        proc,
        done,
        stop: async () => {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT');
          const timer = setTimeout(() => void stopChild(proc), 5000);
          await done;
          clearTimeout(timer);
        },
      };
    },
    logs: logsOf,
    stop,
  };
}

/** Commands the drift recorder needs to be built. */
export const DRIFTREC_COMMANDS = ['cc', 'pkg-config'];

let driftRecorder: string | undefined;

/** Builds test/support/pw-driftrec.c once per process into a temp dir removed at exit. */
export function buildDriftRecorder(): string {
  if (driftRecorder) return driftRecorder;
  const flags = spawnSync('pkg-config', ['--cflags', '--libs', 'libpipewire-0.3'], { encoding: 'utf8' });
  if (flags.status !== 0) throw new Error(`pkg-config libpipewire-0.3 failed (Debian: libpipewire-0.3-dev): ${flags.stderr.trim()}`);
  const dir = mkdtempSync(join(tmpdir(), 'inferno-driftrec-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'pw-driftrec');
  const src = resolve(projectRoot, 'test', 'support', 'pw-driftrec.c');
  const cc = spawnSync('cc', ['-O2', '-Wall', '-o', out, src, ...flags.stdout.trim().split(/\s+/), '-lm'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`building pw-driftrec failed:\n${cc.stderr}`);
  driftRecorder = out;
  return out;
}
