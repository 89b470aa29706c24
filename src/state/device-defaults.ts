// The link between the configuration and the saved state: limits and defaults come from the
// configuration, and the saved state overrides the configuration where a controller changed it.
import type { DeviceConfig } from '../config/device-config.js';
import { MAX_LATENCY_NS, MIN_LATENCY_NS, SUPPORTED_SAMPLE_RATES } from '../config/schema.js';
import { DEFAULT_ENCODING, SUPPORTED_ENCODINGS } from './device-state.js';
import type { DeviceLimits, DeviceStateData } from './device-state.js';
import { deviceStateDir, StateStore } from './state-store.js';
import type { Logger } from '../log.js';

export function limitsFor(config: DeviceConfig): DeviceLimits {
  return {
    rxChannels: config.rxChannels,
    txChannels: config.txChannels,
    minLatencyNs: MIN_LATENCY_NS,
    maxLatencyNs: MAX_LATENCY_NS,
    sampleRates: SUPPORTED_SAMPLE_RATES,
    encodings: SUPPORTED_ENCODINGS,
  };
}

export function defaultStateData(config: DeviceConfig): DeviceStateData {
  return {
    name: config.name,
    rxNames: {},
    txNames: {},
    subscriptions: {},
    latencyNs: config.rxLatencyNs,
    secondLatencyNs: config.rxLatencyNs,
    sampleRate: config.sampleRate,
    encoding: DEFAULT_ENCODING,
    multicastFlows: [],
  };
}

export function stateStoreFor(config: DeviceConfig, log?: Logger): StateStore {
  return new StateStore({
    dir: deviceStateDir(config.stateDir, config.deviceId),
    deviceId: config.deviceId,
    limits: limitsFor(config),
    defaults: defaultStateData(config),
    ...(log ? { log } : {}),
  });
}

/** The configuration the workers run with: saved controller changes win over configured values. */
export function configWithSavedState(config: DeviceConfig, data: DeviceStateData): DeviceConfig {
  return {
    ...config,
    name: data.name,
    sampleRate: data.sampleRate,
    rxLatencyNs: data.latencyNs,
    rxChannelNames: config.rxChannelNames.map((c) => ({ ...c, friendly: data.rxNames[c.id] ?? c.friendly })),
    txChannelNames: config.txChannelNames.map((c) => ({ ...c, friendly: data.txNames[c.id] ?? c.friendly })),
  };
}
