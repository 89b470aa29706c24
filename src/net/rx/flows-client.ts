// Flows-control client (PROTOCOL.md §5.4): one request per fresh ephemeral socket on the device
// address, "connected" to the transmitter's flows port; waits up to 3 s for the reply with the
// same opcode and transaction id, ignoring anything else.
import { createSocket } from 'node:dgram';
import { decodeReply } from '../../core/flows/messages.js';
import type { FlowReply } from '../../core/flows/messages.js';
import type { Endpoint } from '../../core/rx/types.js';

export const FLOW_REQUEST_TIMEOUT_MS = 3000;

export function sendFlowsRequest(localIp: string, to: Endpoint, packet: Buffer, opcode: number, transactionId: number, timeoutMs = FLOW_REQUEST_TIMEOUT_MS): Promise<FlowReply | 'timeout'> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    let done = false;
    const finish = (r: FlowReply | 'timeout') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(r);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('error', () => finish('timeout'));
    socket.on('message', (msg, rinfo) => {
      if (rinfo.address !== to.ip) return;
      try {
        const reply = decodeReply(msg);
        if (reply.opcode === opcode && reply.transactionId === transactionId) finish(reply);
      } catch { /* not a flows-control reply: ignored (§5.4) */ }
    });
    socket.bind(0, localIp, () => socket.send(packet, to.port, to.ip, (err) => err && finish('timeout')));
  });
}
