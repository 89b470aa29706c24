// A minimal ARC controller for the end-to-end tests, run inside a namespace host:
//   node e2e-arc.js IP PORT subscribe '[[rx, "ch", "dev"], ...]'   (0x3010; [rx] alone unsubscribes)
//   node e2e-arc.js IP PORT multicast '[{"id":1,"channels":[1,2]}]'  (0x2201)
//   node e2e-arc.js IP PORT remove '[1, 2]'                          (0x3014 bulk unsubscribe)
//   node e2e-arc.js IP PORT watch-flows '{"ms":3000}'                (0x2200 every 50 ms, see below)
// Prints the reply header as JSON with `sentAt` (first send) and `repliedAt` (Date.now() ms); exits 1
// on a timeout or an error status. watch-flows prints `{"ready":true}` once it has seen TX flows,
// then `{"emptyAt":…}` when the list is first empty again (or `{"emptyAt":null}` after `ms`).
import { createSocket } from 'node:dgram';
import {
  ArcOpcode,
  MULTICAST_FLOW_TYPE,
  buildSubscribeRequest,
  checkReply,
  createMulticastFlowReply,
  createMulticastFlowRequest,
  DEFAULT_CONTROLLER_PROTOCOL,
  buildRemoveSubscriptionsRequest,
  pageRequestCodec,
  txFlowsReply,
  NO_MAX_COUNT,
} from '../../dist/core/arc/index.js';

const [ip, portText, op, arg] = process.argv.slice(2) as [string, string, string, string];
const txId = Math.floor(Math.random() * 0xffff);
let packet: Buffer;
let opcode: number;
if (op === 'subscribe') {
  const records = (JSON.parse(arg) as [number, string?, string?][]).map(([rxChannel, txChannelName, txDeviceName]) => ({ rxChannel, txChannelName, txDeviceName }));
  packet = buildSubscribeRequest(txId, records);
  opcode = ArcOpcode.SUBSCRIBE;
} else if (op === 'multicast') {
  const flows = (JSON.parse(arg) as { id: number; channels: number[] }[]).map((f) => ({ ...f, type: MULTICAST_FLOW_TYPE }));
  packet = createMulticastFlowRequest.encode({ protocolId: DEFAULT_CONTROLLER_PROTOCOL, transactionId: txId, flows });
  opcode = ArcOpcode.CREATE_MULTICAST_FLOW;
} else if (op === 'remove') {
  packet = buildRemoveSubscriptionsRequest(txId, JSON.parse(arg) as number[]);
  opcode = ArcOpcode.REMOVE_SUBSCRIPTIONS;
} else if (op === 'watch-flows') {
  watchFlows((JSON.parse(arg) as { ms: number }).ms);
  packet = Buffer.alloc(0);
  opcode = 0;
} else {
  throw new Error(`unknown op ${op}`);
}

/** Polls 0x2200 page 1 until the flow list, once seen non-empty, is empty. */
function watchFlows(ms: number): never | void {
  const sock = createSocket('udp4');
  const codec = pageRequestCodec(ArcOpcode.TX_FLOWS);
  const end = Date.now() + ms;
  let seen = false;
  let id = txId;
  // Replies may come after the next poll on a loaded machine: any reply to this socket counts.
  const poll = () => {
    if (Date.now() > end) {
      process.stdout.write(JSON.stringify({ emptyAt: null }) + '\n');
      process.exit(0);
    }
    id = (id + 1) & 0xffff;
    sock.send(codec.encode({ protocolId: DEFAULT_CONTROLLER_PROTOCOL, transactionId: id, start: 1, maxCount: NO_MAX_COUNT }), Number(portText), ip);
    setTimeout(poll, 50);
  };
  sock.on('message', (msg) => {
    const at = Date.now();
    try {
      checkReply(msg, ArcOpcode.TX_FLOWS);
      const n = txFlowsReply.decode(msg).flows.length;
      if (n > 0 && !seen) {
        seen = true;
        process.stdout.write(JSON.stringify({ ready: true, flows: n }) + '\n');
      } else if (n === 0 && seen) {
        process.stdout.write(JSON.stringify({ emptyAt: at }) + '\n');
        process.exit(0);
      }
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
    }
  });
  sock.bind(0, poll);
}

const socket = createSocket('udp4');
let attempts = 0;
let sentAt = 0;
const send = () => {
  if (attempts++ >= 3) {
    process.stderr.write('timeout\n');
    process.exit(1);
  }
  sentAt ||= Date.now();
  socket.send(packet, Number(portText), ip);
  timer = setTimeout(send, 1000);
};
let timer: NodeJS.Timeout;
socket.on('message', (msg) => {
  try {
    const h = checkReply(msg, opcode, txId);
    const extra = op === 'multicast' ? { ids: createMulticastFlowReply.decode(msg).ids } : {};
    process.stdout.write(JSON.stringify({ status: h.status, ...extra, sentAt, repliedAt: Date.now() }) + '\n');
    clearTimeout(timer);
    socket.close();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
});
if (op !== 'watch-flows') socket.bind(0, send);
