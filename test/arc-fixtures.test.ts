// Real packets: device replies parsed by the controller side, every DC request answered by
// handleArcRequest, and a fuzz run over mutated real requests.
import test from 'ava';
import {
  ArcOpcode,
  ArcStatus,
  SUPPORTED_PROTOCOL_IDS,
  decodeHeader,
  handleArcRequest,
  parseChannelCountsReply,
  parseDeviceInfoReply,
  parseDeviceNameReply,
  parseRxChannelsReply,
  parseSetLatencyReply,
  parseSettingsReply,
  parseStatusReply,
  parseTxChannelNamesReply,
  parseTxChannelsReply,
} from '../dist/core/arc/index.js';
import { deviceWithChannels } from './support/arc-device.js';
import { sessionSamples, topLevelFixtures } from './support/fixtures.js';

const ARC_IDS = new Set([0x27ff, 0x2729, 0x2801, 0x2809]);

function isArc(data: Buffer): boolean {
  return data.length >= 10 && ARC_IDS.has(data.readUInt16BE(0));
}

function allPackets(direction: 'request' | 'response'): { name: string; data: Buffer }[] {
  const top = topLevelFixtures().filter((f) => f.direction === direction).map((f) => ({ name: f.name, data: f.data }));
  const sessions = sessionSamples()
    .filter((s) => s.direction === direction)
    .map((s) => ({ name: `${s.session}/${s.file}`, data: s.data }));
  return [...top, ...sessions].filter((p) => isArc(p.data));
}

test('every real-device ARC reply of a parsed opcode parses with sensible values', (t) => {
  const seen = new Map<number, number>();
  for (const { name, data } of allPackets('response')) {
    const h = decodeHeader(data);
    if (h.status !== ArcStatus.OK && h.status !== ArcStatus.MORE_PAGES) continue;
    const note = (): void => void seen.set(h.opcode, (seen.get(h.opcode) ?? 0) + 1);
    switch (h.opcode) {
      case ArcOpcode.DEVICE_NAME: {
        const m = parseDeviceNameReply(data, h.transactionId);
        t.regex(m.name, /^[\w-]{1,31}$/, name);
        break;
      }
      case ArcOpcode.CHANNEL_COUNTS: {
        const m = parseChannelCountsReply(data);
        t.true(m.txCount >= 1 && m.txCount <= 512 && m.rxCount >= 1 && m.rxCount <= 512, name);
        t.not(m.rxListEnabled, 0, name);
        break;
      }
      case ArcOpcode.DEVICE_INFO: {
        const m = parseDeviceInfoReply(data);
        t.regex(m.friendlyName, /^[\w-]+$/, name);
        t.regex(m.factoryName, /^[\w-]+$/, name);
        t.regex(m.boardName, /\w/, name);
        t.regex(m.revision, /^:\d+$/, name);
        t.true([0x2729, 0x2801, 0x2809].includes(m.deviceProtocolId), name);
        break;
      }
      case ArcOpcode.SETTINGS: {
        const m = parseSettingsReply(data);
        t.is(m.records.length, 23, name);
        const l = m.latency;
        t.is(l.defaultNs, 1_000_000, name);
        // An AVIO-USB reported 256 000 ns current under a 1 ms minimum (§3.9): only check plausibility.
        for (const v of [l.currentNs, l.secondNs, l.minNs, l.maxNs]) t.true(v! >= 100_000 && v! <= 50_000_000, name);
        t.true(l.minNs! < l.maxNs!, name);
        break;
      }
      case ArcOpcode.SET_LATENCY: {
        const m = parseSetLatencyReply(data);
        t.true(m.records.some((r) => r.code === 0x8205 && r.value! >= 1_000_000 && r.value! <= 5_000_000), name);
        break;
      }
      case ArcOpcode.TX_CHANNELS: {
        const m = parseTxChannelsReply(data);
        t.true(m.channels.length > 0, name);
        for (const c of m.channels) {
          t.true(c.name.length > 0 && [44100, 48000, 88200, 96000, 176400, 192000].includes(c.format.sampleRate), name);
        }
        break;
      }
      case ArcOpcode.TX_CHANNEL_NAMES: {
        const m = parseTxChannelNamesReply(data);
        for (const c of m.names) t.true(c.name.length > 0 && c.number >= 1, name);
        break;
      }
      case ArcOpcode.RX_CHANNELS: {
        const m = parseRxChannelsReply(data);
        t.true(m.channels.length > 0, name);
        for (const c of m.channels) {
          t.true(c.name.length > 0, name);
          t.is(c.txChannelName === undefined, c.txDeviceName === undefined, name);
        }
        break;
      }
      case ArcOpcode.SET_DEVICE_NAME:
      case ArcOpcode.SUBSCRIBE:
      case ArcOpcode.REMOVE_SUBSCRIPTIONS:
        parseStatusReply(data, h.opcode);
        break;
      default:
        continue;
    }
    note();
  }
  t.log('parsed replies by opcode:', Object.fromEntries([...seen].map(([k, v]) => [`0x${k.toString(16)}`, v])));
  for (const op of [0x1000, 0x1001, 0x1002, 0x1003, 0x1100, 0x1101, 0x2000, 0x2010, 0x3000, 0x3010, 0x3014]) {
    t.true((seen.get(op) ?? 0) > 0, `no fixture reply for 0x${op.toString(16)}`);
  }
});

