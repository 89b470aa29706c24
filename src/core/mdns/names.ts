// DNS-SD names for Dante services (PROTOCOL.md §2.1–§2.2). Instance labels such as
// `TX 1@Dev` hold '@' and spaces and stay ONE DNS label on the wire. Our packet codec
// (dns-packet) splits names at '.', so a label must not contain '.'; Dante forbids '.' in
// device and channel names anyway, and we reject it here rather than publish a wrong name.
import { ConfigError } from '../errors.js';

export const MDNS_DOMAIN = 'local';

export const SERVICE_ARC = '_netaudio-arc._udp.local';
export const SERVICE_CMC = '_netaudio-cmc._udp.local';
export const SERVICE_CHAN = '_netaudio-chan._udp.local';
export const SERVICE_BUND = '_netaudio-bund._udp.local';
/** Real devices advertise it; content unknown (§2.1), so we browse it only. */
export const SERVICE_DBC = '_netaudio-dbc._udp.local';

export const DANTE_SERVICE_TYPES = [SERVICE_ARC, SERVICE_CMC, SERVICE_CHAN, SERVICE_BUND] as const;

/** Inferno's self-marker answered with address reservations (§2.2, §2.3 step 8). */
export const RESPONSE_ORIGIN_NAME = '_inferno-response-origin.local';

/** Dante Controller ignores devices whose names are longer (§2.4). */
export const DANTE_NAME_MAX_BYTES = 31;
/** RFC 1035 label limit. */
export const DNS_LABEL_MAX_BYTES = 63;

/** Throws ConfigError unless `label` can be sent as one DNS label by our codec. */
export function assertLabel(label: string, setting = 'mDNS label'): void {
  const bytes = Buffer.byteLength(label);
  if (bytes === 0 || bytes > DNS_LABEL_MAX_BYTES || label.includes('.')) {
    throw new ConfigError(setting, label, `1–${DNS_LABEL_MAX_BYTES} bytes without '.'`);
  }
}

/** `<label>.<service type>`, e.g. `01@Dev._netaudio-chan._udp.local`. */
export function instanceFqdn(label: string, serviceType: string): string {
  assertLabel(label, 'service instance name');
  return `${label}.${serviceType}`;
}

/** Channel or bundle instance label `<name>@<device>` (§2.2). */
export function atDeviceLabel(name: string | number, deviceName: string): string {
  return `${name}@${deviceName}`;
}

/** Splits `<channel>@<device>` at the LAST '@' (channel names may contain '@', device names not). */
export function splitAtDevice(label: string): { name: string; device: string } | undefined {
  const at = label.lastIndexOf('@');
  if (at <= 0 || at === label.length - 1) return undefined;
  return { name: label.slice(0, at), device: label.slice(at + 1) };
}

/** First label of a name (the instance label of an instance FQDN). */
export function firstLabel(fqdn: string, serviceType: string): string | undefined {
  const suffix = '.' + serviceType;
  if (fqdn.length <= suffix.length || !fqdn.toLowerCase().endsWith(suffix.toLowerCase())) return undefined;
  return fqdn.slice(0, fqdn.length - suffix.length);
}

/** DNS names compare case-insensitively (ASCII only, RFC 6762 §16). */
export function nameKey(name: string): string {
  return name.replace(/\.$/, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

/**
 * Host label derived from the friendly name: letters, digits and '-' (RFC 952 style) so every
 * resolver accepts it. Real devices use one host name for all services (§2.4).
 */
export function hostLabelFor(friendlyName: string): string {
  const label = friendlyName
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, DNS_LABEL_MAX_BYTES);
  return label || 'inferno';
}

export function hostFqdn(hostLabel: string): string {
  assertLabel(hostLabel, 'host name');
  return `${hostLabel}.${MDNS_DOMAIN}`;
}

/** `Name (n)` after a name conflict (RFC 6763 §9 style), cut so it stays ≤ 31 bytes. */
export function conflictDeviceName(base: string, n: number): string {
  // `-n`, not ` (n)`: Dante device names are letters, digits and hyphens (config/schema.ts).
  const suffix = `-${n}`;
  return truncateBytes(base, DANTE_NAME_MAX_BYTES - Buffer.byteLength(suffix)) + suffix;
}

/** `host-n` after a host name conflict (RFC 6762 §9). */
export function conflictHostLabel(base: string, n: number): string {
  const suffix = `-${n}`;
  return truncateBytes(base, DNS_LABEL_MAX_BYTES - suffix.length) + suffix;
}

export function truncateBytes(s: string, maxBytes: number): string {
  let out = s;
  while (Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
  return out;
}

/** Reservation name of a multicast group: `d.c.b.a.in-addr.local` for a.b.c.d (§2.2, §5.6). */
export function reservationName(group: string): string {
  const octets = parseIpv4(group);
  if (!octets) throw new ConfigError('multicast group', group, 'dotted IPv4 address');
  return `${[...octets].reverse().join('.')}.in-addr.${MDNS_DOMAIN}`;
}

export function parseIpv4(s: string): [number, number, number, number] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const o = m.slice(1).map(Number) as [number, number, number, number];
  return o.every((x) => x <= 255) ? o : undefined;
}
