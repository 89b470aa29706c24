import test from 'ava';
import { hex } from '../dist/core/bytes.js';
import {
  BLOCK_CLOCK,
  BLOCK_LATE_PACKETS,
  BLOCK_LEVELS,
  BLOCK_RECEIVE_LATENCY,
  BLOCK_UTILISATION,
  buildHeartbeats,
  ConmonSequence,
  decodeHeartbeat,
  levelByte,
  levelFromInt32Peak,
  levelsBlock,
} from '../dist/core/conmon/index.js';
import { readFixture } from './support/fixture-files.js';

const base = { processId: 0, deviceId: hex('0000 0a00 0001 0000') };

test('§12.8 heartbeat without clock is byte-exact (empty content)', (t) => {
  const out = buildHeartbeats(base, new ConmonSequence(10), 1, 'single');
  t.deepEqual(out, [hex('fffe 0020 000a 0000 0000 0a00 0001 0000 4175 6469 6e61 7465 0008 0001 1000 0000')]);
  // Levels alone do not make content: without a clock v0.5 sends nothing.
  t.is(buildHeartbeats({ ...base, levels: { tx: [0], rx: [] } }, new ConmonSequence(1), 1, 'single')[0]!.length, 32);
});

test('§12.8 heartbeat with clock and receive latency is byte-exact', (t) => {
  const latencies = new Array<number>(32).fill(0);
  latencies[0] = 300;
  const [pkt, ...rest] = buildHeartbeats(
    { ...base, clock: { frequencyOffsetPpb: 1500 }, receiveLatency: { sampleRate: 48000, maxLatencySamples: latencies } },
    new ConmonSequence(9),
    1,
    'single',
  );
  t.is(rest.length, 0);
  const expected = Buffer.concat([
    hex(`fffe 00c8 0009 0000 0000 0a00 0001 0000 4175 6469 6e61 7465 0008 0001 1000 0000
         0010 8001 0004 0004 0009 0000 0000 05dc 0098 8003 0004 008c 0009 0000 0020 0000
         0018 0000 0000 bb80 0000 012c 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000`),
    Buffer.alloc(104),
  ]);
  t.deepEqual(pkt, expected);
  // A shorter latency list is zero-padded to the 32 slots.
  const short = buildHeartbeats(
    { ...base, clock: { frequencyOffsetPpb: 1500 }, receiveLatency: { sampleRate: 48000, maxLatencySamples: [300] } },
    new ConmonSequence(9),
    1,
    'single',
  );
  t.deepEqual(short[0], expected);
});

test('§12.8 0x8002 block and level bytes', (t) => {
  const levels = {
    tx: [levelByte(1), levelByte(10 ** (-6 / 20))],
    rx: [levelByte(0), levelByte(0.1)],
  };
  t.deepEqual(levelsBlock(9, levels), hex('001c 8002 0004 0010 0009 0000 0002 0000 0002 0000 0018 0000 000c ff28'));
  t.is(levelFromInt32Peak(-0x80000000), 0);
  t.is(levelFromInt32Peak(0x40000000), 12);
  t.is(levelFromInt32Peak(0), 255);
  t.is(levelFromInt32Peak(1), 255);
  t.is(levelByte(2), 0);
});

test('single heartbeat orders 0x8001, 0x8002, 0x8003 and decodes back', (t) => {
  const [pkt] = buildHeartbeats(
    { ...base, clock: { frequencyOffsetPpb: -42 }, levels: { tx: [1, 2, 3], rx: [4] }, receiveLatency: { sampleRate: 44100, maxLatencySamples: [5, 6] } },
    new ConmonSequence(77),
    1,
    'single',
  );
  const hb = decodeHeartbeat(pkt!);
  t.is(hb.header.sequence, 77);
  t.deepEqual(hb.blocks.map((b) => b.type), [BLOCK_CLOCK, BLOCK_LEVELS, BLOCK_RECEIVE_LATENCY]);
  const [clock, levels, lat] = hb.blocks;
  t.like(clock, { counter: 77, frequencyOffsetPpb: -42 });
  t.like(levels, { levels: { tx: [1, 2, 3], rx: [4] } });
  if (lat?.type !== BLOCK_RECEIVE_LATENCY) return t.fail();
  t.is(lat.sampleRate, 44100);
  t.is(lat.maxLatencySamples.length, 32);
  t.deepEqual(lat.maxLatencySamples.slice(0, 3), [5, 6, 0]);
});

