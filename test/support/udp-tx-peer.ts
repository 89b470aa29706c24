// Sender side of the namespace test in native-udp.test.ts, run inside a namespace:
//   udp-tx-peer BIND_IP DEST_IP PORT MULTICAST_IF|'' BATCHES PER_BATCH LENGTH
// Sends BATCHES batches of PER_BATCH packets (1 ms apart), collects keepalives for a moment, and
// prints { native, localPort, sent, heard, errors } as one JSON line. INFERNO_NATIVE=0 selects dgram.
import { loadNative } from '../../dist/native/index.js';

const [bind, address, port, iface, batches, perBatch, length] = process.argv.slice(2) as [string, string, string, string, string, string, string];
const n = loadNative();
const s = await n.udpSenderOpen({ bindAddress: bind, address, port: Number(port), ...(iface ? { multicastInterface: iface } : {}) });
const len = Number(length);
const per = Number(perBatch);
const buf = Buffer.alloc(len * per, 0x5a);
let sent = 0;
let heard = 0;
for (let b = 0; b < Number(batches); b++) {
  sent += s.send(buf, len, per);
  await new Promise((r) => setTimeout(r, 1));
  heard += s.received();
}
const end = Date.now() + 1500;
while (Date.now() < end && !(iface === '' && heard >= sent)) {
  await new Promise((r) => setTimeout(r, 20));
  heard += s.received();
}
console.log(JSON.stringify({ native: s.native, localPort: s.localPort, sent, heard, errors: s.errors }));
s.close();
