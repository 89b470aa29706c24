// The interface of the timing helper, implemented by the native addon and by the pure-JS fallback.
// Clock ids are Linux clockid_t values; software timestamps are CLOCK_REALTIME nanoseconds.

export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_MONOTONIC_RAW = 4;
export const CLOCK_TAI = 11;

export type SchedPolicy = 'fifo' | 'rr' | 'other';

/** Outcome of an OS call that may be refused for lack of privileges; never thrown. */
export type OsResult = { ok: true } | { ok: false; errno: string; message: string };

/**
 * Where a PTP timestamp comes from: 'hardware' NIC clock, 'software' kernel stack (CLOCK_REALTIME),
 * 'user' read by the native helper right after receiving (no kernel stamp: e.g. a datagram that
 * arrived just after the first timestamping socket on the host opened, since the kernel turns RX
 * stamping on asynchronously; judge every message by its own kind),
 * 'js' read by the JS fallback when the datagram event ran (event-loop latency included).
 */
export type TimestampKind = 'hardware' | 'software' | 'user' | 'js';

export interface PtpSocketOptions {
  bindAddress: string;
  port: number;
  /** Joined on interfaceAddress (or the default interface). */
  multicastGroup?: string;
  /** Also sets IP_MULTICAST_IF. */
  interfaceAddress?: string;
  /** IP_MULTICAST_LOOP; default false (a PTP node does not want its own messages back). */
  loopback?: boolean;
  /** IP_MULTICAST_TTL; default 1. */
  ttl?: number;
  /**
   * Try NIC hardware timestamps on the interface owning interfaceAddress (needs root; changes the
   * device's timestamping config). Falls back to software; see PtpSocketInfo.hardwareNote.
   */
  hardware?: boolean;
}

export interface PtpMessage {
  data: Buffer;
  address: string;
  port: number;
  timestampNs: bigint;
  timestampKind: TimestampKind;
}

export interface PtpSendOptions {
  /** Wait for the transmit timestamp (native: from the socket error queue). */
  wantTxTimestamp?: boolean;
  /** How long to wait for it; default 10 ms. */
  txTimeoutMs?: number;
}

export interface PtpSendResult {
  txTimestampNs: bigint | null;
  txTimestampKind: TimestampKind | null;
}

export interface PtpSocketInfo {
  /** Kind of receive timestamps this socket delivers. */
  timestampKind: TimestampKind;
  txTimestamps: boolean;
  hardwareNote: string;
  localAddress: string;
  localPort: number;
}

/**
 * A PTP event or general socket. Two ways to read, both on either implementation:
 *   - event-driven (the clock worker): onReadable(cb) calls cb when datagrams are waiting, then
 *     tryRecv() drains them without blocking; the thread sleeps in its event loop in between.
 *   - promise loop: for (;;) { const m = await sock.recv(nextDeadlineMs); ... }. Native: recv()
 *     blocks the calling thread in poll() for up to timeoutMs and resolves after a setImmediate
 *     turn, so the worker's event loop still runs between receives. Fallback: recv() waits for
 *     node:dgram events without blocking.
 * Timestamps are taken by the kernel (native), so when a datagram is read does not matter.
 */
export interface PtpSocket {
  info(): PtpSocketInfo;
  /** Next datagram, or null after timeoutMs. */
  recv(timeoutMs: number): Promise<PtpMessage | null>;
  /** The next waiting datagram without blocking, or null (also once closed). */
  tryRecv(): PtpMessage | null;
  /** Calls cb while datagrams are waiting (native: once per event-loop turn; fallback: per arrival);
   *  null stops. Spurious calls are possible: tryRecv() may then return null. */
  onReadable(cb: (() => void) | null): void;
  send(data: Uint8Array, address: string, port: number, opts?: PtpSendOptions): Promise<PtpSendResult>;
  /** Idempotent. A pending recv() resolves null. */
  close(): void;
}

export interface UdpSenderOptions {
  /** Local address to bind (the device IP); the port is ephemeral. */
  bindAddress: string;
  /** The receiver (or multicast group) the socket is connected to. */
  address: string;
  port: number;
  /** IP_MULTICAST_IF, for flows to a multicast group. */
  multicastInterface?: string;
  /** IP_MULTICAST_TTL (1..255); the kernel default (1) when absent. */
  ttl?: number;
}

/**
 * One TX flow's socket: bound to the device IP, connected to the receiver. send() never blocks and
 * never waits for the event loop: native, packets go out in the call (one sendmmsg for a batch)
 * without allocating; the fallback is node:dgram. The same socket receives the keepalives.
 */
