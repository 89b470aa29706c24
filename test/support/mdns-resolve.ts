// Runs our browser inside a test namespace and prints one JSON line:
//   node mdns-resolve.js <interface ip> devices
//   node mdns-resolve.js <interface ip> channel '<channel>@<device>'
//   node mdns-resolve.js <interface ip> browse <service type>
import { MdnsBrowser } from '../../dist/net/mdns/index.js';

const [ip, mode, arg] = process.argv.slice(2);
if (!ip || !mode) {
  process.stderr.write('usage: mdns-resolve <interface ip> devices|channel|browse [arg]\n');
  process.exit(2);
}
const browser = new MdnsBrowser({ interfaceIp: ip });
await browser.start();
let result: unknown;
try {
  if (mode === 'devices') result = await browser.listDevices(1500);
  else if (mode === 'channel') result = await browser.resolveChannel(arg ?? '', 2000);
  else result = await browser.browse(arg ?? '', 1500);
} catch (err) {
  result = { error: (err as Error).message };
}
process.stdout.write(JSON.stringify(result) + '\n');
await browser.stop();
