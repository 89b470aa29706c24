// 1588-2002 best master comparison, from the grandmaster fields of Sync messages (v1 has no
// Announce). Order as in the standard's data set comparison and ptpd's reading of it: a
// "preferred" grandmaster wins over a non-preferred one (Dante's "Preferred Leader" sets this
// flag), then lower stratum, then identifier rank, then lower variance, then boundary clock, then
// lower grandmaster UUID; two paths to the same grandmaster are told apart by steps removed and then
// by sender UUID.
import { compareBytes } from './identity.js';

export interface V1Dataset {
  preferred: boolean;
  stratum: number;
  identifier: string;
  variance: number;
  isBoundaryClock: boolean;
  grandmasterUuid: Uint8Array;
  grandmasterPortId: number;
  stepsRemoved: number;
  senderUuid: Uint8Array;
  senderPortId: number;
}

/** Clock identifier rank (1588-2002 Table 7 order): lower is better. */
export function identifierRank(id: string): number {
  switch (id) {
    case 'ATOM':
    case 'GPS':
      return 1;
    case 'NTP':
      return 2;
    case 'HAND':
      return 3;
    case 'INIT':
      return 4;
    case 'DFLT':
      return 5;
    default:
      return 6;
  }
}

/** Stratum 255 marks a slave-only clock, which never becomes master. */
export const V1_STRATUM_SLAVE_ONLY = 255;

/** Negative when `a` is the better master, positive when `b` is, 0 when indistinguishable. */
export function compareV1(a: V1Dataset, b: V1Dataset): number {
  const sameGm =
    compareBytes(a.grandmasterUuid, b.grandmasterUuid) === 0 && a.grandmasterPortId === b.grandmasterPortId;
  if (!sameGm) {
    if (a.preferred !== b.preferred) return a.preferred ? -1 : 1;
    return (
      a.stratum - b.stratum ||
      identifierRank(a.identifier) - identifierRank(b.identifier) ||
      a.variance - b.variance ||
      (a.isBoundaryClock === b.isBoundaryClock ? 0 : a.isBoundaryClock ? -1 : 1) ||
      compareBytes(a.grandmasterUuid, b.grandmasterUuid) ||
      a.grandmasterPortId - b.grandmasterPortId
    );
  }
  return (
    a.stepsRemoved - b.stepsRemoved ||
    compareBytes(a.senderUuid, b.senderUuid) ||
    a.senderPortId - b.senderPortId
  );
}
