// The built-in PTP clock: one or two PTP ports (pure core, src/core/ptp) wired to kernel-timestamped
// UDP sockets on 319/320. The loop sleeps in the event loop until a socket is readable or the
// ports' next deadline, feeds every datagram with its kernel timestamp converted to the underlying
// clock, sends what the ports ask for and feeds the transmit timestamps back, and publishes the
// overlay of the port whose time we follow or serve. Idle between messages: no polling.
import { ClockState } from '../core/clock-overlay.js';
import { createPtpV1Port, createPtpV2Port } from '../core/ptp/index.js';
import { DEFAULT_UTC_OFFSET_S } from '../core/ptp/overlay.js';
import type { PortMode, PtpAction, PtpEvent, PtpPortStatus } from '../core/ptp/types.js';
import { detectPtpVersion } from '../core/ptp/version.js';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import type { Logger } from '../log.js';
import type { NativeTimer, PtpMessage, PtpSocket } from '../native/index.js';
import type { OverlayPublisher } from './publisher.js';
import { bridgeLeaders, selectActivePort, type AnyPort } from './ptp-select.js';
import { STATE_NAMES, type ClockRunner, type ClockStatus } from './source.js';
import type { Timebase } from './timebase.js';

/** 1588 primary multicast group; used for every domain, as ptp4l and Dante devices do. */
export const PTP_PRIMARY_GROUP = '224.0.1.129';
export const PTP_EVENT_PORT = 319;
export const PTP_GENERAL_PORT = 320;
/** Datagrams read from one socket before the deadlines are looked at again. */
const DRAIN_MAX = 32;
/** 1588-2002 subdomains for domains 0–3 (§6.2.7: _DFLT, _ALT1, _ALT2, _ALT3). */
export const V1_SUBDOMAINS = ['_DFLT', '_ALT1', '_ALT2', '_ALT3'] as const;
/** A v1 clock has no priority1; a priority1 at or below this sets the "preferred" flag (what Dante's
 *  Preferred Leader sets), so a configured preference wins in either version. Our choice. */
export const V1_PREFERRED_MAX_PRIORITY1 = 127;

export interface PtpClockOptions {
  native: NativeTimer;
  timebase: Timebase;
  publisher: OverlayPublisher;
  log: Logger;
  interfaceIp: string;
  mac: Uint8Array;
  version: '1' | '2' | 'both';
  mode: 'auto' | 'leader' | 'follower';
  priority1: number;
  priority2: number;
  domain: number;
  /** Try NIC hardware timestamps (needs root; falls back to software). */
  hardware?: boolean;
}

/** Servo settings for software timestamps (several µs of jitter): a 4 s drift fit before tracking
 *  halves the rate error the 2 s default leaves, which the locked loop otherwise takes tens of
 *  seconds to work off (measured: ~15 µs for 20 s after lock with 2 s); and the
 *  loop keeps its acquisition bandwidth once locked, since halving it doubled that tail. */
export const SOFTWARE_TIMESTAMP_SERVO = { estimateSeconds: 4, estimateMinSamples: 16, lockedBandwidthFactor: 1 } as const;

const MODES: Record<PtpClockOptions['mode'], PortMode> = { auto: 'auto', leader: 'leader-only', follower: 'follower-only' };

export function validatePtpOptions(o: Pick<PtpClockOptions, 'version' | 'domain'>): void {
  if (o.version !== '2' && o.domain >= V1_SUBDOMAINS.length) {
    throw new RangeError(`PTPv1 has subdomains for domains 0-3 only, not ${o.domain}; use --ptp-version 2`);
  }
}

export class PtpClock implements ClockRunner {
  private readonly ports: AnyPort[] = [];
  private event: PtpSocket | null = null;
  private general: PtpSocket | null = null;
  private stopped = false;
  private lastRxKind: string | null = null;
  private hadLock = false;
  private active: AnyPort | null = null;
  private readonly count: Record<string, number> = {};
  /** Ends the current sleep: a socket became readable, or stop(). */
  private wakeUp: (() => void) | null = null;
  private readonly onReadable = (): void => {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  };

