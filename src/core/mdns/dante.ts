// The exact Dante record set of PROTOCOL.md §2.2 (TXT keys in Inferno's order), with one host
// name as SRV target for every service like real devices (§2.4).
// `_netaudio-dbc` is NOT published: real devices advertise it but its content is unknown (§2.1).
import { ConfigError } from '../errors.js';
import {
  SERVICE_ARC, SERVICE_BUND, SERVICE_CHAN, SERVICE_CMC, RESPONSE_ORIGIN_NAME,
  atDeviceLabel, hostFqdn, hostLabelFor, instanceFqdn, parseIpv4, reservationName,
} from './names.js';
import type { DanteRecordSet, MdnsRecord, ServiceInstance } from './records.js';
import { encodeTxt } from './txt.js';
import type { TxtEntry } from './txt.js';

/** TTL of the ARC service records (§2.2). */
export const ARC_TTL = 4500;
/** TTL of everything else: the upstream library default (§2.2). */
export const DEFAULT_TTL = 120;

/** Constant TXT values Inferno sends (§2.2); meanings of `dbcp`, `channels` unknown (§11.1). */
export const DANTE_TXT = {
  arcpVers: '2.7.41',
  arcpMin: '0.2.4',
  routerVers: '4.0.2',
  cmcpVers: '1.2.0',
  cmcpMin: '1.0.0',
  serverVers: '4.0.2',
  /** Constant, meaning unknown (§2.2, §11.1). */
  cmcChannels: '0x6000004d',
  chanTxtVers: '2',
  dbcp1: '0x1102',
  /** Meaning unknown (§2.2, §11.1). */
  dbcp: '0x1004',
  bundTxtVers: '1',
} as const;

/** Max channels per flow advertised in CHAN `nchan` (§2.2, §5.6). */
export const MAX_CHANNELS_PER_FLOW = 8;

export interface DanteTxChannel {
  /** Factory name, e.g. `01`: always published, with the bare `default` key. */
  factoryName: string;
  /** Friendly name, e.g. `TX 1`: published too when it differs from the factory name. */
  friendlyName: string;
}

export interface DanteBundle {
  /** Flow id = 1-based slot of the multicast TX flow (§3.13). */
  id: number;
  /** Multicast group, e.g. `239.255.12.34`. */
  group: string;
  port: number;
  /** 1-based TX channel number per slot, 0 for an empty slot; length = `nchan`. */
  channels: number[];
}

export interface DanteMdnsDevice {
  /** Device (friendly) name; instance label of ARC/CMC and the `@<device>` of channels. */
  name: string;
  /** 16 hex digits of the 8-byte device id. */
  deviceId: string;
  processId: number;
  ipv4: string;
  /** Host label (SRV target without `.local`); default derived from `name`. */
  hostLabel?: string;
  arcPort: number;
  cmcPort: number;
  flowsPort: number;
  sampleRate: number;
  /** Bits per sample, e.g. 24. */
  bitDepth: number;
  /** PCM type byte, 0x0e on current devices (§2.2). */
  pcmType: number;
  latencyNs: number;
  fppMax: number;
  fppMin: number;
  boardName: string;
  manufacturer: string;
  /** ARC/CMC `model`, e.g. `_000000000000000b`. */
  modelNumber: string;
  /** TX channels in order; channel k (1-based) is `txChannels[k-1]`. */
  txChannels: DanteTxChannel[];
  bundles: DanteBundle[];
  /** Groups reserved (§5.6) besides the bundles' groups, e.g. while a new address is checked. */
  reservedGroups?: string[];
  /** Publish CHAN instances (v0.5: only once the transmitter part runs, §1.3). Default true. */
  publishChannels?: boolean;
}

/** Multicast bundle TX port (§1.2, §5.6). */
export const DANTE_MULTICAST_PORT = 4321;

export function arcTxt(d: DanteMdnsDevice): TxtEntry[] {
  return [
    ['arcp_vers', DANTE_TXT.arcpVers],
    ['arcp_min', DANTE_TXT.arcpMin],
    ['router_vers', DANTE_TXT.routerVers],
    ['router_info', d.boardName],
    ['mf', d.manufacturer],
    ['model', d.modelNumber],
  ];
}

export function cmcTxt(d: DanteMdnsDevice): TxtEntry[] {
  return [
    ['id', d.deviceId.toLowerCase()],
    ['process', String(d.processId)],
    ['cmcp_vers', DANTE_TXT.cmcpVers],
    ['cmcp_min', DANTE_TXT.cmcpMin],
    ['server_vers', DANTE_TXT.serverVers],
    ['channels', DANTE_TXT.cmcChannels],
    ['mf', d.manufacturer],
    ['model', d.modelNumber],
    // Inferno appends two empty strings (§2.2); kept for byte-identical TXT.
    ['', null],
    ['', null],
  ];
}

