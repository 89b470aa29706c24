// The paged list replies of the ARC server: 0x2000, 0x2010, 0x3000, 0x2200, 0x3200 (PROTOCOL.md
// §3.5–3.7, §3.12, §3.14).
import type { ArcHeader, ArcMessage } from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';
import type { ArcDeviceView, ArcResult } from './device-view.js';
import { CHANNEL_PAGE_CAPACITY, FLOW_PAGE_CAPACITY, type PageRequest, pageRequestCodec, pageStatus, selectPage } from './paging.js';
import { FORMAT_DESCRIPTOR_LENGTH, type FormatDescriptor, INFERNO_PCM_TYPE } from './format.js';
import { TX_CHANNEL_FLAGS, type TxChannelRecord, type TxNameRecord, txChannelsReply, txNamesReply } from './tx-channels.js';
import { RX_CHANNEL_FLAGS, type RxChannelRecord, rxChannelCost, rxChannelsReply } from './rx-channels.js';
import { txFlowLength, txFlowsReply } from './tx-flows.js';
import { maskWordsFor, rxFlowsReply } from './rx-flows.js';
import { bareMessage, cstrLen } from './header.js';

const TX_RECORD = 8;
const TX_NAME_RECORD = 6;
const TX_NAMES_GAP = 4;
const RX_RECORD = 20;
/** Slack for the 4-byte alignment inside flow entries when sizing a page. */
const FLOW_ALIGN_SLACK = 6;

const REQUESTS = {
  [ArcOpcode.TX_CHANNELS]: pageRequestCodec(ArcOpcode.TX_CHANNELS),
  [ArcOpcode.TX_CHANNEL_NAMES]: pageRequestCodec(ArcOpcode.TX_CHANNEL_NAMES),
  [ArcOpcode.RX_CHANNELS]: pageRequestCodec(ArcOpcode.RX_CHANNELS),
  [ArcOpcode.TX_FLOWS]: pageRequestCodec(ArcOpcode.TX_FLOWS),
  [ArcOpcode.RX_FLOWS]: pageRequestCodec(ArcOpcode.RX_FLOWS),
} as const;

function nothing(msg: ArcMessage, opcode: number): ArcResult {
  // Start index 0 or past the end: status 0xFFFF, empty (§3.5).
  return { reply: bareMessage.encode({ ...msg, opcode, status: ArcStatus.NOTHING }), actions: [] };
}

function format(d: ArcDeviceView): FormatDescriptor {
  return { sampleRate: d.sampleRate, bitDepth: d.bitDepth, pcmType: d.pcmType ?? INFERNO_PCM_TYPE };
}

/** Channel lists: `start` is 1-based; 0, or past the end of a non-empty list, gets NOTHING. */
function channelWindow(req: PageRequest, total: number): { from: number; capacity: number } | undefined {
  if (req.start === 0 || (total > 0 && req.start > total)) return undefined;
  return { from: Math.min(req.start, total + 1) - 1, capacity: Math.min(total, CHANNEL_PAGE_CAPACITY) };
}

