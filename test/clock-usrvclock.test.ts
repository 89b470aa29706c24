// The usrvclock source against a fake server (a small C program, Unix datagram sockets in a temp
// dir, no network): frames become the published overlay; a silent server means holdover; after a
// server restart the client subscribes again and follows the new overlay with a step.
import test from 'ava';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { interop } from './support/needs.js';
import { projectRoot } from './support/inferno-process.js';
import { ClockOverlayReader, ClockState, createClockOverlayBuffer, ClockOverlayWriter } from '../dist/core/clock-overlay.js';
import { getLogger } from '../dist/log.js';
import { loadNative, nativeStatus } from '../dist/native/index.js';
import { OverlayPublisher } from '../dist/clock/publisher.js';
import { Timebase } from '../dist/clock/timebase.js';
import { UsrvclockClock } from '../dist/clock/usrvclock-clock.js';

const SOURCE = resolve(projectRoot, 'test', 'support', 'clock-usrvclock-server.c');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(50);
  }
  return cond();
}

test('a missing usrvclock server is an error result, not a throw', (t) => {
  if (!nativeStatus().loaded) return t.pass('native helper not built');
  const dir = mkdtempSync(join(tmpdir(), 'inferno-usrv-'));
  try {
    const c = loadNative().usrvclockOpen(join(dir, 'nobody'), dir);
    const r = c.subscribe();
    t.false(r.ok);
    t.regex(r.ok ? '' : r.errno, /ENOENT|ECONNREFUSED/);
    t.is(c.recv(10), null);
    c.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interop({ commands: ['cc'] })('usrvclock frames drive the overlay; silence is holdover; a restarted server is followed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferno-usrv-'));
  const server = join(dir, 'server');
  const sock = join(dir, 'usrvclock.sock');
  let proc: ChildProcess | undefined;
  const start = (shift: string): ChildProcess => spawn(server, [sock, shift, '2e-6', 'bad'], { stdio: 'ignore' });
  try {
    const cc = spawnSync('cc', ['-O2', '-o', server, SOURCE], { encoding: 'utf8' });
    t.is(cc.status, 0, cc.stderr);
    const native = loadNative();
    const sab = createClockOverlayBuffer();
    const reader = new ClockOverlayReader(sab);
    const timebase = new Timebase(native);
    const publisher = new OverlayPublisher(new ClockOverlayWriter(sab), 48000);
    const clock = new UsrvclockClock({ native, timebase, publisher, log: getLogger('test'), serverPath: sock, clientDir: dir });
    const overlayMinusTai = (): number => {
      const u = native.clockNs(native.CLOCK_TAI);
      const o = reader.overlayNs(Number(u / 1_000_000_000n), Number(u % 1_000_000_000n), { sec: 0, nsec: 0 });
      return (o.sec - Number(u / 1_000_000_000n)) * 1e9 + (o.nsec - Number(u % 1_000_000_000n));
    };
    proc = start('5000000000');
    await sleep(200);
    const running = clock.run();
    t.true(await until(() => reader.ready() && reader.snapshot.state === ClockState.Locked, 3000), 'locked on frames');
    t.true(Math.abs(overlayMinusTai() - 5e9) < 1e6, `overlay − TAI = ${overlayMinusTai()}`);
    t.is(reader.snapshot.freqScale, 2e-6);
    t.true((clock.counters()['drop-bad-magic'] ?? 0) >= 1, 'bad frame counted');
    const gen = reader.snapshot.stepGeneration;

    proc.kill('SIGKILL');
    t.true(await until(() => (reader.refresh(), reader.snapshot.state === ClockState.Holdover), 5000), 'holdover when silent');
    t.is(clock.status().state, 'holdover');

    proc = start('7000000000');
    t.true(await until(() => (reader.refresh(), reader.snapshot.state === ClockState.Locked), 4000), 'follows the restarted server');
    t.true(Math.abs(overlayMinusTai() - 7e9) < 1e6, `overlay − TAI = ${overlayMinusTai()}`);
    t.true(reader.snapshot.stepGeneration > gen, 'the 2 s jump is a step');
    t.true(clock.counters().subscribes! >= 2, 'subscribed again');
    clock.stop();
    await running;
  } finally {
    proc?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
