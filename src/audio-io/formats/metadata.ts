// What a take says about itself: bext (EBU Tech 3285), iXML track list and a LIST/INFO chunk.
// Track names come from Dante (the subscribed TX channel, else the RX channel name), because an
// engineer looks for "Kick", not "channel 7".

export interface TrackInfo {
  /** The name shown for the track: the subscribed TX channel name, or the RX channel name. */
  name: string;
  /** Where it came from, e.g. `Kick@FOH-console` (absent when not subscribed). */
  source?: string;
}

export interface RecordingMetadata {
  /** Device that recorded (the Dante device name). */
  device: string;
  software: string;
  /** Wall-clock time of the first sample of the file. */
  start: Date;
  sampleRate: number;
  bits: number;
  tracks: readonly TrackInfo[];
}

const enc = new TextEncoder();

/** ASCII field of fixed width, NUL padded (bext fields are ASCII). */
function putAscii(out: Uint8Array, at: number, width: number, s: string): void {
  const ascii = s.replace(/[^\x20-\x7e]/g, '?');
  for (let i = 0; i < width && i < ascii.length; i++) out[at + i] = ascii.charCodeAt(i);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` and `HH:MM:SS` in UTC (unambiguous across time zones and DST). */
export function utcDateTime(d: Date): { date: string; time: string } {
  return {
    date: `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`,
    time: `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`,
  };
}

/** `1 Kick, 2 Snare, ...`: the one-line track list used in bext and INFO comments. */
export function trackSummary(tracks: readonly TrackInfo[]): string {
  return tracks.map((t, i) => `${i + 1} ${t.name}`).join(', ');
}

/** bext body, version 1 (602 bytes + coding history). TimeReference = samples since midnight UTC. */
export function bextBody(m: RecordingMetadata): Uint8Array {
  const history = enc.encode(`A=PCM,F=${m.sampleRate},W=${m.bits},M=${m.tracks.length}ch,T=${m.software}\r\n`);
  const out = new Uint8Array(602 + history.length);
  const { date, time } = utcDateTime(m.start);
  putAscii(out, 0, 256, `${m.device}: ${trackSummary(m.tracks)}`);
  putAscii(out, 256, 32, m.device);
  putAscii(out, 288, 32, m.software);
  putAscii(out, 320, 10, date);
  putAscii(out, 330, 8, time);
  const midnight = Date.UTC(m.start.getUTCFullYear(), m.start.getUTCMonth(), m.start.getUTCDate());
  const ref = Math.round(((m.start.getTime() - midnight) / 1000) * m.sampleRate);
  const dv = new DataView(out.buffer);
  dv.setUint32(338, ref % 2 ** 32, true);
  dv.setUint32(342, Math.floor(ref / 2 ** 32), true);
  dv.setUint16(346, 1, true);
  out.set(history, 602);
  return out;
}

function xml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** iXML body: the track list with per-track names (what DAWs and field recorders read). */
export function ixmlBody(m: RecordingMetadata): Uint8Array {
  const tracks = m.tracks
    .map((t, i) => `<TRACK><CHANNEL_INDEX>${i + 1}</CHANNEL_INDEX><INTERLEAVE_INDEX>${i + 1}</INTERLEAVE_INDEX><NAME>${xml(t.name)}</NAME>${t.source ? `<FUNCTION>${xml(t.source)}</FUNCTION>` : ''}</TRACK>`)
    .join('');
  const { date, time } = utcDateTime(m.start);
  return enc.encode(
    `<?xml version="1.0" encoding="UTF-8"?>\n<BWFXML><IXML_VERSION>2.10</IXML_VERSION><PROJECT>${xml(m.device)}</PROJECT>` +
      `<NOTE>${xml(`recorded ${date} ${time} UTC by ${m.software}`)}</NOTE>` +
      `<TRACK_LIST><TRACK_COUNT>${m.tracks.length}</TRACK_COUNT>${tracks}</TRACK_LIST></BWFXML>\n`,
  );
}

/** LIST/INFO body (`INFO` + subchunks): title, software, date and the track list as comment. */
export function infoListBody(m: RecordingMetadata): Uint8Array {
  const { date } = utcDateTime(m.start);
  const entries: [string, string][] = [
    ['INAM', `${m.device} ${date} ${utcDateTime(m.start).time}`],
    ['ISFT', m.software],
    ['ICRD', date],
    ['ICMT', `tracks: ${trackSummary(m.tracks)}`],
  ];
  const parts = entries.map(([id, text]) => {
    const body = enc.encode(`${text}\0`);
    const chunk = new Uint8Array(8 + body.length + (body.length & 1));
    chunk.set(enc.encode(id), 0);
    new DataView(chunk.buffer).setUint32(4, body.length, true);
    chunk.set(body, 8);
    return chunk;
  });
  const out = new Uint8Array(4 + parts.reduce((a, p) => a + p.length, 0));
  out.set(enc.encode('INFO'), 0);
  let o = 4;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
