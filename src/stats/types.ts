// dockerd's GET /containers/{id}/stats body (types.StatsJSON, API 1.43), field for field and in
// Go's field order, so the JSON reads the same byte for byte where values agree.

export interface BlkioStatEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

/** Go's nil slices marshal as null: v2 and stopped containers leave most of these null. */
export interface BlkioStats {
  io_service_bytes_recursive: BlkioStatEntry[] | null;
  io_serviced_recursive: BlkioStatEntry[] | null;
  io_queue_recursive: BlkioStatEntry[] | null;
  io_service_time_recursive: BlkioStatEntry[] | null;
  io_wait_time_recursive: BlkioStatEntry[] | null;
  io_merged_recursive: BlkioStatEntry[] | null;
  io_time_recursive: BlkioStatEntry[] | null;
  sectors_recursive: BlkioStatEntry[] | null;
}

export interface CpuUsage {
  total_usage: number;
  /** cgroup v1 only (omitempty). */
  percpu_usage?: number[];
  usage_in_kernelmode: number;
  usage_in_usermode: number;
}

export interface ThrottlingData {
  periods: number;
  throttled_periods: number;
  throttled_time: number;
}

export interface CpuStats {
  cpu_usage: CpuUsage;
  /** omitempty */
  system_cpu_usage?: number;
  /** omitempty */
  online_cpus?: number;
  throttling_data: ThrottlingData;
}

/** Every field is omitempty in dockerd's struct. */
export interface MemoryStats {
  usage?: number;
  max_usage?: number;
  stats?: Record<string, number>;
  failcnt?: number;
  limit?: number;
}

export interface PidsStats {
  current?: number;
  limit?: number;
}

export interface NetworkStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

export interface StatsJson {
  read: string;
  preread: string;
  pids_stats: PidsStats;
  blkio_stats: BlkioStats;
  num_procs: number;
  storage_stats: Record<string, number>;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: MemoryStats;
  name: string;
  id: string;
  /** Per interface in the container's network namespace; absent when it has none but lo. */
  networks?: Record<string, NetworkStats>;
}