export interface UdpSender {
  /** true when the native addon sends (sendmmsg), false for node:dgram. */
  readonly native: boolean;
  readonly localAddress: string;
  readonly localPort: number;
  /**
   * Sends `count` packets of `length` bytes laid end to end from data[0]. Returns how many the
   * kernel took; the others are counted in `errors` (e.g. EAGAIN when the send buffer is full).
   */
  send(data: Uint8Array, length: number, count: number): number;
  /** Packets that could not be sent, and the errno name of the last failure ('' when none). */
  readonly errors: number;
  readonly lastError: string;
  /** Datagrams received since the last call (keepalives); never blocks. */
  received(): number;
  /** Idempotent. */
  close(): void;
}

export interface UdpReceiverOptions {
  /** The device's address: a unicast flow binds it, a multicast flow joins its group on it. */
  bindAddress: string;
  /** Unicast: 0 for an ephemeral port. Multicast: the group's port. */
  port: number;
  /** Binds the group and port (SO_REUSEADDR) and joins it on bindAddress's interface. */
  multicastGroup?: string;
  /** SO_RCVBUF asked for; the kernel doubles it, capped by net.core.rmem_max (see recvBufferBytes). */
  recvBufferBytes: number;
}

/**
 * The datagrams of one batch, valid only during the handler call (the native receiver reuses the
 * slots). Datagram i is packets[i] up to meta[4i] bytes; meta[4i + 1] is its source IPv4 address
 * (host order), meta[4i + 2] the source port, meta[4i + 3] flags (RX_FLAG_TRUNCATED). A length above
 * packets[i].length means the datagram did not fit its slot and only the slot's bytes are there.
 */
export interface RxBatch {
  readonly packets: readonly Uint8Array[];
  readonly meta: Uint32Array;
}
export const RX_META_WORDS = 4;
export const RX_FLAG_TRUNCATED = 1;
/** `more`: the batch ended a wake-up's read bound and the socket may hold more datagrams. */
export type RxBatchHandler = (batch: RxBatch, count: number, more: boolean) => void;

export interface UdpReceiverStats {
  datagrams: number;
  /** Handler calls: datagrams / batches is the mean batch size. */
  batches: number;
  /** Datagrams longer than a slot (counted, and handed over with their real length). */
  truncated: number;
  /** Failed receives and sends, and the errno name of the last one ('' when none). */
  errors: number;
  lastError: string;
}

/** An RX flow socket: the addon's recvmmsg batches, or node:dgram one datagram per batch. */
export interface UdpReceiver {
  readonly native: boolean;
  readonly localAddress: string;
  readonly localPort: number;
  /** SO_RCVBUF as the kernel granted it. */
  readonly recvBufferBytes: number;
  /** A small datagram from this socket (keepalives); never blocks, failures are counted. */
  send(data: Uint8Array, address: string, port: number): void;
  stats(): UdpReceiverStats;
  /** Idempotent; the handler is not called after it. */
  close(): void;
}

export interface ThreadScheduling {
  policy: SchedPolicy | 'unknown';
  priority: number;
}

export interface NativeTimer {
  /** true when backed by the addon, false for the JS fallback. */
  readonly native: boolean;
  readonly CLOCK_REALTIME: number;
  readonly CLOCK_MONOTONIC: number;
  readonly CLOCK_MONOTONIC_RAW: number;
  readonly CLOCK_TAI: number;

  clockNs(clockId: number): bigint;
  /**
   * Reads a clock without allocating: into a BigInt64Array, target[index] = nanoseconds; into a
   * Float64Array, target[index] = seconds and target[index + 1] = nanoseconds (a single double of
   * epoch nanoseconds would not be exact). It avoids garbage, not time: through Node-API it costs
   * about twice a clockNs() call (measured ~170 vs ~70 ns), so prefer clockNs unless GC matters.
   */
  clockReadInto(clockId: number, target: BigInt64Array | Float64Array, index: number): void;
  /** Kernel TAI-UTC offset (adjtimex read). 0 on hosts where no daemon set it. */
  taiOffsetSeconds(): number;

  /**
   * Blocks the calling thread until the clock reaches ns; never returns early. A deadline more
   * than an hour ahead throws RangeError (most likely a time from another clock).
   */
  sleepUntil(clockId: number, ns: bigint): void;
  /** sleepUntil without a BigInt: sec >= 0, 0 <= nsec < 1e9. */
  sleepUntilParts(clockId: number, sec: number, nsec: number): void;

