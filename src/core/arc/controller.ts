// Controller side (`inferno ctl`): request builders and reply parsers for real Dante devices.
// Parsers follow pointers only (device layouts differ, PROTOCOL.md §3.4, §3.7).
import { DecodeError } from '../errors.js';
import { ArcOpcode, ArcProtocol, ArcStatus } from './constants.js';
import { type ArcCodec, type ArcHeader, bareMessage, checkLength, decodeHeader, hasContent } from './header.js';
import { type ChannelCountsReply, channelCountsReply } from './channel-counts.js';
import { type DeviceNameReply, deviceNameReply, setDeviceNameRequest } from './device-name.js';
import { type DeviceInfoReply, deviceInfoReply } from './device-info.js';
import {
  DC_CODE_0211_VALUE,
  DC_SETTINGS_CODES,
  type LatencyReport,
  type SettingsTable,
  SettingCode,
  latencyFromSettings,
  setLatencyReply,
  setLatencyRequest,
  settingsReply,
  settingsRequest,
} from './settings.js';
import { NO_MAX_COUNT, pageRequestCodec } from './paging.js';
import { type TxChannelsReply, type TxNamesReply, txChannelsReply, txNamesReply } from './tx-channels.js';
import { type RxChannelsReply, rxChannelsReply } from './rx-channels.js';
import { type ChannelRename, LIST_REQUEST_FLAGS, rxChannelRenameRequest, txChannelRenameRequest } from './channel-rename.js';
import { type SubscriptionRecord, removeSubscriptionsRequest, subscribeRequest } from './subscriptions.js';

/** netaudio's protocol id; every device answers it (§3.1). */
export const DEFAULT_CONTROLLER_PROTOCOL = ArcProtocol.NETAUDIO;

/** A reply whose status says the device did not do what was asked. */
export class ArcStatusError extends Error {
  constructor(
    public readonly opcode: number,
    public readonly status: number,
  ) {
    super(`ARC 0x${opcode.toString(16)} answered with status 0x${status.toString(16).padStart(4, '0')}`);
    this.name = 'ArcStatusError';
  }
}

const bare = (opcode: number) => (txId: number, protocolId: number = DEFAULT_CONTROLLER_PROTOCOL): Buffer =>
  bareMessage.encode({ protocolId, transactionId: txId, status: ArcStatus.REQUEST, opcode });

export const buildChannelCountsRequest = bare(ArcOpcode.CHANNEL_COUNTS);
export const buildDeviceNameRequest = bare(ArcOpcode.DEVICE_NAME);
export const buildDeviceInfoRequest = bare(ArcOpcode.DEVICE_INFO);

/** `name` undefined resets the device to its factory name (§3.11). */
export function buildSetDeviceNameRequest(txId: number, name: string | undefined, protocolId: number = DEFAULT_CONTROLLER_PROTOCOL): Buffer {
  return setDeviceNameRequest.encode({ protocolId, transactionId: txId, name });
}

export function buildSettingsRequest(txId: number, codes: readonly number[] = DC_SETTINGS_CODES, protocolId: number = DEFAULT_CONTROLLER_PROTOCOL): Buffer {
  return settingsRequest.encode({ protocolId, transactionId: txId, codes: [...codes] });
}

/** DC's 40-byte form (§3.9): 0x8205 and 0x8301 set to `latencyNs`, plus DC's 0x0211 record. */
export function buildSetLatencyRequest(txId: number, latencyNs: number, protocolId: number = DEFAULT_CONTROLLER_PROTOCOL): Buffer {
  if (!Number.isInteger(latencyNs) || latencyNs <= 0 || latencyNs > 0xffffffff) throw new RangeError(`bad latency ${latencyNs} ns`);
  return setLatencyRequest.encode({
    protocolId,
    transactionId: txId,
    records: [
      { code: SettingCode.LATENCY, value: latencyNs },
      { code: 0x0211, value: DC_CODE_0211_VALUE },
      { code: SettingCode.LATENCY_2, value: latencyNs },
    ],
  });
}

const txChannelsRequest = pageRequestCodec(ArcOpcode.TX_CHANNELS);
const txNamesRequest = pageRequestCodec(ArcOpcode.TX_CHANNEL_NAMES);
const rxChannelsRequest = pageRequestCodec(ArcOpcode.RX_CHANNELS);

export function buildTxChannelsRequest(txId: number, start: number, protocolId: number = DEFAULT_CONTROLLER_PROTOCOL): Buffer {
  return txChannelsRequest.encode({ protocolId, transactionId: txId, start, maxCount: NO_MAX_COUNT });
}

/** DC puts a maximum count at 14–15 (§3.5); devices then list all renamed channels at once. */
export function buildTxChannelNamesRequest(txId: number, start: number, maxCount = NO_MAX_COUNT, protocolId: number = DEFAULT_CONTROLLER_PROTOCOL): Buffer {
  return txNamesRequest.encode({ protocolId, transactionId: txId, start, maxCount });
}

