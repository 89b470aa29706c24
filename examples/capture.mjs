// Capture two received channels and print their peak level once a second.
//   node examples/capture.mjs eth0 'TX 1@some-device' 'TX 2@some-device'
// (Build first with `npm run build`; in an application import from 'inferno-aoip'.)
import { Device } from '../dist/index.js';

const [bindIp = 'eth0', src1 = '01@inferno-tx', src2 = '02@inferno-tx'] = process.argv.slice(2);
const device = await Device.start({ bindIp, name: 'capture-example', rxChannels: 2, txChannels: 1 });
device.on('clock', (c) => console.log('clock', c.state, c.leaderId ?? ''));
device.on('subscription', (s) => console.log(`RX ${s.rx} ← ${s.txChannel}@${s.txDevice}: status 0x${s.status.toString(16)}`));
device.on('overflow', (o) => console.warn(`capture fell behind: dropped ${o.frames} frames at ${o.mediaTime}`));
await device.subscribe(1, src1);
await device.subscribe(2, src2);
process.once('SIGINT', () => void device.stop());

let peak = [0, 0];
let next = Date.now() + 1000;
for await (const block of device.capture({ channels: [1, 2], framesPerBlock: 480 })) {
  block.channels.forEach((samples, c) => {
    for (const v of samples) peak[c] = Math.max(peak[c], Math.abs(v));
  });
  if (Date.now() >= next) {
    console.log(peak.map((p) => (p ? (20 * Math.log10(p / 2 ** 31)).toFixed(1) : '-inf') + ' dBFS').join('  '));
    peak = [0, 0];
    next += 1000;
  }
}
