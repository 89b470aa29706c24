// End to end under stress: real device B receives A's pattern on 16 channels into a FIFO while the
// FIFO's reader stops for 150-2500 ms at a time (the longest fills the sink's buffers and blocks it)
// and B itself is stopped with SIGSTOP for 50-500 ms at a time (packets overflow its sockets).
// Every sample B writes must still be the pattern for its media time: lost audio may only come out
// as zeros B counted, of the same length, never as a shift of the output (frames missing from it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import type { LanHost } from './support/netns.js';
import { waitFor } from './support/inferno-process.js';
import { arc, mediaNow, sleep, startDevice, stopFetchers } from './support/e2e-devices.js';
import type { E2eDevice } from './support/e2e-devices.js';
import { assertCapture, captureFifo, checkCapture } from './support/capture-check.js';
import type { FifoCapture } from './support/capture-check.js';

const test = interop({ root: true, commands: ['ip', 'mkfifo', 'chrt'] });
const txName = (n: number) => String(n).padStart(2, '0');
const RATE = 48000;
const CH = 16;
// The sink's pool holds 16 blocks of 4096 frames (1.4 s at 48 kHz): the 2.5 s pause outlasts it,
// so delivery must stall; the short ones are absorbed by the pool.
const READER_PAUSES_MS = [150, 300, 2500, 200, 400];
const DEVICE_STOPS_MS = [50, 120, 250, 400, 500];
const GAP_MS = 600;

test.serial('a slow FIFO reader and a stopped receiver: output stays at its media time, lost audio is counted zeros', async (t) => {
  t.timeout(90_000);
  const lan = createLan(2, { tag: 'em4' });
  const dir = mkdtempSync(join(tmpdir(), 'e2e-s-'));
  const devs: E2eDevice[] = [];
  let stoppedPid: number | undefined;
  let fifo: FifoCapture | undefined;
  try {
    const [ha, hb] = lan.hosts as [LanHost, LanHost];
    fifo = await captureFifo(join(dir, 'b.fifo'), RATE);
    const a = await startDevice(ha, { name: 'dev-a', deviceId: '00000a4d0000004a', stateDir: join(dir, 'a'), tx: CH, rx: 2 });
    const b = await startDevice(hb, { name: 'dev-b', deviceId: '00000a4d0000004b', stateDir: join(dir, 'b'), tx: 2, rx: CH, rxLatencyNs: 20_000_000, sink: `fifo:${join(dir, 'b.fifo')}` });
    devs.push(a, b);
    await arc(ha, hb, 'subscribe', Array.from({ length: CH }, (_, i) => [i + 1, txName(i + 1), 'dev-a']));
    await waitFor(async () => ((await b.status())?.receive?.subscriptions?.filter((x: { status: number }) => (x.status & 0xffff) === 9).length === CH ? true : undefined), 20000);
    await sleep(500);
    const from = mediaNow(RATE);

    const pid = b.proc.proc.pid!;
    for (let i = 0; i < READER_PAUSES_MS.length; i++) {
      await fifo.pauseFor(READER_PAUSES_MS[i]!);
      await sleep(GAP_MS);
      process.kill(pid, 'SIGSTOP');
      stoppedPid = pid;
      await sleep(DEVICE_STOPS_MS[i]!);
      process.kill(pid, 'SIGCONT');
      stoppedPid = undefined;
      await sleep(GAP_MS);
    }
    await sleep(1500);
    const st = await b.status();
    await b.proc.stop();
    await fifo.closed;

    const rx = st.receive;
    const perChannel = rx.channels.map((c: { missingFrames: number; zeroFilled: number }) => c.missingFrames + c.zeroFilled);
    const sum = checkCapture(fifo.samples(), Array.from({ length: CH }, (_, i) => i + 1), { bits: 24, t0: rx.firstFrameMediaTime, from });
    const c = st.counters.receive;
    t.log(`B: ${sum.frames} frames, samples checked ${sum.checked}, mismatches ${sum.mismatches}, zeros ${sum.dropouts} (counted ${perChannel.reduce((x: number, y: number) => x + y, 0)} over ${CH} channels by the last status); lost packets ${rx.lostPackets} late ${rx.latePackets}; sink stalls ${c.deliveryStalls}, delivery deferred ${c.deliveryDeferrals} turns, blocks dropped ${c.deliveryBlocksDropped} skipped ${c.deliverySkippedFrames}`);
    // The pauses are this test's, not a transmitter's: every zero must be one B counted.
    assertCapture(t, 'B', sum, { counted: { perChannel, until: rx.deliveredToMediaTime } }, from);
    t.true(c.deliveryStalls > 0, 'the slow reader held up the sink');
    t.is(c.deliveryBlocksDropped, 0, 'no block dropped');
    t.is(c.deliverySkippedFrames, 0, 'no frame skipped');
  } finally {
    if (stoppedPid) try { process.kill(stoppedPid, 'SIGCONT'); } catch { /* gone */ }
    fifo?.stop();
    await Promise.all(devs.map((d) => d.proc.stop()));
    stopFetchers();
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
