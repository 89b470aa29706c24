// The pure-JS stand-in for the native helper. Precision lost, compared with the addon:
// - CLOCK_REALTIME/TAI are CLOCK_MONOTONIC (process.hrtime) plus an offset fixed when this module
//   loads, so later NTP or manual steps of the wall clock are not followed; TAI offset is taken as 0.
// - CLOCK_MONOTONIC_RAW is CLOCK_MONOTONIC (differs by the NTP frequency correction, up to 500 ppm).
// - Sleeps use Atomics.wait, which wakes later and less predictably than clock_nanosleep.
// - No real-time priority, CPU affinity or memory locking.
// - PTP timestamps are read in JS (see fallback-ptp.ts).
import { performance } from 'node:perf_hooks';
import { openFallbackPtpSocket } from './fallback-ptp.js';
import { openDgramUdpSender } from './udp-sender.js';
import { openDgramUdpReceiver } from './udp-receiver.js';
import {
  CLOCK_MONOTONIC,
  CLOCK_MONOTONIC_RAW,
  CLOCK_REALTIME,
  CLOCK_TAI,
  type NativeTimer,
  type OsResult,
  type PtpSocketOptions,
  type SchedPolicy,
} from './types.js';

export const FALLBACK_PRECISION_NOTE =
  'wall clock fixed at start (NTP steps not followed, TAI offset 0), MONOTONIC_RAW = MONOTONIC, ' +
  'sleeps via Atomics.wait (later wake-ups), no real-time priority/affinity/mlock, ' +
  'PTP timestamps read in JS (event-loop jitter instead of kernel stamps)';

const NS_PER_SEC = 1_000_000_000n;

// hrtime.bigint() is CLOCK_MONOTONIC on Linux. performance.timeOrigin is the wall time (µs
// precision) at which performance.now() was 0, a better anchor than Date.now()'s milliseconds.
const REALTIME_OFFSET_NS: bigint = (() => {
  const mono = process.hrtime.bigint();
  const wallNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  return wallNs - mono;
})();

function clockNs(clockId: number): bigint {
  checkInt(clockId, 'clockId');
  switch (clockId) {
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
      return process.hrtime.bigint();
    case CLOCK_REALTIME:
    case CLOCK_TAI:
      return process.hrtime.bigint() + REALTIME_OFFSET_NS;
    default:
      throw new RangeError(`unknown clock id ${clockId} (the JS fallback knows 0, 1, 4 and 11)`);
  }
}

function clockReadInto(clockId: number, target: BigInt64Array | Float64Array, index: number): void {
  checkInt(clockId, 'clockId');
  if (!Number.isInteger(index) || index < 0) throw new TypeError('index must be a non-negative integer');
  if (target instanceof BigInt64Array) {
    if (index >= target.length) throw new RangeError('index out of range');
    target[index] = clockNs(clockId);
  } else if (target instanceof Float64Array) {
    if (index + 1 >= target.length) throw new RangeError('index + 1 out of range');
    const ns = clockNs(clockId);
    target[index] = Number(ns / NS_PER_SEC);
    target[index + 1] = Number(ns % NS_PER_SEC);
  } else {
    throw new TypeError('target must be a BigInt64Array or Float64Array');
  }
}

// Private to this thread: nobody notifies it, so Atomics.wait just times out.
const waitCell = new Int32Array(new SharedArrayBuffer(4));

// Same guard as the native helper: a deadline further ahead is almost surely a clock mix-up.
const MAX_AHEAD_NS = 3600n * NS_PER_SEC;

function sleepUntil(clockId: number, ns: bigint): void {
  if (typeof ns !== 'bigint') throw new TypeError('ns must be a bigint');
  const ahead = ns - clockNs(clockId);
  if (ahead > MAX_AHEAD_NS) throw new RangeError(`deadline is ${ahead / NS_PER_SEC} s ahead of clock ${clockId} (limit 3600 s): wrong clock?`);
  for (;;) {
    const left = ns - clockNs(clockId);
    if (left <= 0n) return;
    Atomics.wait(waitCell, 0, 0, Number(left) / 1e6);
  }
}

function sleepUntilParts(clockId: number, sec: number, nsec: number): void {
  checkInt(sec, 'sec');
  checkInt(nsec, 'nsec');
  if (sec < 0) throw new TypeError('sec must be >= 0');
  if (nsec < 0 || nsec >= 1e9) throw new TypeError('nsec must be between 0 and 999999999');
  sleepUntil(clockId, BigInt(sec) * NS_PER_SEC + BigInt(nsec));
}

function checkInt(v: unknown, name: string): void {
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isInteger(v)) throw new TypeError(`${name} must be an integer`);
}

/** The fallback; `reason` (why the addon is not used) goes into the ENOSYS messages. */
export function createFallback(reason = 'native helper not loaded'): NativeTimer {
  const unsupported = (what: string): OsResult => ({
    ok: false,
    errno: 'ENOSYS',
    message: `${what} needs the native helper (${reason})`,
  });
  return {
    native: false,
    CLOCK_REALTIME,
    CLOCK_MONOTONIC,
    CLOCK_MONOTONIC_RAW,
    CLOCK_TAI,
    clockNs,
    clockReadInto,
    taiOffsetSeconds: () => 0,
    sleepUntil,
    sleepUntilParts,
    setRealtimePriority(policy: SchedPolicy, priority: number): OsResult {
      if (policy !== 'fifo' && policy !== 'rr' && policy !== 'other') {
        throw new TypeError("policy must be 'fifo', 'rr' or 'other'");
      }
      checkInt(priority, 'priority');
      return unsupported('setting thread priority');
    },
    threadScheduling: () => ({ policy: 'unknown', priority: 0 }),
    setCpuAffinity(cpus: number[]): OsResult {
      if (!Array.isArray(cpus)) throw new TypeError('cpus must be an array of CPU numbers');
      for (const c of cpus) checkInt(c, 'cpus[i]');
      return unsupported('setting CPU affinity');
    },
    getCpuAffinity: () => null,
    setTimerSlackNs(ns: number): OsResult {
      checkInt(ns, 'ns');
      if (ns < 1) throw new TypeError('ns must be >= 1');
      return unsupported('setting timer slack');
    },
    timerSlackNs: () => null,
    mlockAll: () => unsupported('locking memory'),
    releaseMemory: () => false,
    limitMallocArenas: () => false,
    munlockAll: () => unsupported('unlocking memory'),
    ptpSocketOpen: (opts: PtpSocketOptions) => openFallbackPtpSocket(opts, () => clockNs(CLOCK_REALTIME)),
    udpSenderOpen: openDgramUdpSender,
    udpReceiverOpen: openDgramUdpReceiver,
    // Node has no Unix datagram sockets and cannot read a dynamic POSIX clock.
    usrvclockOpen: () => {
      throw new Error(`the usrvclock source needs the native helper (${reason})`);
    },
    phcOpen: () => {
      throw new Error(`the phc source needs the native helper (${reason})`);
    },
    alsaOpen: () => {
      throw new Error(`ALSA is unavailable: it needs the native addon (${reason})`);
    },
    alsaTakeMessages: () => ({ messages: [], suppressed: 0 }),
  };
}
