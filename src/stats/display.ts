// The docker CLI's `stats` table from dockerd's JSON: its formulas (CPU % from the deltas since
// precpu_stats, memory without inactive file pages, network and block I/O sums) and its
// formatting (binary units for memory, decimal for I/O, "%.2f%%"). Pure, for `berth stats`.
import { bytesSize, formatFloat, humanSize } from '../lib/index.ts';
import type { BlkioStats, CpuStats, MemoryStats, NetworkStats, StatsJson } from './types.ts';

export interface StatsEntry {
  /** What the user named the container by (the CONTAINER column). */
  container: string;
  name: string;
  id: string;
  cpuPercentage: number;
  memory: number;
  memoryLimit: number;
  memoryPercentage: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pidsCurrent: number;
  /** The daemon could not be read for this container: every figure shows as "--". */
  isInvalid: boolean;
}

/** (container CPU delta / system CPU delta) × online CPUs × 100, 0 unless both deltas are positive. */
export function cpuPercent(pre: CpuStats, cur: CpuStats): number {
  const cpuDelta = cur.cpu_usage.total_usage - pre.cpu_usage.total_usage;
  const systemDelta = (cur.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const online = cur.online_cpus || cur.cpu_usage.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/**
 * Usage without the page cache that could be dropped: v1 subtracts total_inactive_file, v2
 * inactive_file (docker 20.10+; cadvisor and CRI count the same way), never going below zero.
 */
export function memoryUsageNoCache(m: MemoryStats): number {
  const usage = m.usage ?? 0;
  const stats = m.stats ?? {};
  if ('total_inactive_file' in stats && stats.total_inactive_file < usage) return usage - stats.total_inactive_file;
  const inactive = stats.inactive_file ?? 0;
  if (inactive < usage) return usage - inactive;
  return usage;
}

export function memoryPercent(limit: number, used: number): number {
  return limit !== 0 ? (used / limit) * 100 : 0;
}

/** Bytes read and written: entries whose op starts with r/R or w/W ("Read", "read", "Write"…). */
export function blockIo(b: BlkioStats): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const e of b.io_service_bytes_recursive ?? []) {
    const c = e.op[0];
    if (c === 'r' || c === 'R') read += e.value;
    else if (c === 'w' || c === 'W') write += e.value;
  }
  return { read, write };
}

export function networkIo(networks: Record<string, NetworkStats> | undefined): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(networks ?? {})) {
    rx += n.rx_bytes;
    tx += n.tx_bytes;
  }
  return { rx, tx };
}

export function statsEntry(s: StatsJson, container: string): StatsEntry {
  const memory = memoryUsageNoCache(s.memory_stats);
  const memoryLimit = s.memory_stats.limit ?? 0;
  const { read, write } = blockIo(s.blkio_stats);
  const { rx, tx } = networkIo(s.networks);
  return {
    container,
    name: s.name,
    id: s.id,
    cpuPercentage: cpuPercent(s.precpu_stats, s.cpu_stats),
    memory,
    memoryLimit,
    memoryPercentage: memoryPercent(memoryLimit, memory),
    networkRx: rx,
    networkTx: tx,
    blockRead: read,
    blockWrite: write,
    pidsCurrent: s.pids_stats.current ?? 0,
    isInvalid: false,
  };
}

/** The row for a container the daemon could not report on. */
export function invalidStatsEntry(container: string, id = '', name = ''): StatsEntry {
  return { container, name, id, cpuPercentage: 0, memory: 0, memoryLimit: 0, memoryPercentage: 0, networkRx: 0, networkTx: 0, blockRead: 0, blockWrite: 0, pidsCurrent: 0, isInvalid: true };
}

/** The fields `docker stats --format` offers, as the docker CLI renders them. */
export interface StatsRow {
  Container: string;
  Name: string;
  ID: string;
  CPUPerc: string;
  MemUsage: string;
  MemPerc: string;
  NetIO: string;
  BlockIO: string;
  PIDs: string;
}

function percentage(v: number): string {
  return `${formatFloat(v, 'f', 2)}%`;
}

function io(a: number, b: number): string {
  return `${humanSize(a, 3)} / ${humanSize(b, 3)}`;
}

export function formatStatsRow(e: StatsEntry, options: { truncate: boolean } = { truncate: true }): StatsRow {
  const invalid = e.isInvalid;
  return {
    Container: e.container,
    Name: e.name.length > 1 ? e.name.slice(1) : '--',
    ID: options.truncate ? e.id.slice(0, 12) : e.id,
    CPUPerc: invalid ? '--' : percentage(e.cpuPercentage),
    MemUsage: invalid ? '-- / --' : `${bytesSize(e.memory)} / ${bytesSize(e.memoryLimit)}`,
    MemPerc: invalid ? '--' : percentage(e.memoryPercentage),
    NetIO: invalid ? '--' : io(e.networkRx, e.networkTx),
    BlockIO: invalid ? '--' : io(e.blockRead, e.blockWrite),
    PIDs: invalid ? '--' : String(e.pidsCurrent),
  };
}

/** docker's default `stats` table and its headers. */
export const defaultStatsFormat = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
export const statsHeaders: Record<keyof StatsRow, string> = {
  Container: 'CONTAINER',
  Name: 'NAME',
  ID: 'CONTAINER ID',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};
