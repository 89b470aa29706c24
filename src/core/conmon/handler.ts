// Pure request → answer logic for the conmon port 8700 (PROTOCOL.md §4.3, §4.5). Answers are
// multicast to 224.0.0.231:8702 by the caller, never sent back unicast; device-side changes come
// out as actions for the caller to carry out.
import { DecodeError } from '../errors.js';
import * as boardInfo from './board-info.js';
import * as clearConfig from './clear-config-status.js';
import * as clockStatus from './clock-status.js';
import { ConmonSequence, encodeConmonPacket } from './header.js';
import * as interfaceInfo from './interface-info.js';
import * as t from './message-types.js';
import * as productInfo from './product-info.js';
import { decodeAes67Request, decodeClockControlRequest, decodeConmonRequest, decodeRebootRequest, decodeSettingRequest } from './requests.js';
import * as settingStatus from './setting-status.js';

export type ConmonAction =
  | { type: 'identify' }
  | { type: 'set-sample-rate'; sampleRate: number }
  | { type: 'set-encoding'; bitDepth: number }
  | { type: 'reboot' };

/** What the handler needs to know about the device; `sequence` is advanced for every answer. */
export interface ConmonDeviceView {
  processId: number;
  /** 8 bytes. */
  deviceId: Uint8Array;
  sequence: ConmonSequence;
  boardInfo: boardInfo.BoardInfo;
  productInfo: productInfo.ProductInfo;
  sampleRate: number;
  supportedSampleRates: readonly number[];
  /** Bit depth of the device's flows (16/24/32). */
  encoding: number;
  supportedEncodings: readonly number[];
  /** Undefined while the leader is unknown: 0x0021 then goes unanswered, as in v0.5 (§4.3). */
  clockStatus?: clockStatus.ClockStatus;
  /** Undefined when the interface is not known: 0x0013 goes unanswered. */
  interfaceInfo?: interfaceInfo.InterfaceInfo;
}

export interface ConmonResult {
  multicast: Buffer[];
  actions: ConmonAction[];
  drop?: string;
}

/** Packs `content` into a message from this device with the next sequence number. */
export function conmonMessage(device: ConmonDeviceView, messageType: number, content?: Uint8Array): Buffer {
  return encodeConmonPacket(
    { sequence: device.sequence.next(), processId: device.processId, deviceId: device.deviceId, messageType },
    content,
  );
}

/** Board info then product info, multicast at start-up (§1.3). */
export function startupAnnouncements(device: ConmonDeviceView): Buffer[] {
  return [
    conmonMessage(device, t.MSG_BOARD_INFO, boardInfo.encode(device.boardInfo)),
    conmonMessage(device, t.MSG_PRODUCT_INFO, productInfo.encode(device.productInfo)),
  ];
}

/** 0x0080 as sent on request and (devices) unprompted about every 7.5 s. */
export function sampleRateStatusMessage(device: ConmonDeviceView, rate = device.sampleRate): Buffer {
  return conmonMessage(device, t.MSG_SAMPLE_RATE_STATUS, settingStatus.encode(settingStatus.statusFor(rate, device.supportedSampleRates)));
}

export function encodingStatusMessage(device: ConmonDeviceView, bits = device.encoding): Buffer {
  return conmonMessage(device, t.MSG_ENCODING_STATUS, settingStatus.encode(settingStatus.statusFor(bits, device.supportedEncodings)));
}

const answer = (multicast: Buffer[], actions: ConmonAction[] = []): ConmonResult => ({ multicast, actions });
const dropped = (drop: string): ConmonResult => ({ multicast: [], actions: [], drop });

export function handleConmonRequest(packet: Uint8Array, device: ConmonDeviceView): ConmonResult {
  try {
    return dispatch(packet, device);
  } catch (e) {
    if (e instanceof DecodeError) return dropped(e.reason);
    throw e;
  }
}

function dispatch(packet: Uint8Array, device: ConmonDeviceView): ConmonResult {
  const { header, content } = decodeConmonRequest(packet);
  switch (header.messageType) {
    case t.MSG_BOARD_INFO_QUERY:
      return answer([conmonMessage(device, t.MSG_BOARD_INFO, boardInfo.encode(device.boardInfo))]);
    case t.MSG_PRODUCT_INFO_QUERY:
      return answer([conmonMessage(device, t.MSG_PRODUCT_INFO, productInfo.encode(device.productInfo))]);
    case t.MSG_CLOCK_QUERY:
      // Any 0x0021 is read as a query (v0.5); we cannot become leader, so a preferred-leader set
      // is answered with the unchanged status.
      decodeClockControlRequest(content);
      if (!device.clockStatus) return dropped('clock-unknown');
      return answer([conmonMessage(device, t.MSG_CLOCK_STATUS, clockStatus.encode(device.clockStatus))]);
    case t.MSG_INTERFACE_QUERY:
      // Setters (`01 1c …`) are not supported: the answer shows the unchanged interface.
      if (!device.interfaceInfo) return dropped('interface-unknown');
      return answer([conmonMessage(device, t.MSG_INTERFACE_INFO, interfaceInfo.encode(device.interfaceInfo))]);
    case t.MSG_CLEAR_CONFIG_QUERY:
      return answer([conmonMessage(device, t.MSG_CLEAR_CONFIG_STATUS, clearConfig.encode())]);
    case t.MSG_SAMPLE_RATE_REQUEST: {
      const req = decodeSettingRequest(content);
      if (req.kind === 'set' && req.value !== device.sampleRate && device.supportedSampleRates.includes(req.value)) {
        // The status shows the new rate: the caller applies the action before sending it.
        return answer([sampleRateStatusMessage(device, req.value)], [{ type: 'set-sample-rate', sampleRate: req.value }]);
      }
      return answer([sampleRateStatusMessage(device)]);
    }
    case t.MSG_ENCODING_REQUEST: {
      const req = decodeSettingRequest(content);
      if (req.kind === 'set' && req.value !== device.encoding && device.supportedEncodings.includes(req.value)) {
        return answer([encodingStatusMessage(device, req.value)], [{ type: 'set-encoding', bitDepth: req.value }]);
      }
      return answer([encodingStatusMessage(device)]);
    }
    case t.MSG_REBOOT:
      decodeRebootRequest(content);
      // legopc: 0x0092 without content, then the process exits for a supervisor to restart it.
      return answer([conmonMessage(device, t.MSG_REBOOT_ACK)], [{ type: 'reboot' }]);
    case t.MSG_IDENTIFY:
      return answer([], [{ type: 'identify' }]);
    case t.MSG_FACTORY_RESET:
      return dropped('factory-reset-ignored');
    case t.MSG_AES67_REQUEST:
      decodeAes67Request(content);
      return dropped('aes67-unsupported');
    case t.MSG_DC_PERIODIC_QUERY:
      return dropped('periodic-query');
    default:
      return dropped('unknown-type');
  }
}
