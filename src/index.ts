// Public library API of inferno-aoip. Protocol layers are exported as namespaces so their short
// names (encode, decode, ...) never collide; device-level classes are exported by name.
export { getLogger, configureLogging } from './log.js';
export type { Logger, LogLevel, LogFormat, LogSettings } from './log.js';
export { DecodeError, ConfigError } from './core/errors.js';

export { loadSettings, readConfigFile } from './config/load.js';
export { resolveDeviceConfig } from './config/device-config.js';
export type { DeviceConfig, ChannelName, DevicePorts } from './config/device-config.js';
export { SETTINGS, MAX_CHANNELS } from './config/schema.js';
export type { Settings } from './config/schema.js';
export { DeviceEngine } from './engine/device.js';
export { Device } from './device.js';
export type {
  DeviceOptions,
  DeviceEvents,
  SubscriptionEvent,
  ClockEvent,
  OverflowEvent,
  CaptureBlock,
  CaptureOptions,
  CaptureStats,
  CaptureStream,
  TransmitOptions,
  TransmitStats,
  TxSourceInput,
  TxBlock,
  TxStream,
} from './device.js';
export {
  loadNative,
  nativeStatus,
  createFallback,
  CLOCK_REALTIME,
  CLOCK_MONOTONIC,
  CLOCK_MONOTONIC_RAW,
  CLOCK_TAI,
} from './native/index.js';
export type { NativeTimer, NativeStatus, OsResult, PtpSocket, PtpSocketOptions, PtpMessage, TimestampKind } from './native/index.js';

export * as arc from './core/arc/index.js';
export * as cmc from './core/cmc/index.js';
export * as conmon from './core/conmon/index.js';
export * as flows from './core/flows/index.js';
export * as audio from './core/audio/index.js';
export * as usrvclock from './core/usrvclock.js';
export * as ptp from './core/ptp/index.js';
export * as mdns from './core/mdns/index.js';
export {
  MdnsResponder,
  MdnsBrowser,
  MdnsResolveError,
  UdpMdnsTransport,
  MemoryMdnsSegment,
  MemoryMdnsTransport,
} from './net/mdns/index.js';
export type { MdnsTransport, ResolvedChannel, ResolvedService, DanteDeviceListing } from './net/mdns/index.js';

export * from './core/media-time.js';
export {
  ClockOverlayWriter,
  ClockOverlayReader,
  ClockState,
  createClockOverlayBuffer,
  CLOCK_OVERLAY_BYTES,
} from './core/clock-overlay.js';
export type { ClockOverlayParams, ClockOverlaySnapshot } from './core/clock-overlay.js';
export { createMediaRing, MediaRingWriter, MediaRingReader, DEFAULT_HOLE_FIX_WAIT, DEFAULT_RING_CAPACITY } from './core/media-ring.js';
export type { MediaRingOptions, RingReadResult, RingWriterState } from './core/media-ring.js';
export { patternSample, fillPattern, checkPattern } from './core/pattern.js';
