// The headless server in a namespace: /status and /metrics, SIGTERM within 2 s, worker crashes.
import { interop } from './support/needs.js';
import { createLan } from './support/netns.js';
import { httpGet, startInferno, waitFor, projectRoot } from './support/inferno-process.js';
import { resolve } from 'node:path';

const test = interop({ root: true, commands: ['ip'] });
test.serial('device answers /status and /metrics, and stops on SIGTERM within 2 s with status 0', async (t) => {
  const lan = createLan(1, { tag: 'srv' });
  try {
    const host = lan.hosts[0]!;
    const dev = startInferno(host, ['--bind-ip', 'eth0', '--http', '127.0.0.1:18080', '--name', 'status-test', '--rx-channels', '4']);
    const status = await waitFor(() => httpGet(host, 'http://127.0.0.1:18080/status'), 10000).catch((e: Error) => {
      throw new Error(`${e.message}; device output:\n${dev.output()}`);
    });
    t.is(status.status, 200);
    t.regex(status.contentType, /application\/json/);
    const s = JSON.parse(status.body);
    t.is(s.device.name, 'status-test');
    t.is(s.device.deviceId, '00000a4d00010000');
    t.is(s.network.ip, host.ip);
    t.is(s.network.interface, 'eth0');
    t.true(s.native.loaded, `native helper: ${JSON.stringify(s.native)}`);
    t.deepEqual(s.network.ports, { arc: 4440, cmc: 8800, flows: 4455, info: 8700 });
    t.is(s.audio.sampleRate, 48000);
    t.is(s.audio.rxChannels, 4);
    t.is(s.audio.rxChannelNames[3].friendly, 'RX 4');
    for (const w of ['clock', 'control', 'receive', 'transmit']) t.is(s.workers[w].state, 'running', w);

    const metrics = await httpGet(host, 'http://127.0.0.1:18080/metrics');
    t.is(metrics?.status, 200);
    t.regex(metrics!.contentType, /text\/plain; version=0\.0\.4/);
    t.regex(metrics!.body, /^# HELP inferno_up /m);
    t.regex(metrics!.body, /^inferno_up\{device="status-test"\} 1$/m);
    t.regex(metrics!.body, /^inferno_worker_running\{worker="transmit"\} 1$/m);
    const notFound = await httpGet(host, 'http://127.0.0.1:18080/nope');
    t.is(notFound?.status, 404);

    const sentAt = Date.now();
    dev.proc.kill('SIGTERM');
    const exit = await dev.exited;
    t.is(exit.code, 0, dev.output());
    t.true(exit.atMs - sentAt < 2000, `stopped in ${exit.atMs - sentAt} ms`);
    t.regex(dev.output(), /device stopped/);
  } finally {
    await lan.destroy();
  }
});

test.serial('with INFERNO_NATIVE=0 the device runs on the JS fallback, says so once and shows it in /status', async (t) => {
  const lan = createLan(1, { tag: 'fallb' });
  try {
    const host = lan.hosts[0]!;
    const dev = startInferno(host, ['--bind-ip', 'eth0', '--http', '127.0.0.1:18081', '--log-format', 'json'], { INFERNO_NATIVE: '0' });
    const status = await waitFor(() => httpGet(host, 'http://127.0.0.1:18081/status'), 10000);
    const s = JSON.parse(status.body);
    t.false(s.native.loaded);
    t.is(s.native.reason, 'INFERNO_NATIVE=0');
    for (const w of ['clock', 'control', 'receive', 'transmit']) t.is(s.workers[w].state, 'running', w);
    dev.proc.kill('SIGTERM');
    t.is((await dev.exited).code, 0);
    const warnings = dev.output().split('\n').filter((l) => l.includes('"component":"native"'));
    t.is(warnings.length, 1, dev.output());
    t.regex(warnings[0]!, /JS fallback loses precision/);
  } finally {
    await lan.destroy();
  }
});

test.serial('a worker that throws is reported with its stack and restarted', async (t) => {
  const lan = createLan(1, { tag: 'crash' });
  try {
    const host = lan.hosts[0]!;
    const script = resolve(projectRoot, 'dist-test', 'support', 'engine-crash.js');
    const r = await host.run(process.execPath, [script, 'receive', '1', 'eth0'], { timeoutMs: 20000 });
    t.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    t.is(out.health.restarts, 1);
    t.is(out.health.state, 'running');
    t.regex(out.health.lastError, /injected crash in receive worker\n\s+at /, 'stack is kept');
    t.is(out.all.transmit.restarts, 0);
  } finally {
    await lan.destroy();
  }
});

test.serial('a worker that keeps crashing stops the device with a clear error', async (t) => {
  const lan = createLan(1, { tag: 'crash2' });
  try {
    const host = lan.hosts[0]!;
    const script = resolve(projectRoot, 'dist-test', 'support', 'engine-crash.js');
    const r = await host.run(process.execPath, [script, 'transmit', 'always', 'eth0'], { timeoutMs: 30000 });
    t.is(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    t.regex(out.fatal, /^transmit worker failed 4 times within 60 s; last error: Error: injected crash in transmit worker/);
  } finally {
    await lan.destroy();
  }
});
