// 1588-2008 §9.3.4 data set comparison (Figures 27/28) for an ordinary clock with one port.
import { compareBytes } from './identity.js';
import type { PortIdentity } from './v2-messages.js';

export interface V2Dataset {
  priority1: number;
  clockClass: number;
  clockAccuracy: number;
  offsetScaledLogVariance: number;
  priority2: number;
  grandmasterIdentity: Uint8Array;
  stepsRemoved: number;
  /** The port the data set came from (our own port for D0). */
  sender: PortIdentity;
  /** The port that received it (our own port; for D0 also our own). */
  receiver: PortIdentity;
}

function comparePortIdentity(a: PortIdentity, b: PortIdentity): number {
  return compareBytes(a.clockIdentity, b.clockIdentity) || a.portNumber - b.portNumber;
}

/** Negative when `a` is the better master, positive when `b` is, 0 when indistinguishable. */
export function compareV2(a: V2Dataset, b: V2Dataset): number {
  if (compareBytes(a.grandmasterIdentity, b.grandmasterIdentity) !== 0) {
    return (
      a.priority1 - b.priority1 ||
      a.clockClass - b.clockClass ||
      a.clockAccuracy - b.clockAccuracy ||
      a.offsetScaledLogVariance - b.offsetScaledLogVariance ||
      a.priority2 - b.priority2 ||
      compareBytes(a.grandmasterIdentity, b.grandmasterIdentity)
    );
  }
  // Same grandmaster: decide by topology (Figure 28).
  if (a.stepsRemoved > b.stepsRemoved + 1) return 1;
  if (b.stepsRemoved > a.stepsRemoved + 1) return -1;
  if (a.stepsRemoved > b.stepsRemoved) {
    // a came through one more hop; b is better (by topology or as a loop through us).
    return 1;
  }
  if (b.stepsRemoved > a.stepsRemoved) return -1;
  return comparePortIdentity(a.sender, b.sender) || a.receiver.portNumber - b.receiver.portNumber;
}

/** Clock classes 1…127 may only be master or passive, never slave (§9.3.3). */
export function isMasterOnlyClass(clockClass: number): boolean {
  return clockClass >= 1 && clockClass <= 127;
}
