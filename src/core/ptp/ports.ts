// Convenience constructors: one port per PTP version, as the clock worker creates them.
import type { V1Dataset } from './bmca-v1.js';
import type { V2Dataset } from './bmca-v2.js';
import { PtpPort, type PortOptions } from './port.js';
import { V1Protocol, type V1Settings } from './v1-protocol.js';
import { V2Protocol, type V2Settings } from './v2-protocol.js';

export type PtpV1Port = PtpPort<V1Dataset>;
export type PtpV2Port = PtpPort<V2Dataset>;

export function createPtpV1Port(settings: V1Settings, options: PortOptions = {}): PtpV1Port {
  return new PtpPort(new V1Protocol(settings), options);
}

export function createPtpV2Port(settings: V2Settings, options: PortOptions = {}): PtpV2Port {
  return new PtpPort(new V2Protocol(settings), options);
}
