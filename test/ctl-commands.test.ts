// `inferno ctl` commands end to end on in-memory networks, against fake devices.
import test from 'ava';
import { MemoryLan } from './support/ctl-memory.js';

async function lan(): Promise<MemoryLan> {
  const l = new MemoryLan();
  await l.add('dev-a', '10.9.0.1');
  await l.add('dev-b', '10.9.0.1', 9100);
  return l;
}

test('list --json finds both devices on one IP with their ports, ids, counts and rate', async (t) => {
  const l = await lan();
  try {
    const r = await l.ctl('list', '--json', '--timeout', '300');
    t.is(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    t.deepEqual(rows.map((d) => [d.name, d.ip, d.arcPort, d.cmcPort, d.txChannels, d.rxChannels, d.sampleRate]), [
      ['dev-a', '10.9.0.1', 4440, 8800, 4, 4, 48000],
      ['dev-b', '10.9.0.1', 9100, 9101, 4, 4, 48000],
    ]);
    t.is(rows[1]!.deviceId, l.devices[1]!.deviceIdHex);
    t.is(rows[0]!.model, '_000000000000000b');
  } finally {
    await l.close();
  }
});

test('list prints a table, and an empty network gives an empty list with status 0', async (t) => {
  const l = await lan();
  const empty = new MemoryLan();
  try {
    const r = await l.ctl('list', '--timeout', '300');
    t.is(r.code, 0);
    t.regex(r.stdout, /^NAME +IP +ARC +DEVICE ID +MODEL +TX +RX +RATE\n/);
    t.regex(r.stdout, new RegExp(`\ndev-b +10\\.9\\.0\\.1 +9100 +${l.devices[1]!.deviceIdHex} +_000000000000000b +4 +4 +48000\n`));
    t.is(l.devices[1]!.deviceIdHex, '00000a090001005b');
    const e = await empty.ctl('list', '--json', '--timeout', '200');
    t.is(e.code, 0);
    t.deepEqual(JSON.parse(e.stdout), []);
  } finally {
    await l.close();
  }
});

test('an unknown device exits 1 listing the names found', async (t) => {
  const l = await lan();
  try {
    const r = await l.ctl('channels', 'nope', '--timeout', '200');
    t.is(r.code, 1);
    t.is(r.stderr, 'inferno ctl: device not found: "nope" (found: dev-a, dev-b)\n');
  } finally {
    await l.close();
  }
});

test('channels, rename-channel, subscribe and unsubscribe round-trip (names case-insensitive)', async (t) => {
  const l = await lan();
  try {
    t.is((await l.ctl('rename-channel', 'DEV-B', 'tx', '2', 'Vox', '-t', '300')).stdout, 'renamed dev-b TX 2 from TX 2 to Vox\n');
    t.is((await l.ctl('rename-channel', 'dev-a', 'rx', 'RX 3', 'Drums', '-t', '300')).code, 0);
    const sub = await l.ctl('subscribe', 'dev-a', 'Drums', 'Vox@dev-b', '-t', '300');
    t.is(sub.stdout, 'subscribed dev-a RX 3 (Drums) to Vox@dev-b: unresolved\n', sub.stderr);
    const ch = await l.ctl('channels', 'dev-a', '-t', '300');
    t.is(ch.stdout, [
      'dev-a (10.9.0.1:4440), 48000 Hz',
      'TX channels (4):',
      '  1  01  TX 1', '  2  02  TX 2', '  3  03  TX 3', '  4  04  TX 4',
      'RX channels (4):',
      '  1  RX 1   -          not subscribed',
      '  2  RX 2   -          not subscribed',
      '  3  Drums  Vox@dev-b  unresolved',
      '  4  RX 4   -          not subscribed',
      '',
    ].join('\n'));
    t.is((await l.ctl('unsubscribe', '10.9.0.1', '3', '-t', '300')).stdout, 'unsubscribed dev-a RX 3 (Drums)\n');
    const json = JSON.parse((await l.ctl('channels', '10.9.0.1:9100', '--json', '-t', '300')).stdout) as { device: string; tx: { name: string }[]; rx: { subscription: unknown }[] };
    t.is(json.device, 'dev-b');
    t.is(json.tx[1]!.name, 'Vox');
    t.is(l.devices[0]!.view.rxChannels[2]!.subscription, undefined);
  } finally {
    await l.close();
  }
});

test('rename a device, set latency, sample rate and encoding; identify reaches the info port', async (t) => {
  const l = await lan();
  try {
    t.is((await l.ctl('rename', 'dev-b', 'dev-c', '-t', '300')).stdout, 'renamed dev-b to dev-c (10.9.0.1:9100)\n');
    t.is((await l.ctl('set', 'dev-c', 'latency', '5ms', '-t', '300')).stdout, 'latency of dev-c: 5 ms (was 10 ms)\n');
    t.is(l.devices[1]!.view.latency.currentNs, 5_000_000);
    t.is((await l.ctl('set', 'dev-a', 'sample-rate', '96k', '-t', '300')).stdout, 'sample-rate of dev-a: 96000 Hz\n');
    t.is(l.devices[0]!.conmon.sampleRate, 96000);
    const refused = await l.ctl('set', 'dev-a', 'sample-rate', '192000', '-t', '300');
    t.is(refused.code, 1);
    t.is(refused.stderr, 'inferno ctl: refused: dev-a kept sample-rate 96000 Hz (requested 192000; device supports 44100, 48000, 96000)\n');
    const id = await l.ctl('identify', 'dev-c', '-t', '300');
    t.is(id.stdout, 'identify sent to dev-c (10.9.0.1:9103)\n');
    t.true(l.net.log.some((d) => d.to.port === 9103 && d.buf.readUInt16BE(26) === 0x0063));
  } finally {
    await l.close();
  }
});

test('bad arguments exit 2 naming the argument, value and what is accepted; a locked device is refused', async (t) => {
  const l = new MemoryLan();
  await l.add('locked', '10.9.0.2', undefined, { locked: true });
  try {
    const cases: [string[], string][] = [
      [['frob'], 'invalid command: "frob" (accepted: list, channels, subscribe, unsubscribe, rename, rename-channel, set, identify)'],
      [['set', 'locked', 'latency', 'soon'], 'invalid latency: "soon" (accepted: a duration such as 1ms, 500us or 2000000 (ns))'],
      [['set', 'locked', 'gain', '3'], 'invalid setting: "gain" (accepted: latency, sample-rate, encoding)'],
      [['subscribe', 'locked', '1', 'nodevice'], 'invalid TXCHANNEL@TXDEVICE: "nodevice" (accepted: a TX channel name, @, and a device name (e.g. 01@stage-box))'],
      [['rename-channel', 'locked', 'rx', '9', 'x'], 'invalid N: "9" (accepted: a channel number (1-4) or name of locked: RX 1, RX 2, RX 3, RX 4)'],
      [['channels'], 'invalid arguments of \'channels\': "" (accepted: DEVICE)'],
      [['list', '--timeout', '5'], 'invalid --timeout: "5" (accepted: milliseconds from 50 to 60000)'],
      [['list', '--bogus'], 'invalid option: "--bogus" (accepted: --interface IFACE|IP, --timeout MS, --json, --help)'],
    ];
    for (const [argv, msg] of cases) {
      const r = await l.ctl(...argv, '-t', argv.includes('--timeout') ? '5' : '300');
      t.is(r.code, 2, argv.join(' '));
      t.is(r.stderr, `inferno ctl: ${msg}\n`, argv.join(' '));
    }
    const r = await l.ctl('rename', 'locked', 'other', '-t', '300');
    t.is(r.code, 1);
    t.is(r.stderr, 'inferno ctl: refused: locked (10.9.0.2:4440) answered rename device (0x1001) with status 0x0600 (device locked)\n');
    const latency = await l.ctl('set', 'locked', 'latency', '90ms', '-t', '300');
    t.is(latency.stderr, 'inferno ctl: refused: locked (10.9.0.2:4440) answered set latency (0x1101) with status 0x0600 (device locked); it reports 0.15 ms to 40 ms\n');
    const timeout = await l.ctl('channels', '10.9.0.3', '-t', '100');
    t.is(timeout.code, 1);
    t.is(timeout.stderr, 'inferno ctl: timeout: 10.9.0.3:4440 did not answer device name (0x1002) (3 tries, 100 ms each)\n');
  } finally {
    await l.close();
  }
});

test('--help for ctl and for each command', async (t) => {
  const l = new MemoryLan();
  const top = await l.ctl('--help');
  t.is(top.code, 0);
  t.regex(top.stdout, /Usage: inferno ctl <command>/);
  const sub = await l.ctl('subscribe', '--help');
  t.regex(sub.stdout, /^Usage: inferno ctl subscribe RXDEVICE RXCHANNEL TXCHANNEL@TXDEVICE \[options\]/);
  t.is((await l.ctl()).code, 2);
});
