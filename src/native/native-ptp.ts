// PtpSocket over the addon's blocking calls (see PtpSocket in types.ts for the loop contract).
import type { Addon, AddonHandle, PtpMessage, PtpSendOptions, PtpSendResult, PtpSocket, PtpSocketInfo, PtpSocketOptions } from './types.js';

// One event-loop turn, so a worker spinning on recv() still handles its messages and timers.
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function openNativePtpSocket(addon: Addon, opts: PtpSocketOptions): PtpSocket {
  const handle: AddonHandle = addon.ptpSocketOpen(opts);
  let closed = false;
  return {
    info(): PtpSocketInfo {
      return addon.ptpSocketInfo(handle);
    },
    async recv(timeoutMs: number): Promise<PtpMessage | null> {
      if (closed) return null;
      const m = addon.ptpSocketRecv(handle, timeoutMs);
      await turn();
      if (!m) return null;
      return { data: m.data, address: m.address, port: m.port, timestampNs: m.timestampNs, timestampKind: m.timestampKind };
    },
    async send(data: Uint8Array, address: string, port: number, o?: PtpSendOptions): Promise<PtpSendResult> {
      return addon.ptpSocketSend(handle, data, address, port, o);
    },
    close(): void {
      closed = true;
      addon.ptpSocketClose(handle);
    },
  };
}
