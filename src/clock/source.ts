// What every clock source offers the clock worker: a loop that publishes overlays, a stop, and a
// status snapshot for /status, /metrics and (through the control plane) conmon and heartbeats.
import { ClockState } from '../core/clock-overlay.js';
import type { PtpPortStatus } from '../core/ptp/types.js';

export type ClockStateName = 'none' | 'free-running' | 'locked' | 'holdover';

export const STATE_NAMES: Record<ClockState, ClockStateName> = {
  [ClockState.None]: 'none',
  [ClockState.FreeRunning]: 'free-running',
  [ClockState.Locked]: 'locked',
  [ClockState.Holdover]: 'holdover',
};

export interface ClockStatus {
  source: 'ptp' | 'local' | 'usrvclock' | 'phc';
  state: ClockStateName;
  /** Grandmaster identity (hex): v2 EUI-64 or v1 6-byte UUID; null when unknown. */
  leaderId: string | null;
  /** Last measured offset from the leader, ns (0 when leading or not measuring). */
  offsetNs: number;
  meanPathDelayNs: number | null;
  /** Rate of the published overlay against CLOCK_TAI, ppb (the heartbeat 0x8001 value). */
  freqPpb: number;
  /** Timestamps in use: hardware, software (kernel), user (helper), js (fallback); null if none. */
  timestampKind: string | null;
  stepGeneration: number;
  /** PTP only: the role of the port whose time we publish, and every port's status. */
  ptpVersion?: 1 | 2 | null;
  portState?: string;
  ports?: PtpPortStatus[];
  /** usrvclock / phc: where the time comes from. */
  path?: string;
  lastError?: string;
}

export interface ClockRunner {
  /** Runs until stop(); rejects only on a fault the worker cannot recover from. */
  run(): Promise<void>;
  stop(): void;
  status(): ClockStatus;
  counters(): Record<string, number>;
}

