// Settings: precedence, validation (exit 2 with one line naming the setting), --help.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, SETTINGS, ConfigError } from '../dist/index.js';
import { defaultRouteInterface, defaultDeviceId } from '../dist/config/network.js';
import { resolveDeviceConfig } from '../dist/config/device-config.js';
import { mainJs } from './support/inferno-process.js';

const tmp = mkdtempSync(join(tmpdir(), 'inferno-cfg-'));
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  // Every case here is invalid, so no device (and no socket) is ever started.
  const r = spawnSync(process.execPath, [mainJs, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 10000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--help lists every option with its default and environment variable', (t) => {
  const r = run(['--help']);
  t.is(r.code, 0);
  for (const s of SETTINGS) {
    t.true(r.stdout.includes(`--${s.flag}`), s.flag);
    t.true(r.stdout.includes(s.env), s.env);
    t.true(r.stdout.includes(`default: ${s.defaultText}`), s.flag);
  }
  t.true(r.stdout.includes('--config'));
});

const invalid: [string, string[], Record<string, string>, RegExp][] = [
  ['unsupported sample rate', ['--sample-rate', '12345'], {}, /^inferno: invalid sample-rate: "12345" \(accepted: 44100, 48000/],
  ['non-hex device id', ['--device-id', '00000a4d0001000g'], {}, /invalid device-id: "00000a4d0001000g" \(accepted: exactly 16 hexadecimal digits\)/],
  ['short device id (env)', [], { INFERNO_DEVICE_ID: 'abc' }, /invalid device-id: "abc"/],
  ['zero RX channels', ['--rx-channels', '0'], {}, /invalid rx-channels: "0" \(accepted: an integer from 1 to 128\)/],
  ['too many TX channels', ['--tx-channels', '999'], {}, /invalid tx-channels: "999"/],
  ['port out of range', ['--alt-port', '70000'], {}, /invalid alt-port: "70000" \(accepted: an integer from 1024 to 65532\)/],
  ['bad latency', ['--rx-latency-ns', '5ms'], {}, /invalid rx-latency-ns: "5ms"/],
  ['fpp below the protocol minimum', ['--rx-fpp', '1'], {}, /invalid rx-fpp: "1" \(accepted: 0 \(automatic\) or 2 to 256\)/],
  ['fpp above the protocol maximum (env)', [], { INFERNO_RX_FPP: '257' }, /invalid rx-fpp: "257"/],
  ['unknown interface', ['--bind-ip', 'nosuchif0'], {}, /invalid bind-ip: "nosuchif0" \(accepted: an interface with an IPv4 address/],
  ['address not on this host', ['--bind-ip', '192.0.2.77'], {}, /invalid bind-ip: "192.0.2.77"/],
  ['unreadable config file', ['--config', '/nonexistent/inferno.toml'], {}, /invalid config: "\/nonexistent\/inferno.toml" \(accepted: a readable TOML or JSON file \(ENOENT\)\)/],
  ['unknown option', ['--sample-rat', '48000'], {}, /invalid option: "--sample-rat"/],
  ['bad log level', ['--log-level', 'loud'], {}, /invalid log-level: "loud"/],
  ['bad name', ['--name', 'has space'], {}, /invalid name: "has space"/],
  ['bad http', ['--http', 'localhost:99999'], {}, /invalid http: "localhost:99999"/],
];

for (const [title, args, env, re] of invalid) {
  test(`exit 2 on ${title}`, (t) => {
    const r = run(args, env);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, re);
    t.is(r.stderr.trim().split('\n').length, 1, 'exactly one line');
  });
}

test('config file: unknown key and bad TOML exit 2 naming them', (t) => {
  const unknown = join(tmp, 'unknown.toml');
  writeFileSync(unknown, 'sample_rate = 48000\nsampel_rate = 44100\n');
  let r = run(['--config', unknown]);
  t.is(r.code, 2);
  t.regex(r.stderr, /invalid config key 'sampel_rate': 44100 \(accepted: one of bind_ip, /);
  const bad = join(tmp, 'bad.toml');
  writeFileSync(bad, 'sample_rate = = 1\n');
  r = run(['--config', bad]);
  t.is(r.code, 2);
  t.regex(r.stderr, /invalid config: ".*bad.toml" \(accepted: valid TOML/);
  const badJson = join(tmp, 'bad.json');
  writeFileSync(badJson, '{"rx_channels": 0}');
  r = run(['--config', badJson]);
  t.is(r.code, 2);
  t.regex(r.stderr, /invalid rx-channels: 0/);
});

test('precedence: defaults < config file < environment < flags', (t) => {
  const file = join(tmp, 'p.toml');
  writeFileSync(file, 'sample_rate = 96000\nrx_channels = 8\ntx_channels = 6\nname = "from-file"\n');
  const { settings } = loadSettings(['--config', file, '--tx-channels', '4'], { INFERNO_RX_CHANNELS: '16', INFERNO_TX_CHANNELS: '12' });
  t.is(settings.sampleRate, 96000); // file over default
  t.is(settings.rxChannels, 16); // env over file
  t.is(settings.txChannels, 4); // flag over env
  t.is(settings.name, 'from-file');
  t.is(settings.rxLatencyNs, 10_000_000); // default
  const json = join(tmp, 'p.json');
  writeFileSync(json, JSON.stringify({ alt_port: 9000, process_id: 3 }));
  const j = loadSettings(['--config', json], {}).settings;
  t.is(j.altPort, 9000);
  t.is(j.processId, 3);
});

test('--rx-fpp: 0 (automatic) by default; flag, environment and config key set it', (t) => {
  t.is(loadSettings([], {}).settings.rxFpp, 0);
  t.is(loadSettings(['--rx-fpp', '16'], {}).settings.rxFpp, 16);
  t.is(loadSettings([], { INFERNO_RX_FPP: '8' }).settings.rxFpp, 8);
  const file = join(tmp, 'fpp.toml');
  writeFileSync(file, 'rx_fpp = 64\n');
  t.is(loadSettings(['--config', file], {}).settings.rxFpp, 64);
});

test('--rx-socket: auto by default; dgram from flag, environment or config key; anything else exits 2', (t) => {
  t.is(loadSettings([], {}).settings.rxSocket, 'auto');
  t.is(loadSettings(['--rx-socket', 'dgram'], {}).settings.rxSocket, 'dgram');
  t.is(loadSettings([], { INFERNO_RX_SOCKET: 'dgram' }).settings.rxSocket, 'dgram');
  const file = join(tmp, 'rxsocket.toml');
  writeFileSync(file, 'rx_socket = "dgram"\n');
  t.is(loadSettings(['--config', file], {}).settings.rxSocket, 'dgram');
  const r = run(['--rx-socket', 'native']);
  t.is(r.code, 2);
  t.is(r.stderr.trim(), 'inferno: invalid rx-socket: "native" (accepted: auto, dgram)');
});

test('ConfigError message names the setting, value and what is accepted', (t) => {
  const e = t.throws(() => loadSettings(['--process-id', '-1'], {}), { instanceOf: ConfigError });
  t.is(e?.message, 'invalid process-id: "-1" (accepted: an integer from 0 to 65535)');
});

test('derived identity: device id, name, ports and channel names (PROTOCOL.md §9)', (t) => {
  const iface = { ip: '10.0.0.1', ifname: 'eth0', netmask: '255.255.255.0', mac: '02:00:00:00:00:01' };
  const { settings } = loadSettings(['--process-id', '2', '--alt-port', '9100', '--rx-channels', '3'], {});
  const c = resolveDeviceConfig(settings, iface);
  t.is(c.deviceId, '00000a0000010002');
  t.is(defaultDeviceId('10.0.0.1', 0), '00000a0000010000');
  t.is(c.name, 'inferno-0a000001-2');
  t.deepEqual(c.ports, { arc: 9100, cmc: 9101, flows: 9102, info: 9103 });
  t.deepEqual(c.rxChannelNames.map((n) => [n.factory, n.friendly]), [['01', 'RX 1'], ['02', 'RX 2'], ['03', 'RX 3']]);
  const d = resolveDeviceConfig(loadSettings([], {}).settings, iface);
  t.deepEqual(d.ports, { arc: 4440, cmc: 8800, flows: 4455, info: 8700 });
});

test('default route parsing from /proc/net/route', (t) => {
  const table = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
    'eth1\t004D0A0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n' +
    'eth0\t00000000\t01004D0A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n';
  t.is(defaultRouteInterface(table), 'eth0');
  t.is(defaultRouteInterface('Iface\tDestination\n'), undefined);
});
