// Hostile PTP traffic for the robustness test, run inside a namespace host on the leader's LAN:
//   node ptp-attacker.js <1|2> <ownAddress>
// Listens for one genuine two-step Sync + Follow_Up pair from the leader, then sends, 300 ms apart:
// truncated datagrams, wrong versions, random bytes, a forged pair with an absurd time, a forged
// pair whose time jumps by seconds once (the leader's identity, a fresh sequence id), and a
// Follow_Up with nanoseconds out of range. Prints {"sent": n} when done.
import dgram from 'node:dgram';

const GROUP = '224.0.1.129';
const [versionArg, own] = process.argv.slice(2);
const v1 = versionArg === '1';

function open(port: number): Promise<dgram.Socket> {
  return new Promise((resolve) => {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    s.bind(port, () => {
      s.addMembership(GROUP, own);
      s.setMulticastInterface(own!);
      s.setMulticastTTL(1);
      s.setMulticastLoopback(false);
      resolve(s);
    });
  });
}

const seqOf = (b: Buffer): number => (b.length >= 32 ? b.readUInt16BE(30) : -1);
const isSync = (b: Buffer): boolean => b.length >= 44 && (v1 ? b[0] === 0 && b[1] === 1 && b[20] === 1 && b[32] === 0 : (b[0]! & 0x0f) === 0 && (b[1]! & 0x0f) === 2);
const isFollowUp = (b: Buffer): boolean => b.length >= 44 && (v1 ? b[0] === 0 && b[1] === 1 && b[32] === 2 : (b[0]! & 0x0f) === 8 && (b[1]! & 0x0f) === 2);
/** Follow_Up seconds field: v1 u32 at 44, v2 u48 at 34 (high u16 + low u32). */
function shiftSeconds(f: Buffer, by: number): void {
  if (v1) f.writeUInt32BE((f.readUInt32BE(44) + by) >>> 0, 44);
  else {
    const s = f.readUInt16BE(34) * 2 ** 32 + f.readUInt32BE(36) + by;
    f.writeUInt16BE(Math.floor(s / 2 ** 32) & 0xffff, 34);
    f.writeUInt32BE(s % 2 ** 32, 36);
  }
}
function setSeq(b: Buffer, seq: number, followUp: boolean): void {
  b.writeUInt16BE(seq, 30);
  if (v1 && followUp) b.writeUInt16BE(seq, 42); // associatedSequenceId
}

async function main(): Promise<void> {
  const ev = await open(319);
  const gen = await open(320);
  const syncs = new Map<number, Buffer>();
  const pair = await new Promise<[Buffer, Buffer]>((resolve) => {
    ev.on('message', (m) => { if (isSync(m)) syncs.set(seqOf(m), m); });
    gen.on('message', (m) => {
      const s = isFollowUp(m) ? syncs.get(v1 ? m.readUInt16BE(42) : seqOf(m)) : undefined;
      if (s) resolve([s, m]);
    });
  });
  const [sync, fup] = pair;
  const send = (s: dgram.Socket, port: number, b: Buffer): Promise<void> => new Promise((r) => s.send(b, port, GROUP, () => r()));
  const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 300));
  let sent = 0;
  const attack = async (port: 319 | 320, b: Buffer): Promise<void> => {
    await send(port === 319 ? ev : gen, port, b);
    sent++;
  };
  const forgedPair = async (seq: number, mutate: (f: Buffer) => void): Promise<void> => {
    const s = Buffer.from(sync);
    const f = Buffer.from(fup);
    setSeq(s, seq, false);
    setSeq(f, seq, true);
    mutate(f);
    await attack(319, s);
    await attack(320, f);
  };
  const base = seqOf(sync);
  // Truncated, at both ports.
  await attack(319, sync.subarray(0, 20));
  await attack(320, fup.subarray(0, v1 ? 44 : 30));
  await attack(320, Buffer.from([0, 1, 0]));
  await pause();
  // Wrong versions: v2 header claiming version 3; v1 header claiming version 9.
  const wrong = Buffer.from(sync);
  if (v1) wrong.writeUInt16BE(9, 0);
  else wrong[1] = (wrong[1]! & 0xf0) | 3;
  await attack(319, wrong);
  await attack(319, Buffer.from(Array.from({ length: 120 }, (_, i) => (i * 37 + 11) & 0xff)));
  await pause();
  // Absurd time: ~68 years ahead.
  await forgedPair((base + 20000) & 0xffff, (f) => shiftSeconds(f, 2 ** 31));
  await pause();
  // The leader's clock jumps by 3 s once.
  await forgedPair((base + 20100) & 0xffff, (f) => shiftSeconds(f, 3));
  await pause();
  // Nanoseconds out of range.
  await forgedPair((base + 20200) & 0xffff, (f) => f.writeUInt32BE(2_000_000_000, v1 ? 48 : 40));
  process.stdout.write(JSON.stringify({ sent }) + '\n');
  ev.close();
  gen.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
