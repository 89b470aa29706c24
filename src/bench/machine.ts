// What the figures were measured on: results from different machines or loads are not comparable.
import os from 'node:os';
import { readFileSync } from 'node:fs';

export interface MachineDescription {
  cpu: string;
  cores: number;
  kernel: string;
  arch: string;
  node: string;
  loadAverage1m: number;
  loadAverage5m: number;
  memoryMB: number;
  /** cpufreq governor of cpu0 when the kernel exposes it (powersave skews latency figures). */
  governor?: string;
  note: string;
}

export function machineDescription(): MachineDescription {
  const cpus = os.cpus();
  const [l1, l5] = os.loadavg();
  const d: MachineDescription = {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    kernel: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    node: process.version,
    loadAverage1m: Number((l1 ?? 0).toFixed(2)),
    loadAverage5m: Number((l5 ?? 0).toFixed(2)),
    memoryMB: Math.round(os.totalmem() / 2 ** 20),
    note: 'load average shows what else was running; compare figures only at similar load',
  };
  try {
    d.governor = readFileSync('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor', 'utf8').trim();
  } catch {
    // no cpufreq on this machine (VMs often have none)
  }
  return d;
}
