// The file feeder and the flows-control server's request handling, in-process (no sockets opened:
// FlowsServer.handle is called directly; the feeder reads a temporary file).
import test from 'ava';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOCK_TAI, ClockOverlayReader, ClockOverlayWriter, ClockState, createClockOverlayBuffer } from '../dist/core/clock-overlay.js';
import { createMediaRing, MediaRingReader } from '../dist/core/media-ring.js';
import { TxFeeder } from '../dist/audio-io/sources-feeder.js';
import { loadNative } from '../dist/native/index.js';
import { getLogger } from '../dist/log.js';
import { FlowsServer } from '../dist/net/flows-server.js';
import type { TxFlowsMessage } from '../dist/net/flows-server.js';
import { decodeReply, encodeFlowRequest, encodeStop, encodeUpdate, KEEPALIVE } from '../dist/core/flows/index.js';
import type { DeviceConfig } from '../dist/config/device-config.js';

function localClock(): SharedArrayBuffer {
  const clock = createClockOverlayBuffer();
  new ClockOverlayWriter(clock).publish({ clockId: CLOCK_TAI, state: ClockState.FreeRunning, sampleRate: 48000, lastSync: 0n, shift: 0n, freqScale: 0 });
  return clock;
}

test('file feeder writes the file\'s s32le frames at consecutive media times and loops at EOF', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'txfeed-'));
  try {
    const frames = 300;
    const data = new Int32Array(frames * 2).map((_, i) => (i + 1) * 1000);
    writeFileSync(join(dir, 'a.raw'), Buffer.from(data.buffer));
    const ring = createMediaRing({ channels: 2, capacity: 16384 });
    const feeder = new TxFeeder({ kind: 'file', path: join(dir, 'a.raw') }, ring, new ClockOverlayReader(localClock()), loadNative(), 456, getLogger('test'));
    feeder.start();
    await new Promise((r) => setTimeout(r, 300));
    feeder.stop();
    const reader = new MediaRingReader(ring);
    const st = reader.refresh();
    t.true(st.writePos - st.validFrom >= 4000, `${st.writePos - st.validFrom} frames fed`);
    // Paced: about 100 ms ahead of the clock plus the 300 ms elapsed, never far beyond.
    const start = st.writePos - feeder.counters.feederFrames;
    t.true(feeder.counters.feederFrames < 48 * 600, `${feeder.counters.feederFrames} frames`);
    const a = new Int32Array(1000);
    const b = new Int32Array(1000);
    // The reader may copy only after the writer has acknowledged it (next write), so read twice.
    reader.read(st.validFrom, 1, [a, b]);
    await new Promise((r) => setTimeout(r, 50));
    const r = reader.read(st.validFrom + 1, 1000, [a, b]);
    t.is(r.validFrames + r.pendingFrames, 1000);
    for (let i = 0; i < r.validFrames; i++) {
      const k = (st.validFrom + 1 + i - start) % frames;
      t.is(a[i], data[2 * k]);
      t.is(b[i], data[2 * k + 1]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const config = { sampleRate: 48000, txChannels: 4, processId: 0, ip: '127.0.0.1', ports: { arc: 4440, cmc: 8800, flows: 4455, info: 8700 } } as unknown as DeviceConfig;

test('FlowsServer: replies echo start code and transaction id; flow set published on change; malformed input counted', (t) => {
  const published: TxFlowsMessage[] = [];
  const srv = new FlowsServer({ config, clock: localClock(), log: getLogger('test'), publish: (m) => published.push(m) });
  const req = encodeFlowRequest({ startCode: 0x1234, transactionId: 77, receiverName: 'rx', flowName: '1_0', sampleRate: 48000, bitsPerSample: 16, channels: [1, 4], framesPerPacket: 16, receiverIp: '10.1.1.1', receiverPort: 999 });
  const reply = decodeReply(srv.handle(req)!);
  t.like(reply, { startCode: 0x1234, transactionId: 77, opcode: 0x0100, status: 1 });
  t.deepEqual(published.at(-1)!.flows.map((f) => [f.address, f.port, f.channels, f.fpp, f.bits]), [['10.1.1.1', 999, [1, 4], 16, 16]]);
  t.is(decodeReply(srv.handle(encodeUpdate({ transactionId: 78, handle: reply.handle!, channels: [2] }))!).status, 1);
  t.deepEqual(published.at(-1)!.flows[0]!.channels, [2]);
  t.is(srv.handle(KEEPALIVE), undefined);
  t.is(srv.handle(Buffer.from([1, 2, 3])), undefined);
  t.is(srv.handle(req.subarray(0, 20)), undefined);
  t.is(srv.counters.malformed, 2);
  const bad = Buffer.from(req);
  bad.writeUInt16BE(0xfff0, 24); // address pointer past the end
  t.is(srv.handle(bad), undefined);
  t.is(srv.counters.malformed, 3);
  t.is(decodeReply(srv.handle(encodeStop({ transactionId: 79, handle: reply.handle! }))!).status, 1);
  t.deepEqual(published.at(-1)!.flows, []);
  // Every datagram is accounted for: answered, malformed or ignored (the stray keepalive).
  const c = srv.counters;
  t.like(c, { packets: 7, replies: 3, malformed: 3, ignored: 1 });
  t.is(c.packets, c.replies + c.malformed + c.ignored);
  t.like(srv.flatCounters(), { 'flows.packets': 7, 'flows.replies': 3, 'flows.drop.malformed': 3, 'flows.drop.ignored': 1 });
});

test('FlowsServer multicast: accepted ids at once, redraw on a group in use, published and listed', async (t) => {
  const published: TxFlowsMessage[] = [];
  const checked: string[] = [];
  const bundles: unknown[] = [];
  const srv = new FlowsServer({
    config, clock: localClock(), log: getLogger('test'), publish: (m) => published.push(m),
    isMulticastGroupInUse: async (g) => (checked.push(g), checked.length === 1),
    onBundlesChanged: (b) => bundles.push(b),
  });
  t.deepEqual(srv.createMulticastFlows([{ id: 3, channels: [1, 2] }, { id: 40, channels: [1] }, { id: 4, channels: [9] }]), [3]);
  await new Promise((r) => setTimeout(r, 20));
  t.is(checked.length, 2);
  t.not(checked[0], checked[1]);
  const spec = published.at(-1)!.flows[0]!;
  t.like(spec, { id: 3, multicast: true, address: checked[1], port: 4321, fpp: 32, bits: 24, channels: [1, 2] });
  t.deepEqual(bundles.at(-1), [{ id: 3, group: checked[1], port: 4321, channels: [1, 2] }]);
  t.like(srv.txFlowRecords()[0], { id: 3, multicast: true, localFlowName: '3_0' });
  t.deepEqual(srv.deleteMulticastFlows([3, 5]), [3]);
  t.deepEqual(published.at(-1)!.flows, []);
  t.deepEqual(bundles.at(-1), []);
});