  /** For the calling thread. EPERM names CAP_SYS_NICE and RLIMIT_RTPRIO. */
  setRealtimePriority(policy: SchedPolicy, priority: number): OsResult;
  threadScheduling(): ThreadScheduling;
  /** For the calling thread. */
  setCpuAffinity(cpus: number[]): OsResult;
  /** CPUs the calling thread may run on, or null when unknown (fallback). */
  getCpuAffinity(): number[] | null;
  /**
   * Timer slack of the calling thread (ns >= 1). SCHED_OTHER threads default to 50 µs, by which
   * every sleepUntil may wake late; the transmit worker sets 1.
   */
  setTimerSlackNs(ns: number): OsResult;
  /** The calling thread's timer slack, or null when unknown (fallback). */
  timerSlackNs(): number | null;
  /** Whole process, MCL_CURRENT | MCL_FUTURE. EPERM/ENOMEM name RLIMIT_MEMLOCK and CAP_IPC_LOCK. */
  mlockAll(): OsResult;
  /** Compacting GC of this thread's isolate and malloc_trim of the process; returns whether it ran
   *  (false in the fallback or an older build). For after start-up, not for a hot path. */
  releaseMemory(): boolean;
  /** Threads started later share at most n malloc arenas; returns whether it applied. */
  limitMallocArenas(n: number): boolean;
  munlockAll(): OsResult;

  ptpSocketOpen(opts: PtpSocketOptions): Promise<PtpSocket>;
  /** A TX flow socket; rejects with a system error (bind, connect) or a TypeError for bad options. */
  udpSenderOpen(opts: UdpSenderOptions): Promise<UdpSender>;
  /** An RX flow socket calling onBatch with what arrived; rejects with a system error (bind, join)
   *  or a TypeError for bad options. The fallback and builds without it use node:dgram. */
  udpReceiverOpen(opts: UdpReceiverOptions, onBatch: RxBatchHandler): Promise<UdpReceiver>;

  /** usrvclock client (PROTOCOL.md §7.1): binds a datagram socket in clientDir. Native only. */
  usrvclockOpen(serverPath: string, clientDir: string): UsrvclockClient;
  /** Opens a PTP hardware clock (/dev/ptpN) read-only; throws a system error naming the path. Native only. */
  phcOpen(path: string): PhcReader;
  /** Opens an ALSA PCM with its own I/O thread (see AlsaOpenOptions). Native only; throws one clear
   * error when the addon or libasound is missing, or naming the PCM when it cannot be opened. */
  alsaOpen(opts: AlsaOpenOptions): AlsaPcm;
  /** ALSA's own error messages since the last call (rate-limited; `suppressed` were dropped). */
  alsaTakeMessages(): { messages: string[]; suppressed: number };
}

export interface AlsaOpenOptions {
  /** Any ALSA PCM name: hw:0, plughw:1,0, default, pipewire, dmix, null, file:'out.raw',raw, ... */
  pcm: string;
  stream: 'playback' | 'capture';
  rate: number;
  channels: number;
  /** Requested; the PCM grants the nearest (AlsaPcmInfo). */
  periodFrames: number;
  bufferFrames: number;
  /** Frames of the ring between JS and the I/O thread (at least two periods). */
  ringFrames: number;
}

/** What the PCM granted. `clocked` is false for PCMs without a clock of their own (null, file). */
export interface AlsaPcmInfo {
  pcm: string;
  stream: 'playback' | 'capture';
  /** snd_pcm_type_t (0 = hw, 3 = file, 4 = null, ...). */
  type: number;
  clocked: boolean;
  format: 'S32_LE' | 'S24_LE' | 'S16_LE' | 'FLOAT_LE';
  rate: number;
  channels: number;
  periodFrames: number;
  bufferFrames: number;
  ringFrames: number;
}

export interface AlsaPcmStatus {
  /** Frames waiting in the ring (playback: not yet written to ALSA; capture: not yet read by JS). */
  ringFill: number;
  /** snd_pcm_delay / snd_pcm_avail after the last transfer. */
  delayFrames: number;
  availFrames: number;
  /** Xruns (underrun, overrun, suspend) recovered with snd_pcm_recover. */
  xruns: number;
  transferredFrames: number;
  /** Frames that found the ring full (playback: JS wrote too much; capture: JS read too late). */
  droppedFrames: number;
  /** Set once the PCM failed beyond recovery. */
  error?: string;
}

/** Interleaved s32 frames of `info.channels` channels; all calls copy and never block. */
export interface AlsaPcm {
  readonly info: AlsaPcmInfo;
  /** Playback: frames taken into the ring (fewer when full). */
  write(samples: Int32Array, frames: number): number;
  /** Capture: frames copied out of the ring. */
  read(samples: Int32Array, maxFrames: number): number;
  status(): AlsaPcmStatus;
  /** Drops up to `frames` of the oldest frames in the ring; returns how many. */
  discard(frames: number): number;
  /** Test and diagnostic hook: the next transfer goes through the xrun recovery path. */
  injectXrun(): void;
  /** Playback with drain: the ring is written out first. */
  close(drain?: boolean): void;
}

export interface UsrvclockClient {
  /** Sends the subscribe datagram; a missing or dead server is an error result, not a throw. */
  subscribe(): OsResult;
  /** Blocks up to timeoutMs for one frame (raw bytes); null on timeout. */
  recv(timeoutMs: number): Buffer | null;
  close(): void;
}

