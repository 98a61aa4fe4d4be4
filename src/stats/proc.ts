// The host-side numbers a stats reading needs besides the cgroup's: the machine's CPU time and
// online CPUs (/proc/stat), its memory (/proc/meminfo), and a container's interface counters
// (/proc/<pid>/net/dev, which shows the network namespace of <pid>).
import type { NetworkStats } from './types.ts';

/** USER_HZ, the unit of /proc/stat. */
const clockTicksPerSecond = 100;

/**
 * dockerd's system CPU usage: the first seven fields of the "cpu" line (user, nice, system, idle,
 * iowait, irq, softirq) in nanoseconds, and the number of "cpuN" lines as the online CPUs.
 */
export function parseProcStat(text: string): { systemCpuUsage: number; onlineCpus: number } {
  let systemCpuUsage: number | undefined;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === 'cpu') {
      if (parts.length < 8) throw new Error('invalid number of cpu fields');
      const ticks = parts.slice(1, 8).reduce((sum, v) => sum + Number(v), 0);
      systemCpuUsage = (ticks * 1e9) / clockTicksPerSecond;
    } else if (/^cpu\d+$/.test(parts[0])) onlineCpus++;
  }
  if (systemCpuUsage === undefined) throw new Error("invalid stat format. Error trying to parse the '/proc/stat' file");
  return { systemCpuUsage, onlineCpus };
}

/** MemTotal in bytes: the limit dockerd reports for a container without a memory limit. */
export function parseMemTotal(meminfo: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo);
  if (!m) throw new Error('MemTotal missing from /proc/meminfo');
  return Number(m[1]) * 1024;
}

/**
 * Interface counters from /proc/<pid>/net/dev, loopback left out as dockerd leaves it out.
 * Columns: rx bytes packets errs drop fifo frame compressed multicast, tx bytes packets errs drop…
 */
export function parseNetDev(text: string): Record<string, NetworkStats> {
  const out: Record<string, NetworkStats> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (!name || name === 'lo' || f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    out[name] = {
      rx_bytes: f[0],
      rx_packets: f[1],
      rx_errors: f[2],
      rx_dropped: f[3],
      tx_bytes: f[8],
      tx_packets: f[9],
      tx_errors: f[10],
      tx_dropped: f[11],
    };
  }
  return out;
}