test('known values from real replies', (t) => {
  const byName = (re: RegExp): Buffer => {
    const p = allPackets('response').find((x) => re.test(x.name));
    if (!p) throw new Error(`fixture ${re} missing`);
    return p.data;
  };
  t.like(parseChannelCountsReply(byName(/avio-bt-1_get_channel_count/)), { txCount: 2, rxCount: 1 });
  t.like(parseDeviceInfoReply(byName(/protocol_27FF_opcode_1003_id_62693/)), { friendlyName: 'avio-bt-1', boardName: 'DIOBT', deviceProtocolId: 0x2809, revision: ':800' });
  t.like(parseDeviceInfoReply(byName(/protocol_27FF_opcode_1003_id_62691/)), { friendlyName: 'lx-dante', factoryName: 'LX-DANTE-081258', boardName: 'Audinate DCM', deviceProtocolId: 0x2729 });
  const lx = parseSettingsReply(byName(/session_41.*1100_id_26985/)).latency;
  t.deepEqual(lx, { defaultNs: 1_000_000, currentNs: 150_000, secondNs: 150_000, maxNs: 21_333_334, minNs: 150_000 });
  const tx = parseTxChannelsReply(byName(/opcode_2000_id_28972/));
  t.is(tx.capacity, 32);
  t.is(tx.channels.length, 32);
  t.is(tx.status, ArcStatus.MORE_PAGES);
  const rx = parseRxChannelsReply(byName(/lx-dante_get_receivers/));
  t.is(rx.channels.length, 16);
  t.like(rx.channels[6], { number: 7, status: 0x01010009 });
});

test('every Dante Controller request in the fixtures gets a well-formed reply', (t) => {
  const device = deviceWithChannels(128, { maxRxFlows: 32 });
  const opcodes = new Map<string, number>();
  let unsupported = 0;
  for (const { name, data } of allPackets('request')) {
    const h = decodeHeader(data);
    if (!SUPPORTED_PROTOCOL_IDS.has(h.protocolId)) {
      t.is(handleArcRequest(data, device).drop, 'unknown-protocol', name);
      continue;
    }
    const key = `0x${h.protocolId.toString(16)}/0x${h.opcode.toString(16)}`;
    opcodes.set(key, (opcodes.get(key) ?? 0) + 1);
    const r = handleArcRequest(data, device);
    t.is(r.drop, undefined, name);
    const reply = r.reply!;
    t.truthy(reply, name);
    const rh = decodeHeader(reply);
    t.is(rh.protocolId, h.protocolId, name);
    t.is(rh.opcode, h.opcode, name);
    t.is(rh.transactionId, h.transactionId, name);
    t.is(rh.length, reply.length, name);
    if (rh.status === ArcStatus.UNSUPPORTED) {
      unsupported++;
      t.true([0x1004, 0x1005, 0x1006].includes(h.opcode), `${name}: only opcodes we do not implement may be unsupported`);
      t.is(reply.length, 10, name);
      continue;
    }
    t.true(rh.status === ArcStatus.OK || rh.status === ArcStatus.MORE_PAGES, `${name}: status 0x${rh.status.toString(16)}`);
    checkPointers(t, reply, name);
  }
  t.log('DC/netaudio requests answered (protocol/opcode: count):', Object.fromEntries(opcodes), 'unsupported:', unsupported);
  t.true(opcodes.size >= 10);
});

