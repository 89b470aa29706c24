// Library options: the device settings as a plain object keyed like `Settings` (camelCase), each
// value given as on the command line or as its number/boolean, and validated by the same parsers:
// a bad value throws the same ConfigError the CLI reports.
import { ConfigError } from '../core/errors.js';
import { SETTINGS } from '../config/schema.js';
import type { Settings } from '../config/schema.js';

/** `{ bindIp: 'eth0', rxChannels: 2, clock: 'local', txSource: 'pattern', subscribe: ['1=01@dev'] }`. */
export type DeviceOptions = { [K in keyof Settings]?: string | number | boolean | readonly string[] };

/** Settings from defaults and `options`; `txSource` defaults to the application (Device.transmit). */
export function settingsFromOptions(options: DeviceOptions): Settings {
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) if (s.default !== undefined) out[s.key] = s.default;
  for (const [key, raw] of Object.entries(options)) {
    if (raw === undefined) continue;
    const spec = SETTINGS.find((s) => s.key === key);
    if (!spec) throw new ConfigError(`option '${key}'`, raw, `one of ${SETTINGS.map((s) => s.key).join(', ')}`);
    out[key] = spec.parse(Array.isArray(raw) ? [...(raw as readonly string[])] : raw);
  }
  // Unless a synthetic source was asked for, the TX channels carry what the application writes.
  if (options.txSource === undefined) out.txSource = { kind: 'app' };
  return out as unknown as Settings;
}
