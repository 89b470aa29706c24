// The ARC server's request → reply logic, pure: handleArcRequest decodes one datagram, answers it
// from an ArcDeviceView and lists the actions the device must take (PROTOCOL.md §3).
import { DecodeError } from '../errors.js';
import { type ArcHeader, type ArcMessage, bareMessage, checkLength, decodeHeader } from './header.js';
import { ArcOpcode, ArcStatus, MAX_NAME_BYTES, SELF_DEVICE, SUPPORTED_PROTOCOL_IDS } from './constants.js';
import type { ArcAction, ArcDeviceView, ArcResult } from './device-view.js';
import { inferChannelCounts, channelCountsReply } from './channel-counts.js';
import { deviceNameReply, setDeviceNameRequest } from './device-name.js';
import { DEVICE_INFO_CODE_44, INFERNO_REVISION, deviceInfoReply } from './device-info.js';
import {
  SchemaFlag,
  type SettingRecord,
  SettingCode,
  setLatencyReply,
  setLatencyRequest,
  settingsReply,
  settingsRequest,
  settingsSchemaReply,
} from './settings.js';
import { type ChannelRename, encodeTxRenameReply, rxChannelRenameRequest, txChannelRenameRequest } from './channel-rename.js';
import { isSubscribe, removeSubscriptionsRequest, subscribeRequest } from './subscriptions.js';
import { createMulticastFlowReply, createMulticastFlowRequest, deleteTxFlowRequest, MULTICAST_FLOW_TYPE } from './multicast.js';
import { encodeClockDomainReply } from './fixed-replies.js';
import { handlePagedList } from './server-lists.js';

type Handler = (buf: Uint8Array, h: ArcHeader, msg: ArcMessage, d: ArcDeviceView) => ArcResult;

/** Opcodes that change the device: refused with LOCKED while the device is locked. */
const WRITE_OPCODES: ReadonlySet<number> = new Set([
  ArcOpcode.SET_DEVICE_NAME,
  ArcOpcode.SET_LATENCY,
  ArcOpcode.SET_TX_CHANNEL_NAME,
  ArcOpcode.SET_RX_CHANNEL_NAME,
  ArcOpcode.SUBSCRIBE,
  ArcOpcode.REMOVE_SUBSCRIPTIONS,
  ArcOpcode.CREATE_MULTICAST_FLOW,
  ArcOpcode.DELETE_TX_FLOW,
]);

/** Settings we answer in 0x1100 (codes absent here come back as unsupported), §3.9. */
function settingValue(code: number, d: ArcDeviceView): number | undefined {
  switch (code) {
    case SettingCode.DEFAULT_LATENCY: return d.latency.defaultNs;
    case SettingCode.LATENCY: return d.latency.currentNs;
    case SettingCode.LATENCY_2: return d.latency.secondNs;
    case SettingCode.MAX_LATENCY: return d.latency.maxNs;
    case SettingCode.MIN_LATENCY: return d.latency.minNs;
    default: return undefined;
  }
}

/** 0x1102 schema: the codes we support; the two DC writes with 0x1101 are writable (guess, §3.9). */
const SETTINGS_SCHEMA = [
  { code: SettingCode.DEFAULT_LATENCY, flags: SchemaFlag.READ_ONLY },
  { code: SettingCode.LATENCY, flags: SchemaFlag.WRITABLE },
  { code: SettingCode.LATENCY_2, flags: SchemaFlag.WRITABLE },
  { code: SettingCode.MAX_LATENCY, flags: SchemaFlag.READ_ONLY },
  { code: SettingCode.MIN_LATENCY, flags: SchemaFlag.READ_ONLY },
];

export function statusReply(msg: ArcMessage, opcode: number, status: number): Buffer {
  return bareMessage.encode({ protocolId: msg.protocolId, transactionId: msg.transactionId, status, opcode });
}

function ok(reply: Buffer, actions: ArcAction[] = []): ArcResult {
  return { reply, actions };
}

function rejected(msg: ArcMessage, opcode: number, why: string): ArcResult {
  return { reply: statusReply(msg, opcode, ArcStatus.REJECTED), count: `rejected-${why}`, actions: [] };
}

export function validName(name: string): boolean {
  const n = Buffer.byteLength(name, 'utf8');
  return n > 0 && n <= MAX_NAME_BYTES;
}

