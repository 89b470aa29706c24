// A minimal Dante transmitter for RX tests, run inside a namespace host:
//   node fake-transmitter.js <ip> <name> '{"channels":8,"dropEvery":0}'
// Publishes `_netaudio-chan` for its channels, answers flows control 0x0100/0x0101/0x0102, sends
// the pattern signal (patternSample of the TX channel at each media time, 24-bit) on the local
// media clock (CLOCK_TAI) to each flow, and expires flows 4 s after the last keepalive.
// dropEvery N > 0 skips every packet whose timestamp / fpp ≡ N − 1 (mod N), never a flow's first.
// Prints `published`, `flow <json>`, `update <json>`, `stop <flow number>`, `expired <n>`, and on
// SIGTERM `stats <json>` (drops counted only once a later packet was sent, i.e. detectable ones).
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { MdnsResponder } from '../../dist/net/mdns/index.js';
import { checkFlowRequest, decodeFlowRequest, decodeStop, decodeUpdate, encodeReply, FLOW_STATUS_OK, FLOW_STATUS_UNKNOWN_HANDLE, FLOWS_OPCODE_REQUEST, FLOWS_OPCODE_STOP, FLOWS_OPCODE_UPDATE } from '../../dist/core/flows/index.js';
import { decodeControlHeader } from '../../dist/core/cmc/control-header.js';
import { writeAudioHeader } from '../../dist/core/audio/index.js';
import { mediaTimeFromSplit, nextAlignedTimestamp } from '../../dist/core/media-time.js';
import { patternSample } from '../../dist/core/pattern.js';
import { loadNative, CLOCK_TAI } from '../../dist/native/index.js';
import { testDevice, txChannels } from './mdns-device.js';

const [ip, name, json] = process.argv.slice(2);
const opts = JSON.parse(json ?? '{}') as { channels?: number; dropEvery?: number };
const channelCount = opts.channels ?? 8;
const dropEvery = opts.dropEvery ?? 0;
const RATE = 48000;
const native = loadNative();
const clk = new Float64Array(2);
const mediaNow = () => {
  native.clockReadInto(CLOCK_TAI, clk, 0);
  return mediaTimeFromSplit(clk[0]!, clk[1]!, RATE);
};

interface Flow { number: number; cookie: number; socket: Socket; ip: string; port: number; channels: number[]; fpp: number; bytes: number; next: number; expiry: number; sentAny: boolean; pendingDrops: number }
const flows = new Map<number, Flow>();
const stats = { sent: 0, dropped: 0, keepalives: 0 };
let nextNumber = 0;

const control = createSocket('udp4');
control.on('message', (msg, rinfo) => {
  let h;
  try { h = decodeControlHeader(msg); } catch { return; }
  const answer = (status: number, handle?: { flowNumber: number; cookie: number }) =>
    control.send(encodeReply({ startCode: h.startCode, transactionId: h.transactionId, opcode: h.opcode, status, ...(handle ? { handle } : {}) }), rinfo.port, rinfo.address);
  if (h.opcode === FLOWS_OPCODE_REQUEST) {
    const req = decodeFlowRequest(msg);
    const st = checkFlowRequest(req, { sampleRate: RATE, txChannelCount: channelCount });
    if (st !== FLOW_STATUS_OK) return answer(st);
    const socket = createSocket('udp4');
    const f: Flow = { number: nextNumber++ % 32, cookie: Math.floor(Math.random() * 65536), socket, ip: req.receiverIp, port: req.receiverPort, channels: req.channels, fpp: req.framesPerPacket, bytes: req.bitsPerSample / 8, next: nextAlignedTimestamp(mediaNow(), req.framesPerPacket), expiry: Date.now() + 4000, sentAny: false, pendingDrops: 0 };
    socket.on('message', () => { f.expiry = Date.now() + 4000; stats.keepalives++; });
    socket.bind(0, ip, () => {
      flows.set(f.number, f);
      process.stdout.write(`flow ${JSON.stringify({ number: f.number, to: `${f.ip}:${f.port}`, channels: f.channels, fpp: f.fpp, bits: req.bitsPerSample })}\n`);
      answer(FLOW_STATUS_OK, { flowNumber: f.number, cookie: f.cookie });
    });
  } else if (h.opcode === FLOWS_OPCODE_STOP) {
    const f = flows.get(decodeStop(msg).handle.flowNumber);
    if (!f) return answer(FLOW_STATUS_UNKNOWN_HANDLE);
    flows.delete(f.number);
    f.socket.close();
    process.stdout.write(`stop ${f.number}\n`);
    answer(FLOW_STATUS_OK);
  } else if (h.opcode === FLOWS_OPCODE_UPDATE) {
    const u = decodeUpdate(msg);
    const f = flows.get(u.handle.flowNumber);
    if (!f) return answer(FLOW_STATUS_UNKNOWN_HANDLE);
    f.channels = u.channels;
    process.stdout.write(`update ${JSON.stringify({ number: f.number, channels: f.channels })}\n`);
    answer(FLOW_STATUS_OK);
  }
});

function send(f: Flow): void {
  const now = mediaNow();
  while (f.next + f.fpp <= now) {
    const t = f.next;
    f.next += f.fpp;
    if (dropEvery > 0 && f.sentAny && Math.floor(t / f.fpp) % dropEvery === dropEvery - 1) {
      f.pendingDrops++;
      continue;
    }
    // A fresh buffer per packet: send() is asynchronous and must not see the next packet's bytes.
    const packet = Buffer.alloc(9 + f.fpp * f.channels.length * f.bytes);
    writeAudioHeader(packet, t, RATE);
    let o = 9;
    for (let k = 0; k < f.fpp; k++) {
      for (const ch of f.channels) {
        const v = ch > 0 ? patternSample(ch, t + k, 24) : 0;
        packet[o] = v >>> 24;
        packet[o + 1] = v >>> 16;
        packet[o + 2] = v >>> 8;
        if (f.bytes === 4) packet[o + 3] = v;
        o += f.bytes;
      }
    }
    f.socket.send(packet, 0, o, f.port, f.ip);
    f.sentAny = true;
    stats.sent++;
    stats.dropped += f.pendingDrops;
    f.pendingDrops = 0;
  }
}

const timer = setInterval(() => {
  for (const f of [...flows.values()]) {
    if (Date.now() > f.expiry) {
      flows.delete(f.number);
      f.socket.close();
      process.stdout.write(`expired ${f.number}\n`);
      continue;
    }
    send(f);
  }
}, 1);

const responder = new MdnsResponder({ interfaceIp: ip! });
responder.on('published', () => process.stdout.write('published\n'));
responder.setDevice(testDevice({ ipv4: ip!, name: name!, txChannels: txChannels(channelCount), bitDepth: 24 }));
control.bind(4455, ip, () => void responder.start());
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.stdout.write(`stats ${JSON.stringify(stats)}\n`);
  void responder.stop().then(() => process.exit(0));
});
