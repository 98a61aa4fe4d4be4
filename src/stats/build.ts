// From two readings of a container's cgroup (and the machine's CPU time at each) to dockerd's
// stats JSON, with dockerd's conversions: v1 keeps per-CPU times, max_usage, failcnt and all
// eight blkio lists; v2 reports memory.events' "oom" as failcnt and io.stat as read/write
// entries; the memory.stat map carries dockerd's fixed key set for each version; an unlimited
// memory limit is reported as the machine's memory.
import type { CgroupStats } from '../cgroups/index.ts';
import { formatRfc3339Nano, goZeroTime } from '../lib/index.ts';
import type { BlkioStatEntry, BlkioStats, CpuStats, MemoryStats, NetworkStats, StatsJson } from './types.ts';

export interface StatsSample {
  /** When the reading was taken, in nanoseconds since the Unix epoch. */
  readAt: bigint;
  cgroup: CgroupStats;
  /** The machine's CPU time and online CPUs at that moment (parseProcStat). */
  systemCpuUsage: number;
  onlineCpus: number;
}

export interface BuildStatsOptions {
  id: string;
  /** The container's name, with or without its leading slash. */
  name: string;
  sample: StatsSample;
  /** The reading before this one: it becomes precpu_stats and preread. */
  previous?: StatsSample;
  /** /proc/meminfo's MemTotal in bytes. */
  machineMemory: number;
  networks?: Record<string, NetworkStats>;
}

/** The memory.stat keys dockerd reports on cgroup v1 (containerd's v1 metrics). */
const v1MemoryKeys = [
  'cache', 'rss', 'rss_huge', 'mapped_file', 'dirty', 'writeback', 'pgpgin', 'pgpgout', 'pgfault', 'pgmajfault',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'hierarchical_memory_limit',
  'hierarchical_memsw_limit', 'total_cache', 'total_rss', 'total_rss_huge', 'total_mapped_file', 'total_dirty',
  'total_writeback', 'total_pgpgin', 'total_pgpgout', 'total_pgfault', 'total_pgmajfault', 'total_inactive_anon',
  'total_active_anon', 'total_inactive_file', 'total_active_file', 'total_unevictable',
];

/** The memory.stat keys dockerd reports on cgroup v2 ("Stats is not compatible with v1"). */
const v2MemoryKeys = [
  'anon', 'file', 'kernel_stack', 'slab', 'sock', 'shmem', 'file_mapped', 'file_dirty', 'file_writeback', 'anon_thp',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'slab_reclaimable', 'slab_unreclaimable',
  'pgfault', 'pgmajfault', 'workingset_refault', 'workingset_activate', 'workingset_nodereclaim', 'pgrefill', 'pgscan',
  'pgsteal', 'pgactivate', 'pgdeactivate', 'pglazyfree', 'pglazyfreed', 'thp_fault_alloc', 'thp_collapse_alloc',
];

const blkioKeys: Array<keyof BlkioStats> = [
  'io_service_bytes_recursive', 'io_serviced_recursive', 'io_queue_recursive', 'io_service_time_recursive',
  'io_wait_time_recursive', 'io_merged_recursive', 'io_time_recursive', 'sectors_recursive',
];

function zeroCpuStats(): CpuStats {
  return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
}

function nullBlkio(): BlkioStats {
  return Object.fromEntries(blkioKeys.map((k) => [k, null])) as unknown as BlkioStats;
}

/** Go marshals a map with its keys sorted. */
function sortedMap(keys: readonly string[], values: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...keys].sort()) out[k] = values[k] ?? 0;
  return out;
}

function cpuStats(s: StatsSample): CpuStats {
  const c = s.cgroup.cpu;
  return {
    cpu_usage: {
      total_usage: c.usage,
      ...(s.cgroup.mode === 'v1' && c.percpu?.length ? { percpu_usage: c.percpu } : {}),
      usage_in_kernelmode: c.system,
      usage_in_usermode: c.user,
    },
    ...(s.systemCpuUsage ? { system_cpu_usage: s.systemCpuUsage } : {}),
    ...(s.onlineCpus ? { online_cpus: s.onlineCpus } : {}),
    throttling_data: { periods: c.throttling.periods, throttled_periods: c.throttling.throttledPeriods, throttled_time: c.throttling.throttledTime },
  };
}

