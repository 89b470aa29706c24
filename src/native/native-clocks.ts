// usrvclock client sockets and PTP hardware clock readers over the addon's functions.
import type { Addon, PhcReader, UsrvclockClient } from './types.js';

function missing(what: string): Error {
  return new Error(`this build of the native helper has no ${what} support (run npm run build:native)`);
}

export function openNativeUsrvclock(addon: Addon, serverPath: string, clientDir: string): UsrvclockClient {
  const { usrvclockOpen, usrvclockSubscribe, usrvclockRecv, usrvclockClose } = addon;
  if (!usrvclockOpen || !usrvclockSubscribe || !usrvclockRecv || !usrvclockClose) throw missing('usrvclock');
  const h = usrvclockOpen(serverPath, clientDir);
  let closed = false;
  return {
    subscribe: () => usrvclockSubscribe(h),
    recv: (timeoutMs: number) => (closed ? null : usrvclockRecv(h, timeoutMs)),
    close: () => {
      if (!closed) usrvclockClose(h);
      closed = true;
    },
  };
}

export function openNativePhc(addon: Addon, path: string): PhcReader {
  const { phcOpen, phcRead, phcClose } = addon;
  if (!phcOpen || !phcRead || !phcClose) throw missing('PHC');
  const h = phcOpen(path);
  return { read: () => phcRead(h), close: () => phcClose(h) };
}
