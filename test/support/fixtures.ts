// Locates and loads the real Dante packets in `test/fixtures/netaudio` (public domain, copied
// into the repository with their README so a clone anywhere has them).
// Tests import this from `dist-test/support/fixtures.js`; the project root is two levels up.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const projectRoot = resolve(here, '..', '..');
export const netaudioFixtures = resolve(projectRoot, 'test', 'fixtures', 'netaudio');

/** Throws a clear error when the fixtures are missing. */
export function requireFixtures(): string {
  if (!existsSync(join(netaudioFixtures, 'README.md'))) {
    throw new Error(`netaudio fixtures missing: expected them at ${netaudioFixtures}`);
  }
  return netaudioFixtures;
}

export function loadFixture(relPath: string): Buffer {
  return readFileSync(join(requireFixtures(), relPath));
}

/** Top-level `<stem>_request.bin` / `<stem>_response.bin` files. */
export function topLevelFixtures(): { name: string; direction: 'request' | 'response'; data: Buffer }[] {
  const dir = requireFixtures();
  return readdirSync(dir)
    .filter((f) => /_(request|response)\.bin$/.test(f))
    .sort()
    .map((name) => ({ name, direction: name.endsWith('_request.bin') ? 'request' : 'response', data: readFileSync(join(dir, name)) }));
}

export interface SessionSample {
  session: string;
  file: string;
  direction?: 'request' | 'response';
  protocolId?: number;
  opcode?: number;
  packetId?: number;
  data: Buffer;
}

interface ManifestSample {
  file?: string;
  direction?: string;
  protocol_id?: number | null;
  opcode?: number | null;
  packet_id?: number;
}

export function sessionNames(): string[] {
  const dir = join(requireFixtures(), 'sessions');
  return readdirSync(dir).filter((d) => existsSync(join(dir, d, 'manifest.json'))).sort();
}

export function sessionManifest(session: string): { markers: unknown[]; samples: ManifestSample[] } {
  return JSON.parse(readFileSync(join(requireFixtures(), 'sessions', session, 'manifest.json'), 'utf8'));
}

/** Every sample of every session whose packet file exists, with its bytes. */
export function sessionSamples(): SessionSample[] {
  const out: SessionSample[] = [];
  for (const session of sessionNames()) {
    for (const s of sessionManifest(session).samples) {
      if (!s.file) continue;
      const path = join(netaudioFixtures, 'sessions', session, s.file);
      if (!existsSync(path)) continue;
      const sample: SessionSample = { session, file: s.file, data: readFileSync(path) };
      if (s.direction === 'request' || s.direction === 'response') sample.direction = s.direction;
      if (typeof s.protocol_id === 'number') sample.protocolId = s.protocol_id;
      if (typeof s.opcode === 'number') sample.opcode = s.opcode;
      if (typeof s.packet_id === 'number') sample.packetId = s.packet_id;
      out.push(sample);
    }
  }
  return out;
}

/** A session packet by session name and packet id. */
export function sessionPacket(session: string, packetId: number): Buffer {
  const s = sessionSamples().find((x) => x.session === session && x.packetId === packetId);
  if (!s) throw new Error(`fixture packet ${packetId} not found in session ${session}`);
  return s.data;
}
