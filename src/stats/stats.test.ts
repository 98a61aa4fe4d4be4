import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CgroupStats } from '../cgroups/index.ts';
import { buildStats, encodeStats, stoppedStats } from './build.ts';
import { formatStatsRow, invalidStatsEntry, memoryUsageNoCache, statsEntry, cpuPercent } from './display.ts';
import { parseMemTotal, parseNetDev, parseProcStat } from './proc.ts';

// GET /containers/full/stats?stream=false from dockerd 20.10.24 on this machine (cgroup v1), for
// a container run with -m 100m --memory-swap 200m --pids-limit 50 --device-read-bps /dev/vda:1mb.
const dockerdV1 =
  '{"read":"2026-12-05T21:35:56.68721652Z","preread":"2026-12-05T21:35:55.6838131Z","pids_stats":{"current":1,"limit":50},"blkio_stats":{"io_service_bytes_recursive":[{"major":254,"minor":0,"op":"Read","value":0},{"major":254,"minor":0,"op":"Write","value":0},{"major":254,"minor":0,"op":"Sync","value":0},{"major":254,"minor":0,"op":"Async","value":0},{"major":254,"minor":0,"op":"Discard","value":0},{"major":254,"minor":0,"op":"Total","value":0}],"io_serviced_recursive":[{"major":254,"minor":0,"op":"Read","value":0},{"major":254,"minor":0,"op":"Write","value":0},{"major":254,"minor":0,"op":"Sync","value":0},{"major":254,"minor":0,"op":"Async","value":0},{"major":254,"minor":0,"op":"Discard","value":0},{"major":254,"minor":0,"op":"Total","value":0}],"io_queue_recursive":[],"io_service_time_recursive":[],"io_wait_time_recursive":[],"io_merged_recursive":[],"io_time_recursive":[],"sectors_recursive":[]},"num_procs":0,"storage_stats":{},"cpu_stats":{"cpu_usage":{"total_usage":27546410,"percpu_usage":[27546410,0],"usage_in_kernelmode":10000000,"usage_in_usermode":0},"system_cpu_usage":2906220000000,"online_cpus":2,"throttling_data":{"periods":2,"throttled_periods":0,"throttled_time":0}},"precpu_stats":{"cpu_usage":{"total_usage":27546410,"percpu_usage":[27546410,0],"usage_in_kernelmode":10000000,"usage_in_usermode":0},"system_cpu_usage":2904300000000,"online_cpus":2,"throttling_data":{"periods":2,"throttled_periods":0,"throttled_time":0}},"memory_stats":{"usage":331776,"max_usage":3555328,"stats":{"active_anon":4096,"active_file":0,"cache":0,"dirty":0,"hierarchical_memory_limit":104857600,"hierarchical_memsw_limit":209715200,"inactive_anon":53248,"inactive_file":0,"mapped_file":0,"pgfault":1034,"pgmajfault":0,"pgpgin":767,"pgpgout":753,"rss":57344,"rss_huge":0,"total_active_anon":4096,"total_active_file":0,"total_cache":0,"total_dirty":0,"total_inactive_anon":53248,"total_inactive_file":0,"total_mapped_file":0,"total_pgfault":1034,"total_pgmajfault":0,"total_pgpgin":767,"total_pgpgout":753,"total_rss":57344,"total_rss_huge":0,"total_unevictable":0,"total_writeback":0,"unevictable":0,"writeback":0},"limit":104857600},"name":"/full","id":"4f83142665d43f3d2137cd74b1345736e6754e4581f12326d8365568dd32c4ab"}';

const blk = (op: string) => ({ major: 254, minor: 0, op, value: 0 });
const ops = ['Read', 'Write', 'Sync', 'Async', 'Discard', 'Total'].map(blk);

