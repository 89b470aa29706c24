// ctl output on every real-device reply in the fixtures: channel tables, RX status text, latency.
import test from 'ava';
import { ArcOpcode, ArcStatus, decodeHeader, parseRxChannelsReply, parseSettingsReply, parseTxChannelNamesReply, parseTxChannelsReply } from '../dist/core/arc/index.js';
import { formatChannels, summarizeRx, summarizeTx } from '../dist/cli/ctl/channels.js';
import { formatLatency, rxStatusText } from '../dist/cli/ctl/format.js';
import { sessionSamples, topLevelFixtures } from './support/fixtures.js';

const ARC_IDS = new Set([0x27ff, 0x2729, 0x2801, 0x2809]);

function replies(opcode: number): { name: string; data: Buffer }[] {
  const top = topLevelFixtures().filter((f) => f.direction === 'response').map((f) => ({ name: f.name, data: f.data }));
  const sessions = sessionSamples().filter((s) => s.direction === 'response').map((s) => ({ name: `${s.session}/${s.file}`, data: s.data }));
  return [...top, ...sessions].filter(({ data }) => {
    if (data.length < 10 || !ARC_IDS.has(data.readUInt16BE(0))) return false;
    const h = decodeHeader(data);
    return h.opcode === opcode && (h.status === ArcStatus.OK || h.status === ArcStatus.MORE_PAGES);
  });
}

test('every real RX channel page formats with names, subscriptions and a status from the §3.7 vocabulary', (t) => {
  const pages = replies(ArcOpcode.RX_CHANNELS);
  t.true(pages.length >= 5);
  for (const { name, data } of pages) {
    const rx = summarizeRx(parseRxChannelsReply(data).channels);
    const text = formatChannels({ device: 'dev', ip: '192.0.2.1', arcPort: 4440, sampleRate: null, tx: [], rx });
    const lines = text.trimEnd().split('\n');
    t.is(lines.length, 3 + rx.length, name);
    rx.forEach((c, i) => {
      t.notRegex(c.statusText, /^status 0x/, `${name} RX ${c.number}`);
      const line = lines[3 + i]!;
      t.true(line.includes(c.name), `${name}: ${line}`);
      // `.` (the device itself) is shown as the device's name.
      if (c.subscription) t.true(line.includes(`${c.subscription.txChannel}@${c.subscription.txDevice === '.' ? 'dev' : c.subscription.txDevice}`), line);
      else t.true(line.includes('not subscribed'), line);
    });
  }
});

test('every real TX channel page formats, with friendly names from the 0x2010 replies where they match', (t) => {
  const pages = replies(ArcOpcode.TX_CHANNELS);
  const names = replies(ArcOpcode.TX_CHANNEL_NAMES).flatMap((p) => parseTxChannelNamesReply(p.data).names);
  t.true(pages.length >= 3 && names.length >= 1);
  for (const { name, data } of pages) {
    const channels = parseTxChannelsReply(data).channels;
    const tx = summarizeTx(channels, names.filter((n) => channels.some((c) => c.number === n.number)));
    const text = formatChannels({ device: 'dev', ip: '192.0.2.1', arcPort: 4440, sampleRate: channels[0]?.format.sampleRate ?? null, tx, rx: [] });
    t.regex(text, /^dev \(192\.0\.2\.1:4440\), \d{5,6} Hz\nTX channels \(\d+\):\n/, name);
    for (const c of tx) t.true(text.includes(`${c.factoryName}`) && text.includes(c.name), `${name} TX ${c.number}`);
  }
});

test('every real settings reply shows its latencies in ms', (t) => {
  const pages = replies(ArcOpcode.SETTINGS);
  t.true(pages.length >= 10);
  for (const { name, data } of pages) {
    const { latency } = parseSettingsReply(data);
    if (latency.currentNs === undefined) continue;
    t.regex(formatLatency(latency.currentNs), /^\d+(\.\d{1,3})? ms$/, name);
    // A device may report a current latency below its own minimum (AVIO-USB), so ctl checks no range.
    for (const v of [latency.minNs, latency.maxNs, latency.defaultNs]) if (v !== undefined) t.regex(formatLatency(v), /^\d+(\.\d{1,3})? ms$/, name);
  }
});

test('RX status words read as Inferno and netaudio name them', (t) => {
  t.is(rxStatusText(0, false), 'not subscribed');
  t.is(rxStatusText(0x00000001, true), 'unresolved');
  t.is(rxStatusText(0x01010009, true), 'connected (unicast)');
  t.is(rxStatusText(0x0101000a, true), 'connected (multicast)');
  t.is(rxStatusText(0x00000015, true), 'TX failure');
  t.is(rxStatusText(0x0000004d, true), 'status 0x0000004d');
  t.is(formatLatency(150_000), '0.15 ms');
});
