// Loads the native timing helper (native-timer/) or, when it is missing, broken, on another OS or
// disabled with INFERNO_NATIVE=0, the pure-JS fallback with the same interface. Each thread loads
// its own copy (the addon is context-aware), and the choice is made once per thread.
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { getLogger } from '../log.js';
import { createFallback, FALLBACK_PRECISION_NOTE } from './fallback.js';
import { openNativePtpSocket } from './native-ptp.js';
import { openNativePhc, openNativeUsrvclock } from './native-clocks.js';
import { openNativeAlsa, takeAlsaMessages } from './native-alsa.js';
import { openDgramUdpSender, openNativeUdpSender } from './udp-sender.js';
import { openDgramUdpReceiver, openNativeUdpReceiver } from './udp-receiver.js';
import type { Addon, AlsaOpenOptions, NativeStatus, NativeTimer, PtpSocketOptions, RxBatchHandler, UdpReceiverOptions, UdpSenderOptions } from './types.js';

export * from './types.js';
export { createFallback, FALLBACK_PRECISION_NOTE } from './fallback.js';

/** Must match abiVersion in native-timer/src/addon.cc; a stale build is not used. */
export const NATIVE_ABI_VERSION = 1;

/** dist/native/index.js -> native-timer/build/Release/inferno_native.node */
export const ADDON_PATH = fileURLToPath(new URL('../../native-timer/build/Release/inferno_native.node', import.meta.url));

let cached: { timer: NativeTimer; status: NativeStatus } | undefined;

/** Wraps a loaded addon in the NativeTimer interface. */
export function createNative(addon: Addon): NativeTimer {
  return {
    native: true,
    CLOCK_REALTIME: addon.CLOCK_REALTIME,
    CLOCK_MONOTONIC: addon.CLOCK_MONOTONIC,
    CLOCK_MONOTONIC_RAW: addon.CLOCK_MONOTONIC_RAW,
    CLOCK_TAI: addon.CLOCK_TAI,
    clockNs: addon.clockNs,
    clockReadInto: addon.clockReadInto,
    taiOffsetSeconds: addon.taiOffsetSeconds,
    sleepUntil: addon.sleepUntil,
    sleepUntilParts: addon.sleepUntilParts,
    setRealtimePriority: addon.setRealtimePriority,
    threadScheduling: addon.threadScheduling,
    setCpuAffinity: addon.setCpuAffinity,
    getCpuAffinity: addon.getCpuAffinity,
    setTimerSlackNs: addon.setTimerSlackNs,
    timerSlackNs: addon.timerSlackNs,
    mlockAll: addon.mlockAll,
    munlockAll: addon.munlockAll,
    releaseMemory: () => (addon.releaseMemory ? (addon.releaseMemory(), true) : false),
    limitMallocArenas: (n: number) => (addon.limitMallocArenas ? (addon.limitMallocArenas(n), true) : false),
    // async so that argument and bind errors arrive as rejections, as with the fallback
    ptpSocketOpen: async (opts: PtpSocketOptions) => openNativePtpSocket(addon, opts),
    // A build without the TX flow sockets keeps node:dgram.
    udpSenderOpen: async (opts: UdpSenderOptions) => openNativeUdpSender(addon, opts) ?? openDgramUdpSender(opts),
    // Likewise for the RX flow sockets.
    udpReceiverOpen: async (opts: UdpReceiverOptions, onBatch: RxBatchHandler) => openNativeUdpReceiver(addon, opts, onBatch) ?? openDgramUdpReceiver(opts, onBatch),
    usrvclockOpen: (serverPath: string, clientDir: string) => openNativeUsrvclock(addon, serverPath, clientDir),
    phcOpen: (path: string) => openNativePhc(addon, path),
    alsaOpen: (opts: AlsaOpenOptions) => openNativeAlsa(addon, opts),
    alsaTakeMessages: () => takeAlsaMessages(addon),
  };
}

function tryLoad(): { timer: NativeTimer; status: NativeStatus } {
  if (process.env.INFERNO_NATIVE === '0') return { timer: createFallback('INFERNO_NATIVE=0'), status: { loaded: false, reason: 'INFERNO_NATIVE=0' } };
  if (process.platform !== 'linux') {
    const reason = `the native helper is Linux-only (platform ${process.platform})`;
    return { timer: createFallback(reason), status: { loaded: false, reason } };
  }
  let reason: string;
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
    if (addon.abiVersion === NATIVE_ABI_VERSION) {
      return { timer: createNative(addon), status: { loaded: true, path: ADDON_PATH } };
    }
    reason = `stale build: abiVersion ${String(addon.abiVersion)}, expected ${NATIVE_ABI_VERSION} (run npm run build:native)`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reason = e.code === 'MODULE_NOT_FOUND' ? 'not built (run npm run build:native)' : `failed to load: ${e.message}`;
  }
  return { timer: createFallback(reason), status: { loaded: false, reason, path: ADDON_PATH } };
}

/**
 * The helper for this thread: the addon when it loads, else the fallback. The main thread logs the
 * fallback once for the whole process (workers make the same choice silently).
 */
export function loadNative(): NativeTimer {
  if (!cached) {
    cached = tryLoad();
    if (!cached.status.loaded && isMainThread) {
      getLogger('native').warn('native helper not used; the JS fallback loses precision', {
        reason: cached.status.reason,
        lost: FALLBACK_PRECISION_NOTE,
      });
    }
  }
  return cached.timer;
}

/** Whether loadNative() uses the addon, and why not. */
export function nativeStatus(): NativeStatus {
  loadNative();
  return { ...cached!.status };
}
