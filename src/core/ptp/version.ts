// Telling PTPv1 from PTPv2 on the shared ports 319/320: v1 starts with versionPTP u16 = 0x0001;
// v2 has messageType in byte 0 and versionPTP in the low nibble of byte 1 (= 2).

export type PtpVersion = 1 | 2;

export function detectPtpVersion(buf: Uint8Array): PtpVersion | null {
  if (buf.length < 2) return null;
  if (buf[0] === 0 && buf[1] === 1) return 1;
  if ((buf[1]! & 0x0f) === 2) return 2;
  return null;
}