/** The readings of that container's cgroup, as the v1 driver returns them. */
function v1Reading(): CgroupStats {
  return {
    mode: 'v1',
    cpu: { usage: 27546410, percpu: [27546410, 0], system: 10000000, user: 0, throttling: { periods: 2, throttledPeriods: 0, throttledTime: 0 } },
    memory: {
      usage: 331776,
      maxUsage: 3555328,
      limit: 104857600,
      failcnt: 0,
      // memory.stat as kernel 6.x prints it: more keys than dockerd reports.
      stat: {
        cache: 0, rss: 57344, rss_huge: 0, shmem: 0, mapped_file: 0, dirty: 0, writeback: 0, workingset_refault_anon: 0, swap: 0, pgpgin: 767, pgpgout: 753,
        pgfault: 1034, pgmajfault: 0, inactive_anon: 53248, active_anon: 4096, inactive_file: 0, active_file: 0, unevictable: 0,
        hierarchical_memory_limit: 104857600, hierarchical_memsw_limit: 209715200, total_cache: 0, total_rss: 57344, total_rss_huge: 0,
        total_shmem: 0, total_mapped_file: 0, total_dirty: 0, total_writeback: 0, total_swap: 0, total_pgpgin: 767, total_pgpgout: 753,
        total_pgfault: 1034, total_pgmajfault: 0, total_inactive_anon: 53248, total_active_anon: 4096, total_inactive_file: 0,
        total_active_file: 0, total_unevictable: 0,
      },
      oomKills: 0,
    },
    pids: { current: 1, limit: 50 },
    blkio: { ioServiceBytes: ops, ioServiced: ops.map((o) => ({ ...o })) },
  };
}

const ns = (iso: string, frac: bigint) => BigInt(Date.parse(iso)) * 1_000_000n + frac;

