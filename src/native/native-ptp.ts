// PtpSocket over the addon's blocking calls (see PtpSocket in types.ts for the loop contract).
import type { Addon, AddonHandle, PtpMessage, PtpSendOptions, PtpSendResult, PtpSocket, PtpSocketInfo, PtpSocketOptions } from './types.js';

// One event-loop turn, so a worker spinning on recv() still handles its messages and timers.
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** A build without readable events: wake the reader this often instead (what the clock used to poll at). */
const WATCH_EMULATION_MS = 5;

function message(m: ReturnType<Addon['ptpSocketRecv']>): PtpMessage | null {
  if (!m) return null;
  return { data: m.data, address: m.address, port: m.port, timestampNs: m.timestampNs, timestampKind: m.timestampKind };
}

export function openNativePtpSocket(addon: Addon, opts: PtpSocketOptions): PtpSocket {
  const handle: AddonHandle = addon.ptpSocketOpen(opts);
  let closed = false;
  let emulation: ReturnType<typeof setInterval> | undefined;
  const unwatch = (): void => {
    clearInterval(emulation);
    emulation = undefined;
    if (!closed) addon.ptpSocketWatch?.(handle, null);
  };
  return {
    info(): PtpSocketInfo {
      return addon.ptpSocketInfo(handle);
    },
    async recv(timeoutMs: number): Promise<PtpMessage | null> {
      if (closed) return null;
      const m = addon.ptpSocketRecv(handle, timeoutMs);
      await turn();
      return message(m);
    },
    tryRecv(): PtpMessage | null {
      return closed ? null : message(addon.ptpSocketRecv(handle, 0));
    },
    onReadable(cb: (() => void) | null): void {
      if (closed) return;
      unwatch();
      if (!cb) return;
      if (addon.ptpSocketWatch) addon.ptpSocketWatch(handle, cb);
      else emulation = setInterval(cb, WATCH_EMULATION_MS);
    },
    async send(data: Uint8Array, address: string, port: number, o?: PtpSendOptions): Promise<PtpSendResult> {
      return addon.ptpSocketSend(handle, data, address, port, o);
    },
    close(): void {
      unwatch();
      closed = true;
      addon.ptpSocketClose(handle);
    },
  };
}
