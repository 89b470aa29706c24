import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import { decodeStateFile, deviceStateDir, encodeStateFile, StateStore } from '../dist/state/index.js';
import type { DeviceLimits, DeviceStateData } from '../dist/state/index.js';

const ID = '00000a0000010000';
const limits: DeviceLimits = {
  rxChannels: 2, txChannels: 2, minLatencyNs: 250_000, maxLatencyNs: 40_000_000,
  sampleRates: [44100, 48000], encodings: [16, 24, 32],
};
const defaults: DeviceStateData = {
  name: 'dev', rxNames: {}, txNames: {}, subscriptions: {}, latencyNs: 10_000_000, secondLatencyNs: 10_000_000,
  sampleRate: 48000, encoding: 24, multicastFlows: [],
};
const changed: DeviceStateData = {
  name: 'stage-left', rxNames: { 2: 'Vocals' }, txNames: { 1: 'Click' },
  subscriptions: { 1: { txChannelName: 'TX 1', txDeviceName: 'far', status: 0x01010009 } },
  latencyNs: 1_000_000, secondLatencyNs: 2_000_000, sampleRate: 44100, encoding: 16,
  multicastFlows: [{ flowId: 2, channels: [1, 0] }],
};

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'inferno-store-'));
}

function store(dir: string, beforeRename?: () => void | Promise<void>): StateStore {
  return new StateStore({ dir, deviceId: ID, limits, defaults, ...(beforeRename ? { beforeRename } : {}) });
}

test('state directory: --state-dir, then XDG_STATE_HOME, then ~/.local/state; one directory per device id', (t) => {
  t.is(deviceStateDir('/srv/st', ID, {}), `/srv/st/${ID}`);
  t.is(deviceStateDir(undefined, ID, { XDG_STATE_HOME: '/x' }), `/x/inferno-aoip/${ID}`);
  t.true(deviceStateDir(undefined, ID, {}).endsWith(`/.local/state/inferno-aoip/${ID}`));
});

test('saved state round trip; subscriptions come back unresolved', async (t) => {
  const dir = tmp();
  try {
    t.is(store(dir).load().source, 'defaults');
    await store(dir).save(changed);
    const back = store(dir).load();
    t.is(back.source, 'file');
    t.deepEqual(back.data, { ...changed, subscriptions: { 1: { txChannelName: 'TX 1', txDeviceName: 'far', status: 1 } } });
    t.deepEqual(readdirSync(dir), ['state.msgpack']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('entries the configuration cannot take are skipped, not fatal', (t) => {
  const bytes = encodeStateFile(ID, { ...changed, rxNames: { 2: 'ok', 7: 'gone' }, sampleRate: 96000 });
  const r = decodeStateFile(bytes, ID, limits, defaults);
  t.deepEqual(r.data.rxNames, { 2: 'ok' });
  t.is(r.data.sampleRate, 48000);
  t.deepEqual(r.skipped, ['rx name 7: unknown-channel', 'sample rate: unsupported-sample-rate']);
});

test('a corrupt, foreign or unreadable file is moved aside and the device starts with defaults', (t) => {
  const cases: [string, Buffer | 'dir'][] = [
    ['garbage', Buffer.from('not msgpack at all \xc1')],
    ['truncated', Buffer.from(encodeStateFile(ID, changed)).subarray(0, 40)],
    ['wrong version', Buffer.from(encode({ version: 99, deviceId: ID, state: {} }))],
    ['other device', Buffer.from(encodeStateFile('ffffffffffffffff', changed))],
    ['wrong types', Buffer.from(encode({ version: 1, deviceId: ID, savedAt: 0, state: { name: 5 } }))],
    ['bad entry', Buffer.from(encode({ version: 1, deviceId: ID, savedAt: 0, state: { ...defaults, rxNames: [[1]], txNames: [], subscriptions: [], multicastFlows: [] } }))],
  ];
  for (const [what, content] of cases) {
    const dir = tmp();
    try {
      writeFileSync(join(dir, 'state.msgpack'), content as Buffer);
      const r = store(dir).load();
      t.is(r.source, 'defaults', what);
      t.deepEqual(r.data, defaults, what);
      t.truthy(r.movedTo, what);
      const names = readdirSync(dir);
      t.false(names.includes('state.msgpack'), what);
      t.true(names.some((n) => n.startsWith('state.msgpack.corrupt-')), what);
      t.deepEqual(readFileSync(r.movedTo!), content, `${what}: the bad file is kept for inspection`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a read-only load (main thread) leaves a corrupt file where it is', (t) => {
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'state.msgpack'), 'junk');
    t.is(store(dir).load(true).source, 'defaults');
    t.deepEqual(readdirSync(dir), ['state.msgpack']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a crash between the temp write and the rename keeps the previous state', async (t) => {
  const dir = tmp();
  try {
    await store(dir).save(changed);
    const crashing = store(dir, () => {
      throw new Error('simulated crash before rename');
    });
    await t.throwsAsync(crashing.save({ ...changed, name: 'never-acked' }), { message: /simulated crash/ });
    t.true(readdirSync(dir).some((n) => n.startsWith('state.msgpack.tmp-')), 'the temp file was written');
    const back = store(dir).load();
    t.is(back.data.name, 'stage-left');
    t.deepEqual(readdirSync(dir), ['state.msgpack'], 'stale temp files are removed at start');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writes are serialized and coalesced; each save resolves only after a write containing it', async (t) => {
  const dir = tmp();
  try {
    let inRename = 0;
    let maxInRename = 0;
    const s = store(dir, async () => {
      inRename++;
      maxInRename = Math.max(maxInRename, inRename);
      await new Promise((r) => setTimeout(r, 20));
      inRename--;
    });
    const order: string[] = [];
    const saves = Array.from({ length: 10 }, (_, i) => s.save({ ...defaults, name: `n${i}` }).then(() => {
      order.push(`n${i}`);
      // Once save i resolves, the file holds name i or a later one.
      const onDisk = store(dir).load(true).data.name;
      t.true(Number(onDisk.slice(1)) >= i, `save n${i} resolved with ${onDisk} on disk`);
    }));
    await Promise.all(saves);
    t.is(maxInRename, 1, 'no two writes overlap');
    t.true(s.writes < 10, `coalesced into ${s.writes} writes`);
    t.is(store(dir).load().data.name, 'n9');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