describe('stats JSON', () => {
  it("is dockerd's, byte for byte, for a cgroup v1 container", () => {
    const s = buildStats({
      id: '4f83142665d43f3d2137cd74b1345736e6754e4581f12326d8365568dd32c4ab',
      name: 'full',
      sample: { readAt: ns('2026-12-05T21:35:56Z', 687216520n), cgroup: v1Reading(), systemCpuUsage: 2906220000000, onlineCpus: 2 },
      previous: { readAt: ns('2026-12-05T21:35:55Z', 683813100n), cgroup: v1Reading(), systemCpuUsage: 2904300000000, onlineCpus: 2 },
      machineMemory: 25276194816,
    });
    assert.equal(encodeStats(s), dockerdV1);
  });

  it('reports the machine memory as the limit of an unlimited container, and prints uint64s exactly', () => {
    const r = v1Reading();
    delete r.memory.limit;
    r.memory.stat.hierarchical_memory_limit = 9223372036854771712;
    const s = buildStats({ id: 'x', name: '/x', sample: { readAt: 0n, cgroup: r, systemCpuUsage: 1, onlineCpus: 2 }, machineMemory: 25276194816 });
    assert.equal(s.memory_stats.limit, 25276194816);
    assert.match(encodeStats(s), /"hierarchical_memory_limit":9223372036854771712,/);
    assert.equal(s.preread, '0001-01-01T00:00:00Z', 'no previous reading: the zero time');
    assert.deepEqual(s.precpu_stats, { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } });
  });

  it("is dockerd's v2 shape: no per-CPU times, read/write io entries, memory.events' oom as failcnt", () => {
    const r: CgroupStats = {
      mode: 'v2',
      cpu: { usage: 5000000, system: 1000000, user: 4000000, throttling: { periods: 0, throttledPeriods: 0, throttledTime: 0 } },
      memory: { usage: 2097152, stat: { anon: 1048576, file: 1048576, inactive_file: 524288, file_thp: 0 }, events: { oom: 3, oom_kill: 1 }, oomKills: 1 },
      pids: { current: 2, limit: 0 },
      io: [{ major: 8, minor: 0, rbytes: 4096, wbytes: 0, rios: 1, wios: 0, dbytes: 0, dios: 0 }],
    };
    const s = buildStats({
      id: 'c',
      name: 'c',
      sample: { readAt: 1n, cgroup: r, systemCpuUsage: 10, onlineCpus: 4 },
      networks: { eth1: { rx_bytes: 1, rx_packets: 1, rx_errors: 0, rx_dropped: 0, tx_bytes: 2, tx_packets: 1, tx_errors: 0, tx_dropped: 0 }, eth0: { rx_bytes: 10, rx_packets: 1, rx_errors: 0, rx_dropped: 0, tx_bytes: 20, tx_packets: 1, tx_errors: 0, tx_dropped: 0 } },
      machineMemory: 8 * 2 ** 30,
    });
    assert.deepEqual(s.cpu_stats.cpu_usage, { total_usage: 5000000, usage_in_kernelmode: 1000000, usage_in_usermode: 4000000 });
    assert.deepEqual(s.pids_stats, { current: 2 });
    assert.deepEqual(s.blkio_stats.io_service_bytes_recursive, [
      { major: 8, minor: 0, op: 'read', value: 4096 },
      { major: 8, minor: 0, op: 'write', value: 0 },
    ]);
    assert.equal(s.blkio_stats.io_serviced_recursive, null);
    assert.deepEqual(Object.keys(s.memory_stats), ['usage', 'stats', 'failcnt', 'limit']);
    assert.equal(s.memory_stats.failcnt, 3);
    assert.equal(s.memory_stats.limit, 8 * 2 ** 30);
    assert.equal(Object.keys(s.memory_stats.stats!).length, 31);
    assert.equal(s.memory_stats.stats!.file_thp, undefined, 'only the keys dockerd reports');
    assert.deepEqual(Object.keys(s.networks!), ['eth0', 'eth1']);
    assert.deepEqual(Object.keys(s).slice(-3), ['name', 'id', 'networks']);
  });

  it("is dockerd's answer for a container that is not running", () => {
    assert.equal(
      encodeStats(stoppedStats('f6d1edf90d014c20e68075cb53c4247131ea3338d70501242a907f925adea7e0', 'stopped')),
      '{"read":"0001-01-01T00:00:00Z","preread":"0001-01-01T00:00:00Z","pids_stats":{},"blkio_stats":{"io_service_bytes_recursive":null,"io_serviced_recursive":null,"io_queue_recursive":null,"io_service_time_recursive":null,"io_wait_time_recursive":null,"io_merged_recursive":null,"io_time_recursive":null,"sectors_recursive":null},"num_procs":0,"storage_stats":{},"cpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},"precpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},"memory_stats":{},"name":"/stopped","id":"f6d1edf90d014c20e68075cb53c4247131ea3338d70501242a907f925adea7e0"}',
    );
  });
});

