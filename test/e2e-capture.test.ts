// End to end into a file: `inferno capture --format wav` subscribes to a real device A sending
// `--tx-source pattern` on another namespace host. Frame k of the file is at media time
// `firstFrameMediaTime + k` (from the capture summary); from the first sound on (plus settling)
// every sample must be the pattern for that media time, and sox and ffprobe must read the file.
// Zero samples are allowed only where the transmitter counted a stall, and the receiver counted them
// (see tx-stalls.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import type { LanHost } from './support/netns.js';
import { mainJs, withPrivateState } from './support/inferno-process.js';
import { startDevice, stopFetchers } from './support/e2e-devices.js';
import type { E2eDevice } from './support/e2e-devices.js';
import { assertCapture, checkCapture } from './support/capture-check.js';
import { ffprobe, soxInfo, soxSamples } from './support/rec-tools.js';
import { parseTake } from './support/rec-parse.js';
import { watchTxStalls } from './support/tx-stalls.js';

const test = interop({ root: true, commands: ['ip', 'sox', 'ffprobe'] });
const RATE = 48000;
/** Frames after the first sound that are not checked for dropouts (subscription start-up). */
const SETTLE_FRAMES = RATE / 2;
const DURATION_S = 7;
const LATENCY_NS = 40_000_000;

test.serial('inferno capture --format wav from a real pattern transmitter: the file is the pattern, sample-exact', async (t) => {
  t.timeout(90_000);
  const lan = createLan(2, { tag: 'cfcap', subnet: '10.79.3' });
  const dir = mkdtempSync(join(tmpdir(), 'e2e-cap-'));
  const devs: E2eDevice[] = [];
  try {
    const [ha, hb] = lan.hosts as [LanHost, LanHost];
    // A transmitter that falls behind by more than its TX latency skips ahead (counted as
    // `rebootstraps`): on this loaded machine even SCHED_FIFO senders stall for over 10 ms, so it
    // may catch up for as long as the receiver waits (the RX latency).
    const a = await startDevice(ha, { name: 'dev-a', deviceId: '00000a4d000000ca', stateDir: dir, tx: 4, rate: RATE, extra: ['--tx-latency-ns', String(LATENCY_NS)] });
    devs.push(a);
    const stalls = await watchTxStalls(a, { rate: RATE, txLatencyNs: LATENCY_NS, rxLatencyNs: LATENCY_NS });
    const out = join(dir, 'take.wav');
    // An earlier take at the same path: the run replaces it (truncated once, then written).
    writeFileSync(out, 'an old take');
    const state = withPrivateState([]);
    const cap = hb.spawn(process.execPath, [mainJs, 'capture', ...state.args, '--bind-ip', 'eth0', '--name', 'cap', '-n', '2', '-o', out, '--format', 'wav', '--bits', '24',
      '--subscribe', '1=01@dev-a', '--subscribe', '2=03@dev-a', '--rx-latency-ns', String(LATENCY_NS), '--duration', String(DURATION_S), '--quiet', '--clock', 'local',
      // Its receive worker at SCHED_FIFO, like the devices' transmitters: on a loaded 2-core machine a
      // CFS-scheduled receiver stalls long enough to lose packets (counted as lost/late in the summary).
      ...(process.env.E2E_NORT ? [] : ['--realtime', 'true'])]);
    let capErr = '';
    cap.stderr!.setEncoding('utf8').on('data', (d: string) => (capErr += d));
    const code = await new Promise<number | null>((r) => cap.once('exit', (c) => r(c)));
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
    const stallWindows = await stalls.stop();
    const ast = await a.status();
    t.is(code, 0, capErr);
    const line = capErr.split('\n').find((l) => l.startsWith('capture summary '));
    t.truthy(line, capErr);
    const summary = JSON.parse(line!.slice('capture summary '.length)) as {
      firstFrameMediaTime: number; lostPackets: number; latePackets: number; channels: { missingFrames: number }[];
      recorder: { droppedFrames: number; framesRecorded: number; files: string[] }; realtime: string;
    };
    t.is(summary.realtime, process.env.E2E_NORT ? 'off' : 'SCHED_FIFO');
    t.deepEqual(summary.recorder.files, [out], 'the old take was replaced, not continued');
    t.is(summary.recorder.droppedFrames, 0, 'the recorder kept up');

    // Readers agree on the format; the file carries the subscribed channel names.
    const info = soxInfo(out);
    t.like(info, { channels: 2, rate: RATE, bits: 24 });
    const probe = ffprobe(out);
    t.like(probe.streams[0], { channels: 2, sample_rate: String(RATE), bits_per_sample: 24 });
    t.deepEqual(parseTake(out).trackNames, ['01', '03']);

    const s = soxSamples(out);
    const frames = s.length / 2;
    t.is(info.samples, frames);
    t.true(frames >= summary.recorder.framesRecorded, `${frames} frames in the file, ${summary.recorder.framesRecorded} recorded`);
    const t0 = summary.firstFrameMediaTime;
    const TX_OF = [1, 3];
    const first = Math.max(...checkCapture(s, TX_OF, { bits: 24, t0 }).channels.map((c) => c.first));
    // Settled part only: zeros there are dropouts.
    const c = checkCapture(s, TX_OF, { bits: 24, t0, from: t0 + first + SETTLE_FRAMES });
    const checked = c.channels[0]!.checked;
    t.log(`file ${frames} frames, first sound at frame ${first}, ${checked} settled frames × 2 channels checked: mismatches ${c.mismatches}, dropouts ${c.dropouts} (A stall windows ${stallWindows.length}, rebootstraps ${ast.counters.transmit.rebootstraps}, lateness ${JSON.stringify(ast.transmit.lateness)}); lost ${summary.lostPackets} late ${summary.latePackets} ${JSON.stringify(summary.channels)}`);
    // The pattern arrived on both channels at the media time the summary gives; no wrong sample; a
    // dropout only while A counted a stall (machine load on the sender), and counted as missing by
    // the receiver; any other means the receive path lost audio.
    assertCapture(t, 'file', c, { counted: { perChannel: summary.channels.map((x) => x.missingFrames) }, stalls: [stallWindows, stallWindows] }, t0);
    t.true(checked >= 2 * RATE, `${checked} frames checked after settling`);
  } finally {
    await Promise.all(devs.map((d) => d.proc.stop()));
    stopFetchers();
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