test('split (legopc) shape: two datagrams, 0x8000 + 0x8001 then 0x8003 + 0x8004, counter per heartbeat', (t) => {
  const seq = new ConmonSequence(100);
  const out = buildHeartbeats(
    {
      ...base,
      clock: { frequencyOffsetPpb: 10 },
      receiveLatency: { sampleRate: 48000, maxLatencySamples: [1] },
      utilisation: { txBytesPerSecond: 1000, rxBytesPerSecond: 2000, txErrors: 0, rxErrors: 3 },
      latePackets: [0, 7],
    },
    seq,
    5,
    'split',
  );
  t.is(out.length, 2);
  const a = decodeHeartbeat(out[0]!);
  const b = decodeHeartbeat(out[1]!);
  t.deepEqual([a.header.sequence, b.header.sequence], [100, 101]);
  t.deepEqual(a.blocks.map((x) => x.type), [BLOCK_UTILISATION, BLOCK_CLOCK]);
  t.deepEqual(b.blocks.map((x) => x.type), [BLOCK_RECEIVE_LATENCY, BLOCK_LATE_PACKETS]);
  t.true([...a.blocks, ...b.blocks].every((x) => x.counter === 5));
  // 0x8000 is 36 bytes with the constant words; 0x8004 is 148 bytes (Shure size).
  t.deepEqual(out[0]!.subarray(32, 52), hex('0024 8000 0004 0018 0005 0000 0010 0000 0001 0010'));
  t.is(out[1]!.readUInt16BE(32 + 152), 148);
  t.like(a.blocks[0], { utilisation: { txBytesPerSecond: 1000, rxBytesPerSecond: 2000, txErrors: 0, rxErrors: 3 } });
  const late = b.blocks[1];
  if (late?.type !== BLOCK_LATE_PACKETS) return t.fail();
  t.deepEqual(late.latePackets.slice(0, 2), [0, 7]);
});

test('the LX-DANTE heartbeat fixture decodes (0x8003 + 0x8004, 64 slots)', (t) => {
  const hb = decodeHeartbeat(readFixture('sessions/aes67_toggle/protocol_FFFE_opcode_0000_id_4108760.bin'));
  t.is(hb.header.version, 0x0008);
  t.is(hb.header.messageType, 0x0001);
  t.deepEqual(hb.blocks.map((b) => b.type), [BLOCK_RECEIVE_LATENCY, BLOCK_LATE_PACKETS]);
  const [lat, late] = hb.blocks;
  if (lat?.type !== BLOCK_RECEIVE_LATENCY || late?.type !== BLOCK_LATE_PACKETS) return t.fail();
  t.is(lat.sampleRate, 48000);
  t.is(lat.maxLatencySamples.length, 64);
  t.deepEqual(lat.maxLatencySamples.slice(0, 5), [16, 17, 16, 17, 17]);
  t.is(late.latePackets.length, 64);
  t.deepEqual(late.latePackets.slice(0, 4), [1746, 0, 1985, 0]);
});

test('heartbeat decoder rejects bad block sizes', (t) => {
  const [pkt] = buildHeartbeats({ ...base, clock: { frequencyOffsetPpb: 1 } }, new ConmonSequence(1), 1, 'single');
  const bad = Buffer.from(pkt!);
  bad.writeUInt16BE(4, 32);
  t.throws(() => decodeHeartbeat(bad), { message: /bad-block-size/ });
  bad.writeUInt16BE(40, 32);
  t.throws(() => decodeHeartbeat(bad), { message: /truncated/ });
  t.throws(() => buildHeartbeats({ ...base, clock: { frequencyOffsetPpb: 0 }, receiveLatency: { sampleRate: 48000, maxLatencySamples: new Array(33).fill(0) } }, new ConmonSequence(), 1), { instanceOf: RangeError });
});