/** Returns the handler for a paged list opcode, or undefined for other opcodes. */
export function handlePagedList(packet: Uint8Array, h: ArcHeader, msg: ArcMessage, d: ArcDeviceView): (() => ArcResult) | undefined {
  switch (h.opcode) {
    case ArcOpcode.TX_CHANNELS:
      return () => {
        const req = REQUESTS[ArcOpcode.TX_CHANNELS].decode(packet);
        const win = channelWindow(req, d.txChannels.length);
        if (!win) return nothing(msg, h.opcode);
        const fmt = format(d);
        const base = 12 + TX_RECORD * win.capacity + FORMAT_DESCRIPTOR_LENGTH;
        const page = selectPage(d.txChannels, win.from, win.capacity, base, (c) => cstrLen(c.factoryName));
        // Factory names, like upstream Inferno (the FTS fork's friendly names are not copied), §3.5.
        const channels = page.items.map((c): TxChannelRecord => ({ number: c.number, flags: TX_CHANNEL_FLAGS, format: fmt, name: c.factoryName }));
        return { reply: txChannelsReply.encode({ ...msg, status: pageStatus(page.more), capacity: win.capacity, channels }), actions: [] };
      };
    case ArcOpcode.TX_CHANNEL_NAMES:
      return () => {
        const req = REQUESTS[ArcOpcode.TX_CHANNEL_NAMES].decode(packet);
        const win = channelWindow(req, d.txChannels.length);
        if (!win) return nothing(msg, h.opcode);
        const base = 12 + TX_NAME_RECORD * win.capacity + TX_NAMES_GAP;
        const nameOf = (c: { factoryName: string; friendlyName?: string }): string => c.friendlyName ?? c.factoryName;
        const page = selectPage(d.txChannels, win.from, win.capacity, base, (c) => cstrLen(nameOf(c)));
        const names = page.items.map((c): TxNameRecord => ({ index: c.number, number: c.number, name: nameOf(c) }));
        return { reply: txNamesReply.encode({ ...msg, status: pageStatus(page.more), capacity: win.capacity, names }), actions: [] };
      };
    case ArcOpcode.RX_CHANNELS:
      return () => {
        const req = REQUESTS[ArcOpcode.RX_CHANNELS].decode(packet);
        const win = channelWindow(req, d.rxChannels.length);
        if (!win) return nothing(msg, h.opcode);
        const fmt = format(d);
        const records = d.rxChannels.map((c): RxChannelRecord => {
          const r: RxChannelRecord = { number: c.number, flags: RX_CHANNEL_FLAGS, format: fmt, name: c.name, status: c.subscription?.status ?? 0 };
          if (c.subscription) {
            r.txChannelName = c.subscription.txChannelName;
            r.txDeviceName = c.subscription.txDeviceName;
          }
          return r;
        });
        const base = 12 + RX_RECORD * win.capacity + FORMAT_DESCRIPTOR_LENGTH;
        const page = selectPage(records, win.from, win.capacity, base, (r) => rxChannelCost(r) - RX_RECORD);
        return { reply: rxChannelsReply.encode({ ...msg, status: pageStatus(page.more), capacity: win.capacity, channels: page.items }), actions: [] };
      };
    case ArcOpcode.TX_FLOWS:
      return () => {
        const req = REQUESTS[ArcOpcode.TX_FLOWS].decode(packet);
        if (req.start === 0 || req.start > d.maxTxFlows) return nothing(msg, h.opcode);
        // The start index counts flow slots (ids), including empty ones (§3.5).
        const flows = d.txFlows.filter((f) => f.id >= req.start).sort((a, b) => a.id - b.id);
        const page = selectPage(flows, 0, FLOW_PAGE_CAPACITY, 12 + 2 * FLOW_PAGE_CAPACITY, (f) => txFlowLength(f, 0) + FLOW_ALIGN_SLACK);
        return { reply: txFlowsReply.encode({ ...msg, status: pageStatus(page.more), capacity: FLOW_PAGE_CAPACITY, flows: page.items }), actions: [] };
      };
    case ArcOpcode.RX_FLOWS:
      return () => {
        const req = REQUESTS[ArcOpcode.RX_FLOWS].decode(packet);
        if (req.start === 0 || req.start > d.maxRxFlows) return nothing(msg, h.opcode);
        const words = maskWordsFor(d.rxChannels.length);
        const flows = d.rxFlows.filter((f) => f.id >= req.start).sort((a, b) => a.id - b.id);
        const cost = (f: { slots: number[][] }): number => 8 + 16 + 2 * words * f.slots.length + 22 + 2 * f.slots.length + FLOW_ALIGN_SLACK;
        const page = selectPage(flows, 0, FLOW_PAGE_CAPACITY, 12 + 2 * FLOW_PAGE_CAPACITY, cost);
        return {
          reply: rxFlowsReply.encode({ ...msg, status: pageStatus(page.more), capacity: FLOW_PAGE_CAPACITY, maskWords: words, flows: page.items }),
          actions: [],
        };
      };
    default:
      return undefined;
  }
}