  constructor(private readonly o: PtpClockOptions) {
    validatePtpOptions(o);
    // Leaders serve TAI: underlying CLOCK_TAI plus whatever the kernel offset leaves out.
    const timescaleOffsetNs = BigInt(DEFAULT_UTC_OFFSET_S - o.timebase.kernelTaiOffsetSeconds()) * 1_000_000_000n;
    const options = { mode: MODES[o.mode], timescaleOffsetNs, servo: { ...SOFTWARE_TIMESTAMP_SERVO } };
    if (o.version !== '2') {
      const preferred = o.priority1 <= V1_PREFERRED_MAX_PRIORITY1;
      this.ports.push(createPtpV1Port({ mac: o.mac, subdomain: V1_SUBDOMAINS[o.domain], preferred }, options) as AnyPort);
    }
    if (o.version !== '1') {
      this.ports.push(createPtpV2Port({ mac: o.mac, domain: o.domain, priority1: o.priority1, priority2: o.priority2 }, options) as AnyPort);
    }
  }

  async run(): Promise<void> {
    const { native, interfaceIp } = this.o;
    const open = (port: number): Promise<PtpSocket> =>
      native.ptpSocketOpen({ bindAddress: '0.0.0.0', port, multicastGroup: PTP_PRIMARY_GROUP, interfaceAddress: interfaceIp, ttl: 1, hardware: this.o.hardware ?? false });
    this.event = await open(PTP_EVENT_PORT);
    try {
      this.general = await open(PTP_GENERAL_PORT);
    } catch (err) {
      this.event.close();
      throw err;
    }
    this.o.log.info('PTP started', { version: this.o.version, mode: this.o.mode, domain: this.o.domain, timestamps: this.event.info().timestampKind });
    this.event.onReadable(this.onReadable);
    this.general.onReadable(this.onReadable);
    try {
      while (!this.stopped) {
        const now = this.o.timebase.now();
        let wake = now + 1_000_000_000n;
        for (const p of this.ports) {
          const w = p.state === 'initializing' ? now : p.nextWakeUp();
          if (w < wake) wake = w;
        }
        if (now >= wake) {
          for (const p of this.ports) await this.handle(p, { type: 'tick', now });
          continue;
        }
        const read = (await this.drain(this.event)) + (await this.drain(this.general));
        if (read > 0) {
          // One event-loop turn per batch: control messages and timers run under any PTP load.
          await yieldTurn();
          continue;
        }
        await this.sleep(Math.ceil(Number(wake - now) / 1e6));
      }
    } finally {
      this.event.onReadable(null);
      this.general.onReadable(null);
      this.event.close();
      this.general.close();
    }
  }

  /** Handles the datagrams waiting on one socket (up to DRAIN_MAX); returns how many. */
  private async drain(sock: PtpSocket): Promise<number> {
    let n = 0;
    for (; n < DRAIN_MAX && !this.stopped; n++) {
      const m = sock.tryRecv();
      if (!m) break;
      await this.onDatagram(m);
    }
    return n;
  }

