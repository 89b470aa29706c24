// Runs one Dante mDNS responder inside a test namespace:
//   node mdns-publish.js <interface ip> '<DanteMdnsDevice JSON>'
// Prints `published <device name>` once probing succeeded and `conflict <from> <to>` on renames;
// on SIGTERM sends goodbyes, prints `stopped` and exits.
import { MdnsResponder } from '../../dist/net/mdns/index.js';
import type { DanteMdnsDevice } from '../../dist/core/mdns/index.js';

const [ip, json] = process.argv.slice(2);
if (!ip || !json) {
  process.stderr.write('usage: mdns-publish <interface ip> <device json>\n');
  process.exit(2);
}
const responder = new MdnsResponder({ interfaceIp: ip });
responder.on('published', (set) => process.stdout.write(`published ${set.deviceName}\n`));
responder.on('conflict', (c) => process.stdout.write(`conflict ${c.from} ${c.to}\n`));
responder.setDevice(JSON.parse(json) as DanteMdnsDevice);
await responder.start();
process.on('SIGTERM', () => {
  void responder.stop().then(() => {
    process.stdout.write('stopped\n');
    process.exit(0);
  });
});