describe('host readings', () => {
  it('/proc/stat: the first seven cpu fields in nanoseconds, and the online CPUs', () => {
    const text = 'cpu  127248 0 35784 129720 447 0 366 87 0 0\ncpu0 63348 0 17495 65708 153 0 35 44 0 0\ncpu1 63900 0 18289 64012 293 0 330 43 0 0\nintr 3146490 0\n';
    // steal (87) is not counted, as in dockerd
    assert.deepEqual(parseProcStat(text), { systemCpuUsage: (127248 + 35784 + 129720 + 447 + 366) * 1e7, onlineCpus: 2 });
    assert.throws(() => parseProcStat('intr 1\n'), /invalid stat format/);
  });

  it('/proc/<pid>/net/dev: every interface but lo', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     560       8    0    0    0     0          0         0      560       8    0    0    0     0       0          0
  eth0: 10486272    7250    1    2    0     0          0         0   123456     900    3    4    0     0       0          0
`;
    assert.deepEqual(parseNetDev(text), {
      eth0: { rx_bytes: 10486272, rx_packets: 7250, rx_errors: 1, rx_dropped: 2, tx_bytes: 123456, tx_packets: 900, tx_errors: 3, tx_dropped: 4 },
    });
  });

  it('/proc/meminfo: MemTotal in bytes', () => {
    assert.equal(parseMemTotal('MemTotal:       24683784 kB\nMemFree: 1 kB\n'), 24683784 * 1024);
  });
});

describe("docker stats' table", () => {
  it('formats the reference container as docker stats --no-stream did', () => {
    const row = formatStatsRow(statsEntry(JSON.parse(dockerdV1), 'full'));
    // docker stats --no-stream --format '{{json .}}' full, on the same machine
    assert.deepEqual(row, { Container: 'full', Name: 'full', ID: '4f83142665d4', CPUPerc: '0.00%', MemUsage: '324KiB / 100MiB', MemPerc: '0.32%', NetIO: '0B / 0B', BlockIO: '0B / 0B', PIDs: '1' });
  });

  it('CPU % is the container delta over the system delta, times the online CPUs', () => {
    const cpu = (total: number, system: number, online?: number, percpu?: number[]) => ({
      cpu_usage: { total_usage: total, usage_in_kernelmode: 0, usage_in_usermode: 0, ...(percpu ? { percpu_usage: percpu } : {}) },
      system_cpu_usage: system,
      ...(online ? { online_cpus: online } : {}),
      throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
    });
    // one CPU busy for one second on a 2-CPU machine: 1e9 of 2e9 system ns → 100 %
    assert.equal(cpuPercent(cpu(0, 0, 2), cpu(1e9, 2e9, 2)), 100);
    assert.equal(cpuPercent(cpu(0, 0), cpu(5e8, 2e9, undefined, [1, 2])), 50, 'no online_cpus: the per-CPU count');
    assert.equal(cpuPercent(cpu(5, 10, 2), cpu(5, 20, 2)), 0);
    assert.equal(formatStatsRow({ ...invalidStatsEntry('c'), isInvalid: false, cpuPercentage: 0.125 }).CPUPerc, '0.12%', "Go's %.2f: ties to even");
  });

  it('MEM USAGE leaves out inactive file pages (v1 total_inactive_file, v2 inactive_file)', () => {
    assert.equal(memoryUsageNoCache({ usage: 1000, stats: { total_inactive_file: 300, inactive_file: 100 } }), 700);
    assert.equal(memoryUsageNoCache({ usage: 1000, stats: { total_inactive_file: 2000, inactive_file: 100 } }), 900, 'v1 value above usage: the v2 rule');
    assert.equal(memoryUsageNoCache({ usage: 1000, stats: { inactive_file: 400 } }), 600);
    assert.equal(memoryUsageNoCache({ usage: 1000, stats: { inactive_file: 4000 } }), 1000);
  });

  it('formats sizes as docker does: binary for memory, decimal for I/O', () => {
    const e = {
      ...invalidStatsEntry('web', 'a'.repeat(64), '/web'),
      isInvalid: false,
      memory: 2048000,
      memoryLimit: 8348520448,
      memoryPercentage: (2048000 / 8348520448) * 100,
      networkRx: 1200,
      blockRead: 10_485_760,
      blockWrite: 999,
      pidsCurrent: 7,
    };
    const row = formatStatsRow(e, { truncate: false });
    assert.equal(row.MemUsage, '1.953MiB / 7.775GiB');
    assert.equal(row.MemPerc, '0.02%');
    assert.equal(row.NetIO, '1.2kB / 0B');
    assert.equal(row.BlockIO, '10.5MB / 999B');
    assert.equal(row.PIDs, '7');
    assert.equal(row.ID.length, 64);
    assert.equal(row.Name, 'web');
  });

  it('shows -- for a container it could not read', () => {
    const row = formatStatsRow(invalidStatsEntry('gone'));
    assert.deepEqual([row.Name, row.CPUPerc, row.MemUsage, row.MemPerc, row.NetIO, row.BlockIO, row.PIDs], ['--', '--', '-- / --', '--', '--', '--', '--']);
  });
});
