// Container statistics: dockerd's stats JSON built from cgroup readings and the host's /proc,
// and the docker CLI's stats table computed from that JSON. Pure functions; the daemon reads the
// files, the CLI renders the rows. It reads nothing itself and keeps no state.
export type { StatsJson, CpuStats, MemoryStats, BlkioStats, BlkioStatEntry, NetworkStats, PidsStats, ThrottlingData, CpuUsage } from './types.ts';
export { buildStats, stoppedStats, encodeStats, type StatsSample, type BuildStatsOptions } from './build.ts';
export { parseProcStat, parseMemTotal, parseNetDev } from './proc.ts';
export {
  cpuPercent,
  memoryUsageNoCache,
  memoryPercent,
  blockIo,
  networkIo,
  statsEntry,
  invalidStatsEntry,
  formatStatsRow,
  defaultStatsFormat,
  statsHeaders,
  type StatsEntry,
  type StatsRow,
} from './display.ts';
