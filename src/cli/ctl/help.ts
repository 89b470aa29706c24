// `inferno ctl --help` and `inferno ctl <command> --help`.
import type { CommandName } from './args.js';
import { DEFAULT_TIMEOUT_MS } from './args.js';

const USAGE: Record<CommandName, [string, string]> = {
  list: ['list', 'list the Dante devices on the network: name, IP, device id, model, TX/RX counts, sample rate'],
  channels: ['channels DEVICE', 'TX channels with friendly names; RX channels with subscriptions and status'],
  subscribe: ['subscribe RXDEVICE RXCHANNEL TXCHANNEL@TXDEVICE', 'route a TX channel to an RX channel (RXCHANNEL: number or name)'],
  unsubscribe: ['unsubscribe RXDEVICE RXCHANNEL', 'clear the subscription of an RX channel'],
  rename: ['rename DEVICE NEWNAME', 'rename a device (1-31 letters, digits and hyphens)'],
  'rename-channel': ['rename-channel DEVICE rx|tx N NAME', 'rename RX or TX channel N (number or current name)'],
  set: ['set DEVICE latency|sample-rate|encoding VALUE', 'latency: 1ms, 500us or ns; sample-rate: 48000 or 48k; encoding: 16, 24, 32'],
  identify: ['identify DEVICE', 'make the device show itself (LED blink on hardware)'],
};

const DETAILS: Partial<Record<CommandName, string[]>> = {
  list: ['With --json prints an array of objects (name, ip, arcPort, cmcPort, deviceId, processId,', 'model, boardName, factoryName, txChannels, rxChannels, sampleRate, error when a query failed).'],
  subscribe: ['The TX device may be offline: the receiver keeps the subscription and resolves it later.'],
  set: [
    'latency is set with ARC 0x1101 and read back from 0x1100; the value must lie in the range the device reports.',
    'sample-rate and encoding are conmon requests; the device answers by multicast, which is',
    'read to confirm the new value. An unchanged value is reported as refused (exit status 1).',
  ],
  identify: ['Devices do not acknowledge identify: success means the request was sent.'],
};

const OPTIONS: [string, string][] = [
  ['--interface, -i IFACE|IP', 'network to use (default: the interface of the default route)'],
  ['--timeout, -t MS', `discovery window and wait per request, 50-60000 (default ${DEFAULT_TIMEOUT_MS})`],
  ['--json', 'machine-readable output'],
  ['--help, -h', 'show help'],
];

function rows(r: [string, string][]): string {
  const w = Math.max(...r.map(([a]) => a.length)) + 2;
  return r.map(([a, b]) => `  ${a.padEnd(w)}${b}`).join('\n');
}

export function ctlHelp(command?: CommandName): string {
  if (command) {
    const [usage, what] = USAGE[command];
    return [
      `Usage: inferno ctl ${usage} [options]`,
      '',
      `  ${what}`,
      ...(DETAILS[command] ?? []).map((l) => `  ${l}`),
      '',
      'DEVICE is a device name (case-insensitive) or IP[:ARC port].',
      '',
      'Options:',
      rows(OPTIONS),
      '',
    ].join('\n');
  }
  return [
    'inferno ctl: control Dante devices (ours and others) over the Dante control protocol',
    '',
    'Usage: inferno ctl <command> [arguments] [options]',
    '',
    'Commands:',
    rows(Object.values(USAGE).map(([u, w]) => [u, w])),
    '',
    'DEVICE is a device name (case-insensitive) or IP[:ARC port].',
    '',
    'Options:',
    rows(OPTIONS),
    '',
    'Exit status: 0 done, 1 device not found, timeout or refused by the device, 2 bad arguments.',
    '',
  ].join('\n');
}
