// Builds the clock source the configuration asks for. Shared by the clock worker and the PTP
// measurement harness (src/bench/ptp-node.ts).
import type { ClockSetting, PtpModeSetting, PtpVersionSetting } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { NativeTimer } from '../native/index.js';
import { LocalClock } from './local-clock.js';
import { PhcClock } from './phc-clock.js';
import { PtpClock } from './ptp-clock.js';
import type { OverlayPublisher } from './publisher.js';
import type { ClockRunner } from './source.js';
import type { Timebase } from './timebase.js';
import { DEFAULT_USRVCLOCK_PATH, UsrvclockClock } from './usrvclock-clock.js';

export type { ClockRunner, ClockStatus } from './source.js';
export { CLOCK_OVERLAY_SHARED, OverlayPublisher } from './publisher.js';
export { Timebase } from './timebase.js';

export interface ClockConfig {
  clock: ClockSetting;
  clockPath?: string;
  ptpVersion: PtpVersionSetting;
  ptpMode: PtpModeSetting;
  ptpPriority1: number;
  ptpPriority2: number;
  ptpDomain: number;
  ip: string;
  /** Interface MAC, aa:bb:cc:dd:ee:ff: the PTP clock identity. */
  mac: string;
}

export function macBytes(mac: string): Uint8Array {
  const hex = mac.replace(/[^0-9a-f]/gi, '');
  if (hex.length !== 12) throw new RangeError(`bad MAC address '${mac}'`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function createClockRunner(c: ClockConfig, deps: { native: NativeTimer; timebase: Timebase; publisher: OverlayPublisher; log: Logger }): ClockRunner {
  const path = c.clock.path ?? c.clockPath;
  switch (c.clock.source) {
    case 'local':
      return new LocalClock(deps.timebase, deps.publisher);
    case 'usrvclock':
      return new UsrvclockClock({ ...deps, serverPath: path ?? DEFAULT_USRVCLOCK_PATH });
    case 'phc':
      if (!path) throw new RangeError('--clock phc needs a device path, e.g. phc:/dev/ptp0');
      return new PhcClock({ ...deps, devicePath: path });
    case 'ptp':
      return new PtpClock({
        ...deps,
        interfaceIp: c.ip,
        mac: macBytes(c.mac),
        version: c.ptpVersion,
        mode: c.ptpMode,
        priority1: c.ptpPriority1,
        priority2: c.ptpPriority2,
        domain: c.ptpDomain,
      });
  }
}
