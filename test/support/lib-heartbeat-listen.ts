// Joins the heartbeat group 224.0.0.233:8708 on this namespace host for `ms` milliseconds and
// prints `heartbeats {json}`: per source address, the decoded blocks of every heartbeat.
import { createSocket } from 'node:dgram';
import { decodeHeartbeat } from '../../dist/core/conmon/index.js';

const [ip, ms] = [process.argv[2]!, Number(process.argv[3] ?? 4000)];
const seen: Record<string, unknown[][]> = {};
const sock = createSocket({ type: 'udp4', reuseAddr: true });
sock.on('message', (msg, rinfo) => {
  try {
    (seen[rinfo.address] ??= []).push(decodeHeartbeat(msg).blocks);
  } catch {
    // not a heartbeat
  }
});
sock.bind(8708, '224.0.0.233', () => {
  sock.addMembership('224.0.0.233', ip);
  console.log('listening');
});
setTimeout(() => {
  sock.close();
  console.log(`heartbeats ${JSON.stringify(seen)}`);
}, ms);
