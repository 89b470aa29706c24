// A minimal Dante receiver for transmit tests, run inside a namespace host:
//   node tx-receiver.js '<json scenario>'
// It requests flows from a transmitter (0x0100), receives their audio, sends keepalives, checks
// every sample against the pattern for its media time, and prints one JSON result line.
import dgram from 'node:dgram';
import {
  decodeReply,
  encodeFlowRequest,
  encodeStop,
  KEEPALIVE,
  type FlowHandle,
  type FlowReply,
} from '../../dist/core/flows/index.js';
import { audioMediaTime, decodeAudioSamples, type BytesPerSample } from '../../dist/core/audio/index.js';
import { patternSample } from '../../dist/core/pattern.js';
import { mediaTimeFromSplit } from '../../dist/core/media-time.js';
import { loadNative } from '../../dist/native/index.js';

export interface FlowAsk {
  bits: number;
  fpp: number;
  channels: number[];
  rate?: number;
  /** Reuse this receiver socket index (flow reuse checks). */
  socket?: number;
}

export interface Scenario {
  device: string;
  flowsPort: number;
  rate: number;
  /** 'stream': receive for seconds with keepalives, then stop (0x0101) and time the silence.
   *  'expire': keepalives for keepaliveSeconds, then none; time until packets stop.
   *  'requests': only send the requests and report the replies. */
  mode: 'stream' | 'expire' | 'requests';
  flows: FlowAsk[];
  seconds?: number;
  keepaliveSeconds?: number;
  /** Check samples against the pattern. */
  pattern?: boolean;
  /** Check that every sample is zero (digital silence). */
  silence?: boolean;
}

export interface FlowOutcome {
  status: number;
  handle?: FlowHandle;
  port: number;
  packets: number;
  badLength: number;
  gaps: number;
  mismatches: number;
  firstMismatch?: string;
  /** Arrival media time − header timestamp, µs. */
  arrivalP50Us: number;
  arrivalP99Us: number;
  arrivalMaxUs: number;
  arrivalMinUs: number;
  /** 'requests' mode, first flow: reply status of a stop with an unknown handle. */
  unknownStopStatus?: number;
  /** Stop reply status and ms from sending the stop (or the last keepalive) to the last packet. */
  stopStatus?: number;
  silentAfterMs?: number;
}

const native = loadNative();
const CLOCK_TAI = 11;
const tai = new Float64Array(2);

function nowMedia(rate: number): number {
  native.clockReadInto(CLOCK_TAI, tai, 0);
  return mediaTimeFromSplit(tai[0]!, tai[1]!, rate);
}

async function bindSocket(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '0.0.0.0', () => r()));
  return s;
}

let txn = 100;
async function control(dev: string, port: number, msg: Buffer, expectTxn: number): Promise<FlowReply> {
  const s = await bindSocket();
  try {
    return await new Promise<FlowReply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply within 3 s')), 3000);
      s.on('message', (m) => {
        const r = decodeReply(m);
        if (r.transactionId !== expectTxn) return;
        clearTimeout(timer);
        resolve(r);
      });
      s.send(msg, port, dev);
    });
  } finally {
    s.close();
  }
}

