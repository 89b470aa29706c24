import test from 'ava';
import {
  boardInfo,
  clockStatus,
  conmonContent,
  decodeConmonHeader,
  decodeHeartbeat,
  interfaceInfo,
  productInfo,
  rxChannelChange,
  settingStatus,
  START_CODE_HEARTBEAT,
} from '../dist/core/conmon/index.js';
import { findFixtures, readFixture } from './support/fixture-files.js';

// Content decoders for the message types we decode, as sent by devices.
const CONTENT: Record<number, (c: Uint8Array) => unknown> = {
  0x0011: interfaceInfo.decode,
  0x0020: clockStatus.decode,
  0x0060: boardInfo.decode,
  0x0080: settingStatus.decode,
  0x0082: settingStatus.decode,
  0x00c0: productInfo.decode,
  0x0102: rxChannelChange.decode,
};

test('every conmon/heartbeat fixture decodes its header, and its content where we decode the type', (t) => {
  const files = [
    ...findFixtures('sessions', /^protocol_FFF[EF]_/),
    ...findFixtures('subscription', /^multicast_/),
  ];
  t.true(files.length >= 68, `only ${files.length} fixture files`);
  let contents = 0;
  let heartbeats = 0;
  for (const f of files) {
    const pkt = readFixture(f);
    const h = decodeConmonHeader(pkt);
    t.is(h.length, pkt.length, f);
    if (h.startCode === START_CODE_HEARTBEAT) {
      t.true(decodeHeartbeat(pkt).blocks.length > 0, f);
      heartbeats++;
      continue;
    }
    const decode = CONTENT[h.messageType];
    // Only device multicasts (our decoders are for what devices send), identified by vendor.
    if (decode && h.vendor === 'Audinate') {
      t.notThrows(() => decode(conmonContent(pkt, h)), f);
      contents++;
    }
  }
  t.is(heartbeats, 1);
  t.true(contents >= 20, `only ${contents} contents decoded`);
});