/** One PHC reading bracketed by CLOCK_TAI readings, ns. */
export interface PhcReading {
  before: bigint;
  phc: bigint;
  after: bigint;
}

export interface PhcReader {
  read(): PhcReading;
  close(): void;
}

export interface NativeStatus {
  loaded: boolean;
  reason?: string;
  path?: string;
}

/** What the compiled addon exports (native-timer/src/*.cc); handles are opaque externals. */
export interface Addon {
  abiVersion: number;
  CLOCK_REALTIME: number;
  CLOCK_MONOTONIC: number;
  CLOCK_MONOTONIC_RAW: number;
  CLOCK_TAI: number;
  clockNs(clockId: number): bigint;
  clockReadInto(clockId: number, target: BigInt64Array | Float64Array, index: number): void;
  taiOffsetSeconds(): number;
  sleepUntil(clockId: number, ns: bigint): void;
  sleepUntilParts(clockId: number, sec: number, nsec: number): void;
  setRealtimePriority(policy: SchedPolicy, priority: number): OsResult;
  threadScheduling(): ThreadScheduling;
  setCpuAffinity(cpus: number[]): OsResult;
  getCpuAffinity(): number[];
  setTimerSlackNs(ns: number): OsResult;
  timerSlackNs(): number;
  mlockAll(): OsResult;
  munlockAll(): OsResult;
  ptpSocketOpen(opts: PtpSocketOptions): AddonHandle;
  ptpSocketRecv(h: AddonHandle, timeoutMs: number): (PtpMessage & { truncated: boolean }) | null;
  ptpSocketSend(h: AddonHandle, data: Uint8Array, address: string, port: number, opts?: PtpSendOptions): PtpSendResult;
  ptpSocketClose(h: AddonHandle): void;
  /** Absent from builds before readable events (same abiVersion: additions only). */
  ptpSocketWatch?(h: AddonHandle, cb: (() => void) | null): void;
  releaseMemory?(): void;
  limitMallocArenas?(n: number): void;
  ptpSocketInfo(h: AddonHandle): PtpSocketInfo;
  /** Absent from builds before the usrvclock/PHC functions (same abiVersion: additions only). */
  usrvclockOpen?(serverPath: string, clientDir: string): AddonHandle;
  usrvclockSubscribe?(h: AddonHandle): OsResult;
  usrvclockRecv?(h: AddonHandle, timeoutMs: number): Buffer | null;
  usrvclockClose?(h: AddonHandle): void;
  phcOpen?(path: string): AddonHandle;
  phcRead?(h: AddonHandle): PhcReading;
  phcClose?(h: AddonHandle): void;
  alsaLoad?(libraryName: string): { ok: true; version: string } | { ok: false; message: string };
  alsaOpen?(pcm: string, stream: string, rate: number, channels: number, periodFrames: number, bufferFrames: number, ringFrames: number): AddonHandle;
  alsaInfo?(h: AddonHandle): AlsaPcmInfo;
  alsaWrite?(h: AddonHandle, samples: Int32Array, frames: number): number;
  alsaRead?(h: AddonHandle, samples: Int32Array, maxFrames: number): number;
  alsaStatus?(h: AddonHandle): AlsaPcmStatus;
  alsaDiscard?(h: AddonHandle, frames: number): number;
  alsaInjectXrun?(h: AddonHandle): void;
  alsaClose?(h: AddonHandle, drain: boolean): void;
  alsaTakeMessages?(): { messages: string[]; suppressed: number };
  /** Absent from builds before the TX flow sockets (same abiVersion: additions only). */
  udpTxOpen?(opts: UdpSenderOptions): AddonHandle;
  udpTxSend?(h: AddonHandle, data: Uint8Array, length: number, count: number): number;
  udpTxDrain?(h: AddonHandle): number;
  udpTxInfo?(h: AddonHandle): { localAddress: string; localPort: number };
  udpTxClose?(h: AddonHandle): void;
  /** Absent from builds before the RX flow sockets (same abiVersion: additions only). */
  udpRxOpen?(opts: UdpReceiverOptions): AddonHandle;
  udpRxStart?(h: AddonHandle, data: Uint8Array, meta: Uint32Array, slots: number, slotBytes: number, cb: (count: number, more: boolean) => void): void;
  udpRxSend?(h: AddonHandle, data: Uint8Array, address: string, port: number): number;
  udpRxInfo?(h: AddonHandle): { localAddress?: string; localPort?: number; recvBufferBytes?: number; datagrams: number; batches: number; truncated: number; errors: number; lastErrno: number };
  udpRxClose?(h: AddonHandle): void;
}

declare const addonHandle: unique symbol;
export type AddonHandle = { readonly [addonHandle]: true };
