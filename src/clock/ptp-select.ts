// With `--ptp-version both` one v1 and one v2 port run side by side, each with its own best-master
// algorithm in its own version. Which one's time we publish:
//   1. a port that follows a leader (locked before unlocked; v1 before v2 on a tie: Dante gear
//      speaks v1 and is what we exchange audio with);
//   2. otherwise any port (all lead or listen; they then serve the same free-running time).
// A port that leads while the other follows serves the followed time (a version bridge, as Dante
// devices in AES67 mode do), so v1 and v2 devices on the network end up on one clock.
import type { PtpPort } from '../core/ptp/port.js';

export type AnyPort = PtpPort<unknown>;

const followingStates = new Set(['uncalibrated', 'follower', 'holdover']);

export function selectActivePort(ports: readonly AnyPort[]): AnyPort {
  let best: AnyPort | null = null;
  let bestRank = -1;
  for (const p of ports) {
    const st = p.status();
    const rank = st.state === 'follower' && st.locked ? 3 : followingStates.has(st.state) ? 2 : st.state === 'leader' ? 1 : 0;
    if (rank > bestRank) {
      best = p;
      bestRank = rank;
    }
  }
  if (!best) throw new RangeError('no PTP port');
  return best;
}

/** Makes every leading port other than `active` serve the active port's time. */
export function bridgeLeaders(ports: readonly AnyPort[], active: AnyPort): void {
  const o = active.currentOverlay();
  if (!o) return;
  for (const p of ports) if (p !== active && p.state === 'leader') p.serveOverlay(o.snapshot());
}