function memoryStats(cg: CgroupStats, machineMemory: number): MemoryStats {
  const m = cg.memory;
  let limit = m.limit ?? machineMemory;
  if (machineMemory > 0 && limit > machineMemory) limit = machineMemory;
  const omitZero = (key: string, v: number | undefined) => (v ? { [key]: v } : {});
  if (cg.mode === 'v1') {
    return {
      ...omitZero('usage', m.usage),
      ...omitZero('max_usage', m.maxUsage),
      stats: sortedMap(v1MemoryKeys, m.stat),
      ...omitZero('failcnt', m.failcnt),
      ...omitZero('limit', limit),
    };
  }
  return {
    ...omitZero('usage', m.usage),
    stats: sortedMap(v2MemoryKeys, m.stat),
    // dockerd: "Failcnt is set to the "oom" field of the "memory.events" file".
    ...omitZero('failcnt', m.events?.oom),
    ...omitZero('limit', limit),
  };
}

function blkioStats(cg: CgroupStats): BlkioStats {
  if (cg.mode === 'v1') {
    const b = cg.blkio ?? { ioServiceBytes: [], ioServiced: [] };
    const copy = (entries: BlkioStatEntry[] | undefined): BlkioStatEntry[] => (entries ?? []).map((e) => ({ major: e.major, minor: e.minor, op: e.op, value: e.value }));
    const out = {} as BlkioStats;
    for (const k of blkioKeys) out[k] = copy(k === 'io_service_bytes_recursive' ? b.ioServiceBytes : k === 'io_serviced_recursive' ? b.ioServiced : b.recursive?.[k]);
    return out;
  }
  const entries = (cg.io ?? []).flatMap((e) => [
    { major: e.major, minor: e.minor, op: 'read', value: e.rbytes },
    { major: e.major, minor: e.minor, op: 'write', value: e.wbytes },
  ]);
  return { ...nullBlkio(), io_service_bytes_recursive: entries.length ? entries : null };
}

export function buildStats(o: BuildStatsOptions): StatsJson {
  const cg = o.sample.cgroup;
  const pids = { ...(cg.pids.current ? { current: cg.pids.current } : {}), ...(cg.pids.limit ? { limit: cg.pids.limit } : {}) };
  const networks = o.networks && Object.keys(o.networks).length ? { networks: Object.fromEntries(Object.keys(o.networks).sort().map((k) => [k, o.networks![k]])) } : {};
  return {
    read: formatRfc3339Nano(o.sample.readAt),
    preread: o.previous ? formatRfc3339Nano(o.previous.readAt) : goZeroTime,
    pids_stats: pids,
    blkio_stats: blkioStats(cg),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(o.sample),
    precpu_stats: o.previous ? cpuStats(o.previous) : zeroCpuStats(),
    memory_stats: memoryStats(cg, o.machineMemory),
    name: o.name.startsWith('/') ? o.name : `/${o.name}`,
    id: o.id,
    ...networks,
  };
}

/** What dockerd answers for a container that is not running: zero times, null lists, empty maps. */
export function stoppedStats(id: string, name: string): StatsJson {
  return {
    read: goZeroTime,
    preread: goZeroTime,
    pids_stats: {},
    blkio_stats: nullBlkio(),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: zeroCpuStats(),
    precpu_stats: zeroCpuStats(),
    memory_stats: {},
    name: name.startsWith('/') ? name : `/${name}`,
    id,
  };
}

/**
 * The JSON text of a stats object with integers printed exactly as Go prints uint64s: a value
 * above 2^53 (v1's "unlimited" hierarchical_memory_limit, 9223372036854771712) would otherwise
 * come out as 9223372036854772000.
 */
export function encodeStats(s: StatsJson): string {
  const big: string[] = [];
  const text = JSON.stringify(s, (_k, v: unknown) => {
    if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) > Number.MAX_SAFE_INTEGER) {
      big.push(BigInt(v).toString());
      return `\u0000big${big.length - 1}\u0000`;
    }
    return v;
  });
  return text.replace(/"\\u0000big(\d+)\\u0000"/g, (_m, i: string) => big[Number(i)]);
}
