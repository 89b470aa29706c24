// Sends a 1 kHz tone on TX 1 and captures it back on RX 1 through the network (this device
// subscribes to itself: `.` is this device), printing how many frames arrived sample-exact.
//   node examples/loopback.mjs eth0
import { Device } from '../dist/index.js';

const bindIp = process.argv[2] ?? 'eth0';
const RATE = 48000;
const device = await Device.start({ bindIp, name: 'loopback-example', rxChannels: 1, txChannels: 1, sampleRate: RATE });
while (Number.isNaN(device.mediaTime())) await new Promise((r) => setTimeout(r, 50));

// 24-bit values (low byte zero) so a 24-bit flow carries them unchanged.
const tone = (t) => Math.round(Math.sin((2 * Math.PI * 1000 * (t % RATE)) / RATE) * 0x3fffff) * 256;
const startAt = Math.ceil(device.mediaTime() + RATE / 2);
async function* blocks(seconds) {
  for (let k = 0; k < seconds * RATE; k += 480) yield Int32Array.from({ length: 480 }, (_, i) => tone(startAt + k + i));
}
const tx = device.transmit(1, blocks(10), { startAt });
await device.subscribe(1, '01@.');

let exact = 0;
let wrong = 0;
for await (const block of device.capture({ channels: [1] })) {
  const s = block.channels[0];
  for (let i = 0; i < block.frames; i++) {
    const t = block.mediaTime + i;
    if (t < startAt || s[i] === 0) continue;
    if (s[i] === tone(t)) exact++;
    else wrong++;
  }
  if (block.mediaTime > startAt + 9 * RATE) break;
}
console.log(`frames exact ${exact}, wrong ${wrong}`, await tx.done);
await device.stop();