/** Every string pointer our replies carry must point inside the packet at a NUL-terminated string. */
function checkPointers(t: import('ava').ExecutionContext, reply: Buffer, name: string): void {
  const h = decodeHeader(reply);
  const strAt = (p: number): void => {
    if (p === 0) return;
    t.true(p >= 10 && p < reply.length && reply.indexOf(0, p) >= 0, `${name}: pointer ${p}`);
  };
  const n = reply.length > 11 ? reply[11]! : 0;
  switch (h.opcode) {
    case ArcOpcode.RX_CHANNELS:
      for (let i = 0; i < n; i++) for (const o of [6, 8, 10]) strAt(reply.readUInt16BE(12 + 20 * i + o));
      break;
    case ArcOpcode.TX_CHANNELS:
      for (let i = 0; i < n; i++) strAt(reply.readUInt16BE(12 + 8 * i + 6));
      break;
    case ArcOpcode.TX_CHANNEL_NAMES:
      for (let i = 0; i < n; i++) strAt(reply.readUInt16BE(12 + 6 * i + 4));
      break;
    case ArcOpcode.DEVICE_INFO:
      for (const o of [16, 18, 22, 24, 26]) strAt(reply.readUInt16BE(o));
      break;
    case ArcOpcode.SETTINGS:
    case ArcOpcode.SET_LATENCY:
      for (let i = 0; i < n; i++) {
        const code = reply.readUInt16BE(12 + 4 * i);
        const ptr = reply.readUInt16BE(14 + 4 * i);
        if (code & 0x8000) t.true(ptr >= 10 && ptr + 4 <= reply.length, `${name}: value pointer ${ptr}`);
      }
      break;
    default:
      break;
  }
}

/** xorshift32: a deterministic generator, so a failing input can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

test('10,000 mutated and truncated real requests never throw out of handleArcRequest', (t) => {
  const seeds = allPackets('request').map((p) => p.data);
  t.true(seeds.length > 0);
  const device = deviceWithChannels(8);
  const rand = rng(0x1234abcd);
  const drops = new Map<string, number>();
  let replies = 0;
  for (let i = 0; i < 10_000; i++) {
    const base = Buffer.from(seeds[Math.floor(rand() * seeds.length)]!);
    let pkt: Buffer = base;
    const kind = Math.floor(rand() * 4);
    if (kind === 0) pkt = base.subarray(0, Math.floor(rand() * base.length));
    else {
      for (let k = 1 + Math.floor(rand() * 6); k > 0; k--) pkt[Math.floor(rand() * pkt.length)] = Math.floor(rand() * 256);
      if (kind === 2) pkt = pkt.subarray(0, Math.max(0, pkt.length - 1 - Math.floor(rand() * 8)));
    }
    // Keep the length field consistent half of the time so decoding reaches the content.
    if (pkt.length >= 4 && rand() < 0.5) pkt.writeUInt16BE(pkt.length, 2);
    if (pkt.length >= 10 && rand() < 0.5) pkt.writeUInt16BE(0, 8);
    const r = handleArcRequest(pkt, device);
    t.true(r.reply !== undefined || r.drop !== undefined, `input ${pkt.toString('hex')}`);
    if (r.reply) {
      replies++;
      t.is(decodeHeader(r.reply).length, r.reply.length);
    } else drops.set(r.drop!, (drops.get(r.drop!) ?? 0) + 1);
    if (r.drop === 'internal-error') t.fail(`internal error on ${pkt.toString('hex')}`);
  }
  t.log('replies', replies, 'drops', Object.fromEntries(drops));
});
