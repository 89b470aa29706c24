import test from 'ava';
import { hex } from '../dist/core/bytes.js';
import { CLOCK_TAI, decode, encode, isValid, overlayTimeNs, USRVCLOCK_FLAG_VALID } from '../dist/core/usrvclock.js';

const VECTOR = hex('5643 0100 0000 0100 0b00 0000 0000 0000 15cd 853d fe9c 9717 05ce a062 f7ff ffff 54e4 1071 732a b93e');
const FRAME = {
  flags: USRVCLOCK_FLAG_VALID,
  clockId: BigInt(CLOCK_TAI),
  lastSync: 1_700_000_000_123_456_789n,
  shift: -36_999_999_995n,
  freqScale: 1.5e-6,
};

test('§12.6 frame encodes byte-exact and decodes back', (t) => {
  t.deepEqual(encode(FRAME), VECTOR);
  const f = decode(VECTOR);
  t.deepEqual(f, { ...FRAME, versionMajor: 1, versionMinor: 0 });
  t.true(isValid(f));
  t.false(isValid({ ...f, flags: 0 }));
});

test('bad magic, major version, length or scale are DecodeErrors', (t) => {
  const bad = Buffer.from(VECTOR);
  bad[0] = 0x43;
  t.throws(() => decode(bad), { message: /bad-magic/ });
  const v2 = Buffer.from(VECTOR);
  v2.writeUInt16LE(2, 2);
  t.throws(() => decode(v2), { message: /bad-version/ });
  t.throws(() => decode(VECTOR.subarray(0, 39)), { message: /truncated/ });
  const nan = Buffer.from(VECTOR);
  nan.writeDoubleLE(Number.NaN, 32);
  t.throws(() => decode(nan), { message: /bad-freq-scale/ });
  const minor = Buffer.from(VECTOR);
  minor.writeUInt16LE(3, 4);
  t.is(decode(minor).versionMinor, 3);
});

test('overlay time follows u + shift + (u − last_sync) × scale', (t) => {
  const f = decode(VECTOR);
  const u = FRAME.lastSync + 1_000_000_000n;
  t.is(overlayTimeNs(f, u), u + FRAME.shift + 1500n);
  t.is(overlayTimeNs(f, FRAME.lastSync), FRAME.lastSync + FRAME.shift);
});
