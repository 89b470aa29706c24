// 0x0078, v0.5's answer to 0x0077 (legopc: DC's "Clear Config"). PROTOCOL.md §4.3, §11.1: the
// meaning of the 8 bytes is unknown; they are kept verbatim here.
export const CLEAR_CONFIG_STATUS_CONTENT: readonly number[] = [0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00];

export function encode(): Buffer {
  return Buffer.from(CLEAR_CONFIG_STATUS_CONTENT);
}

export function encodingLength(): number {
  return CLEAR_CONFIG_STATUS_CONTENT.length;
}
