// One side of the PTP-socket round trip, run inside a namespace by test/native-ptp.test.ts:
//   node native-ptp-peer.js responder|initiator <ownAddress>
// Both join 224.0.1.129 on port 319 (the PTP event port). The initiator multicasts one message with
// a TX timestamp request; the responder answers by unicast. Each prints one JSON line with its
// timestamps (bigints as strings) and the CLOCK_REALTIME readings around them. Uses loadNative(), so
// INFERNO_NATIVE=0 runs the fallback.
import { loadNative, nativeStatus } from '../../dist/native/index.js';

const GROUP = '224.0.1.129';
const PORT = 319;

async function main(): Promise<void> {
  const [role, own] = process.argv.slice(2);
  if ((role !== 'responder' && role !== 'initiator') || !own) throw new Error('usage: responder|initiator <address>');
  const n = loadNative();
  const sock = await n.ptpSocketOpen({ bindAddress: '0.0.0.0', port: PORT, multicastGroup: GROUP, interfaceAddress: own, hardware: true });
  const out: Record<string, unknown> = { native: nativeStatus().loaded, info: sock.info() };
  const now = (): string => n.clockNs(n.CLOCK_REALTIME).toString();
  try {
    if (role === 'responder') {
      process.stdout.write('ready\n');
      const m = await sock.recv(5000);
      out.afterRx = now();
      if (!m) throw new Error('responder: nothing received');
      out.rx = { ts: m.timestampNs.toString(), kind: m.timestampKind, data: m.data.toString(), from: m.address };
      const s = await sock.send(Buffer.from('reply'), m.address, PORT, { wantTxTimestamp: true });
      out.tx = { ts: s.txTimestampNs?.toString() ?? null, kind: s.txTimestampKind };
    } else {
      out.beforeTx = now();
      const s = await sock.send(Buffer.from('sync'), GROUP, PORT, { wantTxTimestamp: true });
      out.afterTx = now();
      out.tx = { ts: s.txTimestampNs?.toString() ?? null, kind: s.txTimestampKind };
      const m = await sock.recv(5000);
      out.afterRx = now();
      if (!m) throw new Error('initiator: no reply');
      out.rx = { ts: m.timestampNs.toString(), kind: m.timestampKind, data: m.data.toString(), from: m.address };
    }
  } finally {
    sock.close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
