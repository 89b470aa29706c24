// A recorder fed in real time by a synthetic pattern source, as its own process so tests can kill
// it or starve its disk:  node rec-child.js <path> <format> <bits> [seconds]
// Prints `fed <frames>` after each block; exits 1 with the recorder's error on a write failure.
import { Recorder, poolIo } from '../../dist/audio-io/recorder/index.js';
import { patternBlock } from './rec-tools.js';

const [path, format, bits, seconds] = process.argv.slice(2);
const RATE = 48000;
const BLOCK = 480;
const rec = new Recorder({
  path: path!, format: format as 'wav', bits: Number(bits) as 24, channels: 2, sampleRate: RATE, device: 'child',
  tracks: [{ name: 'L' }, { name: 'R' }], blockSamples: BLOCK * 2, io: poolIo(),
  onError: (err) => {
    clearInterval(timer);
    void rec.close().then(() => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    });
  },
});
let fed = 0;
const started = Date.now();
// Pace by the wall clock so the file length tracks real time.
const timer = setInterval(() => {
  while (fed + BLOCK <= ((Date.now() - started) / 1000) * RATE) {
    const b = rec.acquire();
    if (!b) return;
    b.set(patternBlock(2, fed, BLOCK));
    rec.submit(b, BLOCK * 2);
    fed += BLOCK;
    process.stdout.write(`fed ${fed}\n`);
  }
  if (seconds && fed >= Number(seconds) * RATE) {
    clearInterval(timer);
    void rec.close().then(() => process.exit(0));
  }
}, 5);
