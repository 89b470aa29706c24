// A minimal ARC controller for the end-to-end tests, run inside a namespace host:
//   node e2e-arc.js IP PORT subscribe '[[rx, "ch", "dev"], ...]'   (0x3010; [rx] alone unsubscribes)
//   node e2e-arc.js IP PORT multicast '[{"id":1,"channels":[1,2]}]'  (0x2201)
// Prints the reply header as JSON; exits 1 on a timeout or an error status.
import { createSocket } from 'node:dgram';
import {
  ArcOpcode,
  MULTICAST_FLOW_TYPE,
  buildSubscribeRequest,
  checkReply,
  createMulticastFlowReply,
  createMulticastFlowRequest,
  DEFAULT_CONTROLLER_PROTOCOL,
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
} else {
  throw new Error(`unknown op ${op}`);
}

const socket = createSocket('udp4');
let attempts = 0;
const send = () => {
  if (attempts++ >= 3) {
    process.stderr.write('timeout\n');
    process.exit(1);
  }
  socket.send(packet, Number(portText), ip);
  timer = setTimeout(send, 1000);
};
let timer: NodeJS.Timeout;
socket.on('message', (msg) => {
  try {
    const h = checkReply(msg, opcode, txId);
    const extra = op === 'multicast' ? { ids: createMulticastFlowReply.decode(msg).ids } : {};
    process.stdout.write(JSON.stringify({ status: h.status, ...extra }) + '\n');
    clearTimeout(timer);
    socket.close();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
});
socket.bind(0, send);