export function buildRxChannelsRequest(txId: number, start: number, protocolId: number = DEFAULT_CONTROLLER_PROTOCOL): Buffer {
  return rxChannelsRequest.encode({ protocolId, transactionId: txId, start, maxCount: NO_MAX_COUNT });
}

/** A rename with `name` undefined resets the channel name (netaudio's form, §3.10). */
export function buildTxChannelRenameRequest(txId: number, renames: ChannelRename[], protocolId: number = DEFAULT_CONTROLLER_PROTOCOL): Buffer {
  return txChannelRenameRequest.encode({ protocolId, transactionId: txId, flags: LIST_REQUEST_FLAGS, renames });
}

export function buildRxChannelRenameRequest(txId: number, renames: ChannelRename[], protocolId: number = DEFAULT_CONTROLLER_PROTOCOL): Buffer {
  return rxChannelRenameRequest.encode({ protocolId, transactionId: txId, flags: LIST_REQUEST_FLAGS, renames });
}

/** Records with both names subscribe; records with neither unsubscribe (§3.8). */
export function buildSubscribeRequest(txId: number, records: SubscriptionRecord[], protocolId: number = DEFAULT_CONTROLLER_PROTOCOL): Buffer {
  return subscribeRequest.encode({ protocolId, transactionId: txId, flags: LIST_REQUEST_FLAGS, records });
}

export function buildRemoveSubscriptionsRequest(txId: number, rxChannels: number[], protocolId: number = DEFAULT_CONTROLLER_PROTOCOL): Buffer {
  return removeSubscriptionsRequest.encode({ protocolId, transactionId: txId, rxChannels });
}

/**
 * Checks a reply against its request: length, opcode and transaction id; throws ArcStatusError
 * unless the status is OK or "more pages".
 */
export function checkReply(buf: Uint8Array, opcode: number, transactionId?: number): ArcHeader {
  const h = decodeHeader(buf);
  checkLength(buf, h);
  if (h.opcode !== opcode) throw new DecodeError('wrong-opcode', `0x${h.opcode.toString(16)}`);
  if (transactionId !== undefined && h.transactionId !== transactionId) {
    throw new DecodeError('wrong-transaction', `transaction ${h.transactionId}, want ${transactionId}`);
  }
  if (!hasContent(h.status)) throw new ArcStatusError(opcode, h.status);
  return h;
}

function parser<T>(opcode: number, codec: ArcCodec<T>) {
  return (buf: Uint8Array, transactionId?: number): T => {
    checkReply(buf, opcode, transactionId);
    return codec.decode(buf);
  };
}

export const parseChannelCountsReply: (buf: Uint8Array, txId?: number) => ChannelCountsReply = parser(ArcOpcode.CHANNEL_COUNTS, channelCountsReply);
export const parseDeviceNameReply: (buf: Uint8Array, txId?: number) => DeviceNameReply = parser(ArcOpcode.DEVICE_NAME, deviceNameReply);
export const parseDeviceInfoReply: (buf: Uint8Array, txId?: number) => DeviceInfoReply = parser(ArcOpcode.DEVICE_INFO, deviceInfoReply);
export const parseTxChannelsReply: (buf: Uint8Array, txId?: number) => TxChannelsReply = parser(ArcOpcode.TX_CHANNELS, txChannelsReply);
export const parseTxChannelNamesReply: (buf: Uint8Array, txId?: number) => TxNamesReply = parser(ArcOpcode.TX_CHANNEL_NAMES, txNamesReply);
export const parseRxChannelsReply: (buf: Uint8Array, txId?: number) => RxChannelsReply = parser(ArcOpcode.RX_CHANNELS, rxChannelsReply);
export const parseSetLatencyReply: (buf: Uint8Array, txId?: number) => SettingsTable = parser(ArcOpcode.SET_LATENCY, setLatencyReply);

export function parseSettingsReply(buf: Uint8Array, transactionId?: number): SettingsTable & { latency: LatencyReport } {
  checkReply(buf, ArcOpcode.SETTINGS, transactionId);
  const table = settingsReply.decode(buf);
  return { ...table, latency: latencyFromSettings(table.records) };
}

/** Header-only replies (0x1001, 0x3001, 0x3010, 0x3014, 0x2013): OK or ArcStatusError. */
export function parseStatusReply(buf: Uint8Array, opcode: number, transactionId?: number): ArcHeader {
  return checkReply(buf, opcode, transactionId);
}

/**
 * Where the next page starts, or undefined when listing is done: after a page with status OK or no
 * records, or at the known total (devices may answer 0x8112 on their last page, §3.5).
 */
export function nextPageStart(
  page: { status?: number; count: number },
  start: number,
  total?: number,
): number | undefined {
  const next = start + page.count;
  if (page.status !== ArcStatus.MORE_PAGES || page.count === 0) return undefined;
  if (total !== undefined && next > total) return undefined;
  return next;
}
