// 0x2201 create / 0x2202 delete multicast TX flows (PROTOCOL.md §3.13).
import { u16 } from '../bytes.js';
import { type ArcCodec, type ArcMessage, checkedCount, expectHeader, finishPacket, headerFields, startPacket } from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';

/** Byte 10 of create requests (netaudio 0x01, ignored). */
const CREATE_FLAGS = 0x01;
/** Flow type the create request must carry (§3.13). */
export const MULTICAST_FLOW_TYPE = 0x0002;
/** Bytes between the type word and the slot count, ignored (§3.13). */
const CREATE_IGNORED = 10;
/** netaudio's word after the trailer pointer and its 20-byte trailer (unread by Inferno), §3.13. */
const CREATE_AFTER_POINTER = 0x0002;
const CREATE_TRAILER_HEAD = 0x0a00;
const CREATE_TRAILER_TAIL = 0x0001;
const CREATE_TRAILER_LENGTH = 20;

export interface MulticastFlowSpec {
  /** 1-based slot chosen by the controller. */
  id: number;
  type: number;
  /** TX channel per slot, 0 = empty. */
  channels: number[];
}

export interface CreateMulticastFlowRequest extends ArcMessage {
  flows: MulticastFlowSpec[];
}

function descriptorLength(f: MulticastFlowSpec): number {
  return 4 + CREATE_IGNORED + 2 + 2 * f.channels.length + 4 + CREATE_TRAILER_LENGTH;
}

export const createMulticastFlowRequest: ArcCodec<CreateMulticastFlowRequest> = {
  encode(m) {
    if (m.flows.length > 0xff) throw new RangeError('at most 255 flows per request');
    const w = startPacket(m, ArcOpcode.CREATE_MULTICAST_FLOW, ArcStatus.REQUEST, 64).u8(CREATE_FLAGS).u8(m.flows.length);
    w.zeros(2 * m.flows.length).align(4);
    m.flows.forEach((f, i) => {
      w.patchU16(12 + 2 * i, w.offset);
      w.u16(f.id).u16(f.type).zeros(CREATE_IGNORED).u16(f.channels.length);
      for (const c of f.channels) w.u16(c);
      w.u16(w.offset + 4).u16(CREATE_AFTER_POINTER);
      w.u16(CREATE_TRAILER_HEAD).zeros(CREATE_TRAILER_LENGTH - 6).u16(CREATE_TRAILER_TAIL).u16(0);
    });
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.CREATE_MULTICAST_FLOW);
    const n = checkedCount(buf, u16(buf, 10, 'count') & 0xff, 12, 2, 'flow pointer');
    const flows: MulticastFlowSpec[] = [];
    for (let i = 0; i < n; i++) {
      const d = u16(buf, 12 + 2 * i);
      const slots = u16(buf, d + 4 + CREATE_IGNORED, 'slot count');
      checkedCount(buf, slots, d + 6 + CREATE_IGNORED, 2, 'flow slot');
      const channels: number[] = [];
      for (let s = 0; s < slots; s++) channels.push(u16(buf, d + 6 + CREATE_IGNORED + 2 * s));
      flows.push({ id: u16(buf, d, 'flow id'), type: u16(buf, d + 2, 'flow type'), channels });
    }
    return { ...headerFields(h), flows };
  },
  encodingLength(m) {
    const pointers = (12 + 2 * m.flows.length + 3) & ~3;
    return m.flows.reduce((n, f) => n + descriptorLength(f), pointers);
  },
};

/** Flow id list: u16 count, u16 0, count × u16 ids. 0x2201 replies and 0x2202 requests. */
export interface FlowIdList extends ArcMessage {
  ids: number[];
}

function flowIdListCodec(opcode: number, defaultStatus: number): ArcCodec<FlowIdList> {
  return {
    encode(m) {
      const w = startPacket(m, opcode, defaultStatus, 16 + 2 * m.ids.length).u16(m.ids.length).u16(0);
      for (const id of m.ids) w.u16(id);
      return finishPacket(w);
    },
    decode(buf) {
      const h = expectHeader(buf, opcode);
      const n = checkedCount(buf, u16(buf, 10, 'count'), 14, 2, 'flow id');
      const ids: number[] = [];
      for (let i = 0; i < n; i++) ids.push(u16(buf, 14 + 2 * i));
      return { ...headerFields(h), ids };
    },
    encodingLength(m) {
      return 14 + 2 * m.ids.length;
    },
  };
}

export const createMulticastFlowReply = flowIdListCodec(ArcOpcode.CREATE_MULTICAST_FLOW, ArcStatus.OK);
export const deleteTxFlowRequest = flowIdListCodec(ArcOpcode.DELETE_TX_FLOW, ArcStatus.REQUEST);