/** CHAN TXT of TX channel `channel` (1-based); `isDefault` on the factory-name instance. */
export function chanTxt(d: DanteMdnsDevice, channel: number, isDefault: boolean): TxtEntry[] {
  const out: TxtEntry[] = [
    ['txtvers', DANTE_TXT.chanTxtVers],
    ['dbcp1', DANTE_TXT.dbcp1],
    ['dbcp', DANTE_TXT.dbcp],
    ['id', String(channel)],
    ['rate', String(d.sampleRate)],
    ['pcm', `${Math.ceil(d.bitDepth / 8)} ${d.pcmType.toString(16)}`],
    ['enc', String(d.bitDepth)],
    ['en', String(d.bitDepth)],
    ['latency_ns', String(d.latencyNs)],
    ['fpp', `${d.fppMax},${d.fppMin}`],
    ['nchan', String(Math.min(MAX_CHANNELS_PER_FLOW, d.txChannels.length))],
  ];
  if (isDefault) out.push(['default', null]);
  for (const b of [...d.bundles].sort((x, y) => x.id - y.id)) {
    const pos = b.channels.indexOf(channel);
    if (pos >= 0) out.push([`b.${b.id}`, String(pos + 1)]);
  }
  return out;
}

export function bundTxt(d: DanteMdnsDevice, b: DanteBundle): TxtEntry[] {
  return [
    ['txtvers', DANTE_TXT.bundTxtVers],
    ['id', String(b.id)],
    ['nchan', String(b.channels.length)],
    ['latency_ns', String(d.latencyNs)],
    // Inferno's multicast flows always use fpp 32 (§5.6).
    ['fpp', '32'],
    ['rate', String(d.sampleRate)],
    ['enc', String(d.bitDepth)],
    ['a.0', b.group],
    ['p.0', String(b.port)],
  ];
}

function service(
  serviceType: string, label: string, host: string, port: number, txt: TxtEntry[], ttl: number,
): ServiceInstance {
  const fqdn = instanceFqdn(label, serviceType);
  return {
    serviceType,
    label,
    fqdn,
    ptr: { name: serviceType, type: 'PTR', ttl, unique: false, data: fqdn },
    srv: { name: fqdn, type: 'SRV', ttl, unique: true, data: { priority: 0, weight: 0, port, target: host } },
    txt: { name: fqdn, type: 'TXT', ttl, unique: true, data: encodeTxt(txt) },
  };
}

/** Builds the complete record set of §2.2 for one device. */
export function buildDanteRecordSet(d: DanteMdnsDevice): DanteRecordSet {
  if (!parseIpv4(d.ipv4)) throw new ConfigError('ipv4', d.ipv4, 'dotted IPv4 address');
  if (!/^[0-9a-f]{16}$/i.test(d.deviceId)) throw new ConfigError('device id', d.deviceId, '16 hex digits');
  const host = hostFqdn(d.hostLabel ?? hostLabelFor(d.name));
  const services: ServiceInstance[] = [
    service(SERVICE_ARC, d.name, host, d.arcPort, arcTxt(d), ARC_TTL),
    service(SERVICE_CMC, d.name, host, d.cmcPort, cmcTxt(d), DEFAULT_TTL),
  ];
  if (d.publishChannels !== false) {
    d.txChannels.forEach((ch, i) => {
      const n = i + 1;
      services.push(service(SERVICE_CHAN, atDeviceLabel(ch.factoryName, d.name), host, d.flowsPort, chanTxt(d, n, true), DEFAULT_TTL));
      if (ch.friendlyName !== ch.factoryName && ch.friendlyName !== '') {
        services.push(service(SERVICE_CHAN, atDeviceLabel(ch.friendlyName, d.name), host, d.flowsPort, chanTxt(d, n, false), DEFAULT_TTL));
      }
    });
  }
  for (const b of d.bundles) {
    services.push(service(SERVICE_BUND, atDeviceLabel(b.id, d.name), host, d.flowsPort, bundTxt(d, b), DEFAULT_TTL));
  }
  const unique = distinctInstances(services);
  const groups = [...new Set([...d.bundles.map((b) => b.group), ...(d.reservedGroups ?? [])])];
  const reservations = groups.map(
    (g): MdnsRecord & { type: 'A' } => ({ name: reservationName(g), type: 'A', ttl: DEFAULT_TTL, unique: false, data: d.ipv4 }),
  );
  return {
    deviceName: d.name,
    hostName: host,
    services: unique,
    hostA: { name: host, type: 'A', ttl: DEFAULT_TTL, unique: true, data: d.ipv4 },
    reservations,
    origin: {
      name: RESPONSE_ORIGIN_NAME,
      type: 'TXT',
      ttl: DEFAULT_TTL,
      unique: false,
      data: encodeTxt([[responseOrigin(d.deviceId, d.processId), null]]),
    },
  };
}

/** `<device id hex>,<process id>`, the string of the origin marker (§2.2). */
export function responseOrigin(deviceId: string, processId: number): string {
  return `${deviceId.toLowerCase()},${processId}`;
}

/**
 * Drops later instances whose name repeats an earlier one (e.g. TX 1 renamed to `02`, the factory
 * name of TX 2): one name cannot point at two channels, and the first (factory order) wins.
 */
function distinctInstances(services: ServiceInstance[]): ServiceInstance[] {
  const seen = new Set<string>();
  return services.filter((s) => {
    const k = s.fqdn.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
