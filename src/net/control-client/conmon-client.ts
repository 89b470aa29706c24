// Conmon requests from a controller to a device's info port (PROTOCOL.md §4.5): identify, set sample
// rate, set encoding. Devices never answer unicast; the new value shows up in the 0x0080 / 0x0082
// status they multicast to 224.0.0.231:8702, so `set` listens there to confirm it.
import {
  CONMON_MULTICAST_GROUP,
  CONMON_MULTICAST_PORT,
  MSG_ENCODING_REQUEST,
  MSG_ENCODING_STATUS,
  MSG_IDENTIFY,
  MSG_SAMPLE_RATE_REQUEST,
  MSG_SAMPLE_RATE_STATUS,
  conmonContent,
  decodeConmonHeader,
  encodeConmonPacket,
  encodeSettingRequest,
  settingStatus,
} from '../../core/conmon/index.js';
import type { SettingStatus } from '../../core/conmon/index.js';
import type { ControlTransport, MulticastListener } from './transport.js';

/** Bytes 28–31 of DC's and netaudio's conmon requests (§4.5). */
const REQUEST_TAIL = 0x64;

/** Default conmon request port (§1.2); with ALT_PORT it is the ARC port + 3. */
export const DEFAULT_INFO_PORT = 8700;
export const ALT_PORT_INFO_OFFSET = 3;
export const ALT_PORT_CMC_OFFSET = 1;
export const DEFAULT_CMC_PORT = 8800;
export const DEFAULT_ARC_PORT = 4440;

export const CONMON_GROUP = { address: CONMON_MULTICAST_GROUP, port: CONMON_MULTICAST_PORT };

export interface ConmonSender {
  /** 8 bytes: the controller's MAC + `00 00` (§4.1). */
  deviceId: Uint8Array;
  processId: number;
}

export interface ConmonTarget {
  ip: string;
  infoPort: number;
  label: string;
  /** Device id from the CMC register reply: tells two devices on one IP apart. */
  deviceId?: Uint8Array;
}

export type SettingKind = 'sample-rate' | 'encoding';

const KINDS: Record<SettingKind, { request: number; status: number; what: string }> = {
  'sample-rate': { request: MSG_SAMPLE_RATE_REQUEST, status: MSG_SAMPLE_RATE_STATUS, what: 'sample rate (conmon 0x0081)' },
  encoding: { request: MSG_ENCODING_REQUEST, status: MSG_ENCODING_STATUS, what: 'encoding (conmon 0x0083)' },
};

export class ConmonTimeoutError extends Error {
  constructor(target: ConmonTarget, what: string, timeoutMs: number) {
    super(`timeout: ${target.label} (${target.ip}:${target.infoPort}) sent no status for ${what} within ${timeoutMs} ms`);
    this.name = 'ConmonTimeoutError';
  }
}

export interface SettingOutcome {
  /** The status shows the requested value. */
  applied: boolean;
  status: SettingStatus;
}

export function buildConmonRequest(sender: ConmonSender, sequence: number, messageType: number, content?: Uint8Array): Buffer {
  return encodeConmonPacket({ sequence, processId: sender.processId, deviceId: sender.deviceId, messageType, tail: REQUEST_TAIL }, content);
}

export const buildIdentifyRequest = (s: ConmonSender, seq: number): Buffer => buildConmonRequest(s, seq, MSG_IDENTIFY);

export function buildSetSettingRequest(s: ConmonSender, seq: number, kind: SettingKind, value: number): Buffer {
  return buildConmonRequest(s, seq, KINDS[kind].request, encodeSettingRequest({ kind: 'set', value }));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class ConmonClient {
  /** Sequence 0 made a device ignore a request (§4.5): start at 1 and skip 0 on wrap. */
  private sequence = 1;

  constructor(
    private readonly transport: ControlTransport,
    private readonly listen: () => MulticastListener,
    private readonly sender: ConmonSender,
  ) {}

  private nextSequence(): number {
    const s = this.sequence;
    this.sequence = (this.sequence % 0xffff) + 1;
    return s;
  }

  async identify(t: ConmonTarget): Promise<void> {
    await this.transport.send(buildIdentifyRequest(this.sender, this.nextSequence()), { address: t.ip, port: t.infoPort });
  }

  /**
   * Sends the set request (again every `timeoutMs / attempts`) and resolves with the first status
   * of that kind from the device; `applied` says whether it shows the new value.
   */
  async setSetting(t: ConmonTarget, kind: SettingKind, value: number, timeoutMs: number, attempts = 3): Promise<SettingOutcome> {
    const k = KINDS[kind];
    const listener = this.listen();
    try {
      // A periodic status sent before the device applied the change must not count as "unchanged":
      // a matching status ends the wait at once, a different one only when the slice runs out.
      let latest: SettingStatus | undefined;
      let wake: (() => void) | undefined;
      listener.onMessage((buf, from) => {
        if (from.address !== t.ip) return;
        try {
          const h = decodeConmonHeader(buf);
          if (h.messageType !== k.status) return;
          if (t.deviceId && !sameBytes(h.deviceId, t.deviceId)) return;
          latest = settingStatus.decode(conmonContent(buf, h));
          if (latest.current === value) wake?.();
        } catch {
          // Not a status we can read: keep waiting.
        }
      });
      await listener.start();
      const packet = buildSetSettingRequest(this.sender, this.nextSequence(), kind, value);
      const slice = Math.max(1, Math.floor(timeoutMs / attempts));
      for (let i = 0; i < attempts; i++) {
        await this.transport.send(packet, { address: t.ip, port: t.infoPort });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, slice);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        const got = latest as SettingStatus | undefined;
        if (got) return { applied: got.current === value, status: got };
      }
      throw new ConmonTimeoutError(t, k.what, slice * attempts);
    } finally {
      await listener.close();
    }
  }
}
