// Resolves the bind address (INFERNO_BIND_IP: an IPv4 address or an interface name) against this
// host's interfaces, and derives the identity values that depend on it (PROTOCOL.md §9.1).
import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { ConfigError } from '../core/errors.js';

export interface BoundInterface {
  ip: string;
  ifname: string;
  netmask: string;
  mac: string;
}

function ipv4Of(ifname: string): BoundInterface | undefined {
  const addrs = networkInterfaces()[ifname];
  const a = addrs?.find((x) => x.family === 'IPv4');
  return a ? { ip: a.address, ifname, netmask: a.netmask, mac: a.mac } : undefined;
}

/** Name of the interface holding the IPv4 default route, from /proc/net/route. */
export function defaultRouteInterface(routeTable?: string): string | undefined {
  let text = routeTable;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/net/route', 'utf8');
    } catch {
      return undefined;
    }
  }
  for (const line of text.split('\n').slice(1)) {
    const [iface, dest, , , , , , mask] = line.trim().split(/\s+/);
    if (iface && dest === '00000000' && mask === '00000000') return iface;
  }
  return undefined;
}

export function resolveBindInterface(bind: string | undefined): BoundInterface {
  const all = networkInterfaces();
  const listing = () =>
    Object.entries(all)
      .flatMap(([n, as]) => (as ?? []).filter((a) => a.family === 'IPv4').map((a) => `${n} (${a.address})`))
      .join(', ') || 'none';
  if (bind === undefined) {
    const ifname = defaultRouteInterface();
    const found = ifname ? ipv4Of(ifname) : undefined;
    if (!found) throw new ConfigError('bind-ip', '(default route)', `an IPv4 address or interface name; this host has no IPv4 default route, pick one of: ${listing()}`);
    return found;
  }
  if (isIPv4(bind)) {
    for (const [ifname, addrs] of Object.entries(all)) {
      const a = addrs?.find((x) => x.family === 'IPv4' && x.address === bind);
      if (a) return { ip: a.address, ifname, netmask: a.netmask, mac: a.mac };
    }
    throw new ConfigError('bind-ip', bind, `an IPv4 address of this host: ${listing()}`);
  }
  const found = ipv4Of(bind);
  if (!found) throw new ConfigError('bind-ip', bind, `an interface with an IPv4 address: ${listing()}`);
  return found;
}

export function ipToHex(ip: string): string {
  return ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('');
}

/** v0.5 default device id: `00 00 <IP> <process id u16>` (PROTOCOL.md §9.1). */
export function defaultDeviceId(ip: string, processId: number): string {
  return `0000${ipToHex(ip)}${processId.toString(16).padStart(4, '0')}`;
}
