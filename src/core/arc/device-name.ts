// 0x1002 device name reply and 0x1001 set device name request (PROTOCOL.md §3.2, §3.11). The
// 0x1002 request and the 0x1001 reply are bare headers.
import { cstring } from '../bytes.js';
import { ARC_HEADER_LENGTH, type ArcCodec, type ArcMessage, cstrLen, expectHeader, finishPacket, headerFields, startPacket } from './header.js';
import { ArcOpcode, ArcStatus } from './constants.js';

export interface DeviceNameReply extends ArcMessage {
  name: string;
}

export const deviceNameReply: ArcCodec<DeviceNameReply> = {
  encode(m) {
    const w = startPacket(m, ArcOpcode.DEVICE_NAME, ArcStatus.OK, 48);
    w.cstring(m.name);
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.DEVICE_NAME);
    return { ...headerFields(h), name: cstring(buf, ARC_HEADER_LENGTH, 'device name') };
  },
  encodingLength(m) {
    return ARC_HEADER_LENGTH + cstrLen(m.name);
  },
};

export interface SetDeviceNameRequest extends ArcMessage {
  /** New name; undefined = reset to the factory name (request without content, §3.11). */
  name: string | undefined;
}

export const setDeviceNameRequest: ArcCodec<SetDeviceNameRequest> = {
  encode(m) {
    const w = startPacket(m, ArcOpcode.SET_DEVICE_NAME, ArcStatus.REQUEST, 48);
    if (m.name !== undefined) w.cstring(m.name);
    return finishPacket(w);
  },
  decode(buf) {
    const h = expectHeader(buf, ArcOpcode.SET_DEVICE_NAME);
    const name = buf.length === ARC_HEADER_LENGTH ? undefined : cstring(buf, ARC_HEADER_LENGTH, 'device name');
    return { ...headerFields(h), name };
  },
  encodingLength(m) {
    return ARC_HEADER_LENGTH + (m.name === undefined ? 0 : cstrLen(m.name));
  },
};