  /** Until a socket is readable, stop(), or ms pass. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  stop(): void {
    this.stopped = true;
    this.onReadable();
  }

  private bump(k: string): void {
    this.count[k] = (this.count[k] ?? 0) + 1;
  }

  private async onDatagram(m: PtpMessage): Promise<void> {
    this.bump('rx');
    const v = detectPtpVersion(m.data);
    const port = this.ports.find((p) => p.protocol.version === v);
    if (!port) return this.bump(v === null ? 'rx-not-ptp' : `rx-v${v}-not-enabled`);
    this.lastRxKind = m.timestampKind;
    const rxTimestamp = this.o.timebase.fromRealtime(m.timestampNs);
    await this.handle(port, { type: 'rx', data: m.data, rxTimestamp, source: m.address });
  }

  private async handle(port: AnyPort, ev: PtpEvent): Promise<void> {
    let actions: PtpAction[];
    try {
      actions = port.handle(ev);
    } catch (err) {
      // A message the codec did not anticipate must not take the clock down: count and move on.
      this.bump('handle-error');
      this.o.log.warn('PTP port rejected an event', { version: port.protocol.version, error: (err as Error).message });
      return;
    }
    for (const a of actions) await this.act(port, a);
    this.republish();
  }

  private async act(port: AnyPort, a: PtpAction): Promise<void> {
    const version = port.protocol.version;
    switch (a.type) {
      case 'send': {
        const sock = a.port === 'event' ? this.event! : this.general!;
        const dst = a.port === 'event' ? PTP_EVENT_PORT : PTP_GENERAL_PORT;
        try {
          const r = await sock.send(a.data, PTP_PRIMARY_GROUP, dst, { wantTxTimestamp: a.wantTxTimestamp });
          this.bump('tx');
          if (!a.wantTxTimestamp) return;
          if (r.txTimestampNs === null) return this.bump('tx-timestamp-missing');
          await this.handle(port, { type: 'txTimestamp', tag: a.tag, timestamp: this.o.timebase.fromRealtime(r.txTimestampNs) });
        } catch (err) {
          this.bump('tx-error');
          this.o.log.debug('PTP send failed', { version, error: (err as Error).message });
        }
        return;
      }
      case 'stateChange':
        this.o.log.info('PTP state', { version, from: a.from, to: a.to, reason: a.reason });
        return;
      case 'log':
        this.o.log[a.level](a.msg, { version, ...a.data });
        return;
      case 'publishOverlay':
        return; // republish() reads the active port's overlay after every event
    }
  }

  private republish(): void {
    const active = selectActivePort(this.ports);
    if (this.ports.length > 1) bridgeLeaders(this.ports, active);
    if (active !== this.active && this.active) this.o.log.info('PTP time source', { version: active.protocol.version, state: active.state });
    this.active = active;
    const overlay = active.currentOverlay();
    if (!overlay) return;
    const st = active.status();
    const state = this.clockState(st);
    this.o.publisher.publish(this.o.timebase.toRealOverlay(overlay.snapshot()), state, st.leaderId);
  }

  private clockState(st: PtpPortStatus): ClockState {
    // Leading: the network follows our time, so it is the media clock by definition.
    if (st.state === 'leader') {
      this.hadLock = false;
      return ClockState.Locked;
    }
    if (st.state === 'follower' && st.locked) {
      this.hadLock = true;
      return ClockState.Locked;
    }
    if (st.state === 'holdover' || this.hadLock) return ClockState.Holdover;
    return ClockState.FreeRunning;
  }

  status(): ClockStatus {
    const active = this.active ?? this.ports[0]!;
    const st = active.status();
    const cur = this.o.publisher.current();
    return {
      source: 'ptp',
      state: cur ? STATE_NAMES[cur.state] : 'none',
      leaderId: st.leaderId,
      offsetNs: st.state === 'leader' ? 0 : st.offsetNs,
      meanPathDelayNs: st.meanPathDelayNs,
      freqPpb: cur ? cur.freqScale * 1e9 : 0,
      timestampKind: this.lastRxKind ?? this.event?.info().timestampKind ?? null,
      stepGeneration: this.o.publisher.stepGeneration,
      ptpVersion: st.version,
      portState: st.state,
      ports: this.ports.map((p) => p.status()),
    };
  }

  counters(): Record<string, number> {
    const out: Record<string, number> = { ...this.count, publications: this.o.publisher.publications, steps: this.o.publisher.stepGeneration };
    for (const p of this.ports) {
      for (const [k, v] of Object.entries(p.status().drops)) out[`v${p.protocol.version}-drop-${k}`] = v;
    }
    return out;
  }
}

