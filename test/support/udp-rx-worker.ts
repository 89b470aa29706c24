// A worker thread that opens a native RX flow socket, reports its port and then receives until it
// is terminated: Node must not find the socket's poll handle open when it closes the thread's loop.
import { parentPort } from 'node:worker_threads';
import { loadNative } from '../../dist/native/index.js';

const n = loadNative();
let got = 0;
const s = await n.udpReceiverOpen({ bindAddress: '127.0.0.1', port: 0, recvBufferBytes: 1 << 16 }, (_b, count) => {
  got += count;
  parentPort!.postMessage({ got });
});
parentPort!.postMessage({ native: s.native, port: s.localPort });
