// Receiver side of the namespace test in native-udp-rx.test.ts, run inside a namespace:
//   udp-rx-peer BIND_IP GROUP PORT EXPECT
// Opens two RX flow sockets on the same group and port (SO_REUSEADDR, as two multicast flows of one
// group would), prints 'ready', waits until each has EXPECT datagrams (at most 10 s) and prints
// { native, counts, lengths, sources } as one JSON line. INFERNO_NATIVE=0 selects dgram.
import { loadNative } from '../../dist/native/index.js';
import { numberToIpv4 } from '../../dist/native/udp-receiver.js';
import type { RxBatch } from '../../dist/native/index.js';

const [bind, group, port, expect] = process.argv.slice(2) as [string, string, string, string];
const n = loadNative();
const counts = [0, 0];
const lengths = new Set<number>();
const sources = new Set<string>();
const handler = (k: number) => (batch: RxBatch, count: number): void => {
  for (let i = 0; i < count; i++) {
    lengths.add(batch.meta[i * 4]!);
    sources.add(`${numberToIpv4(batch.meta[i * 4 + 1]!)}:${batch.meta[i * 4 + 2]}`);
  }
  counts[k]! += count;
};
const opts = { bindAddress: bind, port: Number(port), multicastGroup: group, recvBufferBytes: 1 << 20 };
const sockets = [await n.udpReceiverOpen(opts, handler(0)), await n.udpReceiverOpen(opts, handler(1))];
console.log('ready');
const end = Date.now() + 10_000;
while (Date.now() < end && counts.some((c) => c < Number(expect))) await new Promise((r) => setTimeout(r, 20));
// A moment more: nothing beyond EXPECT may arrive.
await new Promise((r) => setTimeout(r, 200));
console.log(JSON.stringify({ native: sockets.map((s) => s.native), counts, lengths: [...lengths], sources: [...sources] }));
for (const s of sockets) s.close();
