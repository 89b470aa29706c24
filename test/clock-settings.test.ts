// Clock settings: --clock, --ptp-version, --ptp-mode, --ptp-priority1/2, --ptp-domain (flags and
// INFERNO_PTP_* variables); wrong values exit 2. A missing PTP hardware clock fails clearly.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { loadSettings } from '../dist/index.js';
import { parseClockSetting } from '../dist/config/schema.js';
import { createClockRunner, OverlayPublisher, Timebase } from '../dist/clock/index.js';
import { validatePtpOptions } from '../dist/clock/ptp-clock.js';
import { getLogger } from '../dist/log.js';
import { loadNative } from '../dist/native/index.js';
import { mainJs } from './support/inferno-process.js';

function run(args: string[], env: Record<string, string> = {}) {
  // Every case here is invalid, so no device (and no socket) is ever started.
  const r = spawnSync(process.execPath, [mainJs, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 10000 });
  return { code: r.status, stderr: r.stderr };
}

test('defaults: built-in PTP, version 1 (what Dante uses), auto mode, priority1 251, domain 0', (t) => {
  const s = loadSettings([], {}).settings;
  t.deepEqual(s.clock, { source: 'ptp' });
  t.is(s.ptpVersion, '1');
  t.is(s.ptpMode, 'auto');
  t.is(s.ptpPriority1, 251);
  t.is(s.ptpPriority2, 128);
  t.is(s.ptpDomain, 0);
});

test('flags and environment variables', (t) => {
  const s = loadSettings(['--clock', 'usrvclock:/run/ptp.sock', '--ptp-version', 'both', '--ptp-priority1', '100'], { INFERNO_PTP_MODE: 'follower', INFERNO_PTP_DOMAIN: '3', INFERNO_PTP_PRIORITY2: '7' }).settings;
  t.deepEqual(s.clock, { source: 'usrvclock', path: '/run/ptp.sock' });
  t.is(s.ptpVersion, 'both');
  t.is(s.ptpMode, 'follower');
  t.is(s.ptpPriority1, 100);
  t.is(s.ptpPriority2, 7);
  t.is(s.ptpDomain, 3);
  t.deepEqual(parseClockSetting('phc:/dev/ptp0'), { source: 'phc', path: '/dev/ptp0' });
  t.deepEqual(parseClockSetting('usrvclock'), { source: 'usrvclock' });
  t.deepEqual(parseClockSetting('local'), { source: 'local' });
});

const bad: [string, string[], Record<string, string>, RegExp][] = [
  ['an unknown clock', ['--clock', 'gps'], {}, /clock/],
  ['a path on ptp', ['--clock', 'ptp:/x'], {}, /clock/],
  ['PTP version 3', ['--ptp-version', '3'], {}, /ptp-version/],
  ['mode master', ['--ptp-mode', 'master'], {}, /ptp-mode/],
  ['priority1 256', ['--ptp-priority1', '256'], {}, /ptp-priority1/],
  ['priority2 -1', ['--ptp-priority2', '-1'], {}, /ptp-priority2/],
  ['domain 128', ['--ptp-domain', '128'], {}, /ptp-domain/],
  ['INFERNO_PTP_VERSION=v2', [], { INFERNO_PTP_VERSION: 'v2' }, /ptp-version/],
];
for (const [title, args, env, re] of bad) {
  test(`exit 2 on ${title}`, (t) => {
    const r = run(args, env);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, re);
  });
}

test('PTPv1 has subdomains for domains 0-3 only', (t) => {
  t.throws(() => validatePtpOptions({ version: '1', domain: 4 }), { message: /domains 0-3/ });
  t.throws(() => validatePtpOptions({ version: 'both', domain: 4 }), { message: /domains 0-3/ });
  t.notThrows(() => validatePtpOptions({ version: '2', domain: 127 }));
  t.notThrows(() => validatePtpOptions({ version: '1', domain: 3 }));
});

test('a missing PTP hardware clock fails with the path and the reason', (t) => {
  const native = loadNative();
  const deps = { native, timebase: new Timebase(native), publisher: new OverlayPublisher(null, 48000), log: getLogger('test') };
  const cfg = { ptpVersion: '1', ptpMode: 'auto', ptpPriority1: 251, ptpPriority2: 128, ptpDomain: 0, ip: '10.0.0.1', mac: '02:00:00:00:00:01' } as const;
  const err = t.throws(() => createClockRunner({ ...cfg, clock: { source: 'phc', path: '/dev/ptp-inferno-missing' } }, deps));
  t.regex(err!.message, native.native ? /cannot open PTP hardware clock \/dev\/ptp-inferno-missing: open failed: ENOENT/ : /phc source needs the native helper/);
  t.throws(() => createClockRunner({ ...cfg, clock: { source: 'phc' } }, deps), { message: /needs a device path/ });
  t.throws(() => createClockRunner({ ...cfg, clock: { source: 'phc', path: '/dev/null' } }, deps), { message: /\/dev\/null/ });
});
