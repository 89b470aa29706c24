// Clock identities: v1 uses the 6-byte MAC as sourceUuid; v2 derives the EUI-64 clockIdentity from
// it by inserting FF FE in the middle (1588-2008 §7.5.2.2.2). Identities compare as unsigned bytes.

export function eui64FromMac(mac: Uint8Array): Uint8Array {
  if (mac.length !== 6) throw new RangeError(`MAC must be 6 bytes, got ${mac.length}`);
  return Uint8Array.from([mac[0]!, mac[1]!, mac[2]!, 0xff, 0xfe, mac[3]!, mac[4]!, mac[5]!]);
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

export function hexId(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.length).toString('hex');
}

/** A stable key for a sending port: identity hex + "/" + port number. */
export function portKey(id: Uint8Array, port: number): string {
  return `${hexId(id)}/${port}`;
}