function uniqueSorted(xs: number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

function reply(msg: ArcMessage): ArcMessage {
  return { protocolId: msg.protocolId, transactionId: msg.transactionId };
}

const HANDLERS: Record<number, Handler> = {
  [ArcOpcode.CHANNEL_COUNTS]: (_b, _h, m, d) =>
    ok(channelCountsReply.encode(inferChannelCounts(reply(m), {
      txCount: d.txChannels.length,
      rxCount: d.rxChannels.length,
      txRenamable: d.txChannelsRenamable,
      txMulticast: d.multicastTx,
      maxTxFlows: d.maxTxFlows,
      maxRxFlows: d.maxRxFlows,
    }))),

  [ArcOpcode.DEVICE_NAME]: (_b, _h, m, d) => ok(deviceNameReply.encode({ ...reply(m), name: d.friendlyName })),

  [ArcOpcode.DEVICE_INFO]: (_b, _h, m, d) =>
    ok(deviceInfoReply.encode({
      ...reply(m),
      friendlyName: d.friendlyName,
      factoryName: d.factoryName,
      boardName: d.boardName,
      revision: d.revision ?? INFERNO_REVISION,
      deviceProtocolId: d.protocolId,
      code44: DEVICE_INFO_CODE_44,
      dbcp: 0,
    })),

  [ArcOpcode.SET_DEVICE_NAME]: (b, h, m, d) => {
    const req = setDeviceNameRequest.decode(b);
    if (!d.deviceRenamable) return rejected(m, h.opcode, 'not-renamable');
    if (req.name !== undefined && !validName(req.name)) return rejected(m, h.opcode, 'bad-name');
    return ok(statusReply(m, h.opcode, ArcStatus.OK), [{ type: 'rename-device', name: req.name }]);
  },

  [ArcOpcode.SETTINGS]: (b, _h, m, d) => {
    // The reply's count bytes are u8: answer the first 255 codes.
    const codes = settingsRequest.decode(b).codes.slice(0, 0xff);
    const records = codes.map((code): SettingRecord => {
      const value = settingValue(code, d);
      return value === undefined ? { code } : { code, value };
    });
    return ok(settingsReply.encode({ ...reply(m), records }));
  },

  [ArcOpcode.SETTINGS_SCHEMA]: (_b, _h, m) => ok(settingsSchemaReply.encode({ ...reply(m), entries: SETTINGS_SCHEMA })),

  [ArcOpcode.SET_LATENCY]: (b, h, m, d) => {
    const req = setLatencyRequest.decode(b);
    const value = (code: number): number | undefined => req.records.find((r) => r.code === code)?.value;
    const first = value(SettingCode.LATENCY);
    const second = value(SettingCode.LATENCY_2);
    if (first === undefined && second === undefined) return rejected(m, h.opcode, 'no-latency');
    const inRange = (v: number | undefined): boolean => v === undefined || (v >= d.latency.minNs && v <= d.latency.maxNs);
    if (!inRange(first) || !inRange(second)) return rejected(m, h.opcode, 'latency-range');
    const latencyNs = first ?? second!;
    // Echo the accepted records with rebased pointers, as LX-DANTE and AVIO do (§3.9, §12.1).
    return ok(setLatencyReply.encode({ ...reply(m), records: req.records.slice(0, 0xff) }), [
      { type: 'set-latency', latencyNs, secondLatencyNs: second ?? latencyNs },
    ]);
  },

  [ArcOpcode.SET_TX_CHANNEL_NAME]: (b, h, m, d) => {
    const { renames } = txChannelRenameRequest.decode(b);
    const bad = checkRenames(renames, d.txChannelsRenamable, (c) => d.txChannels.some((t) => t.number === c));
    if (bad) return rejected(m, h.opcode, bad);
    return ok(encodeTxRenameReply(reply(m)), renames.map((r) => ({ type: 'rename-tx-channel', channel: r.channel, name: r.name })));
  },

  [ArcOpcode.SET_RX_CHANNEL_NAME]: (b, h, m, d) => {
    const { renames } = rxChannelRenameRequest.decode(b);
    const bad = checkRenames(renames, d.rxChannelsRenamable, (c) => d.rxChannels.some((r) => r.number === c));
    if (bad) return rejected(m, h.opcode, bad);
    const actions: ArcAction[] = renames.map((r) => ({ type: 'rename-rx-channel', channel: r.channel, name: r.name }));
    if (renames.length > 0) actions.push({ type: 'notify-rx-change', channels: uniqueSorted(renames.map((r) => r.channel)) });
    return ok(statusReply(m, h.opcode, ArcStatus.OK), actions);
  },

  [ArcOpcode.SUBSCRIBE]: (b, h, m, d) => {
    const { records } = subscribeRequest.decode(b);
    const usable = records.filter((r) => !r.badPointer);
    const actions: ArcAction[] = [];
    for (const r of usable) {
      if (!d.rxChannels.some((c) => c.number === r.rxChannel)) return rejected(m, h.opcode, 'unknown-channel');
      if (!isSubscribe(r)) {
        actions.push({ type: 'unsubscribe', rxChannel: r.rxChannel });
        continue;
      }
      const tx = r.txChannelName!;
      const dev = r.txDeviceName!;
      if (!validName(tx) || !validName(dev)) return rejected(m, h.opcode, 'bad-name');
      const toSelf = dev === SELF_DEVICE || dev === d.friendlyName;
      actions.push({ type: 'subscribe', rxChannel: r.rxChannel, txChannelName: tx, txDeviceName: toSelf ? d.friendlyName : dev, toSelf });
    }
    if (usable.length > 0) actions.push({ type: 'notify-rx-change', channels: uniqueSorted(usable.map((r) => r.rxChannel)) });
    return ok(statusReply(m, h.opcode, ArcStatus.OK), actions);
  },

  [ArcOpcode.REMOVE_SUBSCRIPTIONS]: (b, h, m, d) => {
    const { rxChannels } = removeSubscriptionsRequest.decode(b);
    if (rxChannels.some((c) => !d.rxChannels.some((r) => r.number === c))) return rejected(m, h.opcode, 'unknown-channel');
    const actions: ArcAction[] = rxChannels.map((c) => ({ type: 'unsubscribe', rxChannel: c }));
    if (rxChannels.length > 0) actions.push({ type: 'notify-rx-change', channels: uniqueSorted(rxChannels) });
    return ok(statusReply(m, h.opcode, ArcStatus.OK), actions);
  },

  [ArcOpcode.CREATE_MULTICAST_FLOW]: (b, h, m, d) => {
    const { flows } = createMulticastFlowRequest.decode(b);
    if (!d.multicastTx) return { reply: statusReply(m, h.opcode, ArcStatus.UNSUPPORTED), count: 'unsupported-opcode', actions: [] };
    const taken = new Set(d.txFlows.map((f) => f.id));
    const actions: ArcAction[] = [];
    const ids: number[] = [];
    for (const f of flows) {
      // Skipped like Inferno (§3.13): wrong type, id outside 1…max, slot in use, unknown channel.
      if (f.type !== MULTICAST_FLOW_TYPE || f.id < 1 || f.id > d.maxTxFlows || taken.has(f.id)) continue;
      if (f.channels.some((c) => c !== 0 && !d.txChannels.some((t) => t.number === c))) continue;
      taken.add(f.id);
      ids.push(f.id);
      actions.push({ type: 'create-multicast-flow', flowId: f.id, channels: f.channels });
    }
    if (ids.length === 0) return { reply: statusReply(m, h.opcode, ArcStatus.NOTHING), count: 'nothing-created', actions: [] };
    return ok(createMulticastFlowReply.encode({ ...reply(m), ids }), actions);
  },

  [ArcOpcode.DELETE_TX_FLOW]: (b, h, m, d) => {
    const { ids } = deleteTxFlowRequest.decode(b);
    const deletable = uniqueSorted(ids).filter((id) => d.txFlows.some((f) => f.id === id && f.multicast));
    if (deletable.length === 0) return { reply: statusReply(m, h.opcode, ArcStatus.NOTHING), count: 'nothing-deleted', actions: [] };
    return ok(statusReply(m, h.opcode, ArcStatus.OK), deletable.map((id) => ({ type: 'delete-multicast-flow', flowId: id })));
  },

  // legopc: DC polls 0x2204 continuously; OK and empty stops its errors (§3.15).
  [ArcOpcode.TX_POLL_2204]: (_b, h, m) => ok(statusReply(m, h.opcode, ArcStatus.OK)),
  [ArcOpcode.CLOCK_DOMAIN_3300]: (_b, _h, m) => ok(encodeClockDomainReply(reply(m))),
};

function checkRenames(renames: ChannelRename[], renamable: boolean, exists: (c: number) => boolean): string | undefined {
  if (!renamable) return 'not-renamable';
  for (const r of renames) {
    if (!exists(r.channel)) return 'unknown-channel';
    if (r.name !== undefined && !validName(r.name)) return 'bad-name';
  }
  return undefined;
}

/**
 * Answers one ARC datagram. Never throws: malformed input becomes `drop` (a counter key), unknown
 * opcodes get status 0x0030 like real devices (§3.1).
 */
export function handleArcRequest(packet: Uint8Array, device: ArcDeviceView): ArcResult {
  let h: ArcHeader;
  try {
    h = decodeHeader(packet);
    checkLength(packet, h);
  } catch (e) {
    return { drop: e instanceof DecodeError ? e.reason : 'malformed', actions: [] };
  }
  if (!SUPPORTED_PROTOCOL_IDS.has(h.protocolId)) return { drop: 'unknown-protocol', actions: [] };
  if (h.status !== ArcStatus.REQUEST) return { drop: 'status-nonzero', actions: [] };
  const msg: ArcMessage = { protocolId: h.protocolId, transactionId: h.transactionId };
  const handler = HANDLERS[h.opcode];
  const run = handler ? () => handler(packet, h, msg, device) : handlePagedList(packet, h, msg, device);
  if (!run) {
    return { reply: statusReply(msg, h.opcode, ArcStatus.UNSUPPORTED), count: 'unsupported-opcode', actions: [] };
  }
  if (WRITE_OPCODES.has(h.opcode) && device.locked) {
    return { reply: statusReply(msg, h.opcode, ArcStatus.LOCKED), count: 'locked', actions: [] };
  }
  try {
    return run();
  } catch (e) {
    if (e instanceof DecodeError) return { drop: e.reason, actions: [] };
    // A reply we cannot build (e.g. a device name too long for the wire) must not kill the server.
    return { drop: 'internal-error', actions: [] };
  }
}