function percentile(v: number[], q: number): number {
  if (!v.length) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function main(): Promise<void> {
  const sc = JSON.parse(process.argv[2]!) as Scenario;
  const sockets: dgram.Socket[] = [];
  const outcomes: FlowOutcome[] = [];
  const arrivals: number[][] = [];
  const lastPacketAt: number[] = [];
  const senders: { address: string; port: number }[] = [];
  const prevT: number[] = [];
  for (let i = 0; i < sc.flows.length; i++) {
    const ask = sc.flows[i]!;
    const sock = ask.socket !== undefined ? sockets[ask.socket]! : await bindSocket();
    if (ask.socket === undefined) sockets.push(sock);
    const id = ++txn;
    const req = encodeFlowRequest({
      transactionId: id, receiverName: 'tx-test', flowName: `${i + 1}_0`, sampleRate: ask.rate ?? sc.rate,
      bitsPerSample: ask.bits, channels: ask.channels, framesPerPacket: ask.fpp,
      receiverIp: process.env.TX_TEST_IP!, receiverPort: sock.address().port,
    });
    const reply = await control(sc.device, sc.flowsPort, req, id);
    const o: FlowOutcome = { status: reply.status, port: sock.address().port, packets: 0, badLength: 0, gaps: 0, mismatches: 0, arrivalP50Us: NaN, arrivalP99Us: NaN, arrivalMaxUs: NaN, arrivalMinUs: NaN };
    if (reply.handle) o.handle = reply.handle;
    outcomes.push(o);
    arrivals.push([]);
    lastPacketAt.push(0);
    prevT.push(NaN);
    senders.push({ address: '', port: 0 });
    if (sc.mode === 'requests' || ask.socket !== undefined) continue;
    const bytes = (ask.bits / 8) as BytesPerSample;
    const n = ask.channels.length;
    const dest = ask.channels.map(() => new Int32Array(256));
    sock.on('message', (m, rinfo) => {
      const arrival = nowMedia(sc.rate);
      const t = audioMediaTime(m, sc.rate);
      senders[i] = { address: rinfo.address, port: rinfo.port };
      lastPacketAt[i] = Date.now();
      o.packets++;
      if (m.length !== 9 + ask.fpp * n * bytes) {
        o.badLength++;
        return;
      }
      if (prevT[i] === prevT[i] && t !== prevT[i]! + ask.fpp) o.gaps++;
      prevT[i] = t;
      arrivals[i]!.push(((arrival - t) * 1e6) / sc.rate);
      if (!sc.pattern && !sc.silence) return;
      decodeAudioSamples(m, bytes, n, dest);
      for (let s = 0; s < n; s++) {
        const ch = ask.channels[s]!;
        for (let f = 0; f < ask.fpp; f++) {
          const want = ch === 0 || sc.silence ? 0 : patternSample(ch, t + f, ask.bits);
          if (dest[s]![f] !== want) {
            o.mismatches++;
            o.firstMismatch ??= `slot ${s} ch ${ch} t ${t + f}: got ${dest[s]![f]} want ${want}`;
          }
        }
      }
    });
  }
  if (sc.mode !== 'requests') {
    const keepUntil = Date.now() + 1000 * (sc.mode === 'expire' ? sc.keepaliveSeconds ?? 1 : sc.seconds ?? 5);
    while (Date.now() < keepUntil) {
      sockets.forEach((s, i) => senders[i]?.port && s.send(KEEPALIVE, senders[i]!.port, senders[i]!.address));
      await new Promise((r) => setTimeout(r, 250));
    }
    const stoppedAt = Date.now();
    if (sc.mode === 'stream') {
      for (const o of outcomes) {
        if (!o.handle) continue;
        const id = ++txn;
        o.stopStatus = (await control(sc.device, sc.flowsPort, encodeStop({ transactionId: id, handle: o.handle }), id)).status;
      }
    }
    // Wait for silence (expiry takes 4 s) and report when the last packet came.
    const quietMs = 1500;
    const deadline = Date.now() + (sc.mode === 'expire' ? 8000 : 4000);
    while (Date.now() < deadline && lastPacketAt.some((t) => Date.now() - t < quietMs)) await new Promise((r) => setTimeout(r, 100));
    outcomes.forEach((o, i) => {
      o.silentAfterMs = lastPacketAt[i]! - stoppedAt;
      const a = arrivals[i]!;
      o.arrivalP50Us = percentile(a, 0.5);
      o.arrivalP99Us = percentile(a, 0.99);
      o.arrivalMaxUs = a.length ? Math.max(...a) : NaN;
      o.arrivalMinUs = a.length ? Math.min(...a) : NaN;
    });
  }
  if (sc.mode === 'requests' && outcomes[0]) {
    const id = ++txn;
    outcomes[0].unknownStopStatus = (await control(sc.device, sc.flowsPort, encodeStop({ transactionId: id, handle: { flowNumber: 99, cookie: 1 } }), id)).status;
  }
  for (const s of sockets) s.close();
  console.log(JSON.stringify(outcomes));
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(2);
});
