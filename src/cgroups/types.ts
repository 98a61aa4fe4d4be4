// The shapes the Cgroups port speaks: the OCI `linux.resources` it applies (the same object the
// runtime writes into config.json, so a live update and a fresh start mean the same thing), the
// raw statistics it reads, the limits it reads back, and what the host's cgroups can do.

export type CgroupMode = 'v1' | 'v2';

/** OCI runtime-spec `linux.resources` (the subset runc applies to cgroups). */
export interface LinuxResources {
  devices?: LinuxDeviceCgroup[];
  memory?: LinuxMemory;
  cpu?: LinuxCpu;
  pids?: { limit: number };
  blockIO?: LinuxBlockIO;
}

export interface LinuxDeviceCgroup {
  allow: boolean;
  type?: string;
  major?: number;
  minor?: number;
  access?: string;
}

/** Bytes; -1 means unlimited. `swap` is memory+swap, as in cgroup v1 and the OCI spec. */
export interface LinuxMemory {
  limit?: number;
  reservation?: number;
  swap?: number;
  kernel?: number;
  kernelTCP?: number;
  swappiness?: number;
  disableOOMKiller?: boolean;
}

/** Microseconds for quota and period; a quota of -1 means no limit. */
export interface LinuxCpu {
  shares?: number;
  quota?: number;
  period?: number;
  realtimeRuntime?: number;
  realtimePeriod?: number;
  cpus?: string;
  mems?: string;
}

export interface LinuxWeightDevice {
  major: number;
  minor: number;
  weight?: number;
  leafWeight?: number;
}

export interface LinuxThrottleDevice {
  major: number;
  minor: number;
  rate: number;
}

export interface LinuxBlockIO {
  weight?: number;
  leafWeight?: number;
  weightDevice?: LinuxWeightDevice[];
  throttleReadBpsDevice?: LinuxThrottleDevice[];
  throttleWriteBpsDevice?: LinuxThrottleDevice[];
  throttleReadIOPSDevice?: LinuxThrottleDevice[];
  throttleWriteIOPSDevice?: LinuxThrottleDevice[];
}

/** One line of blkio.throttle.io_service_bytes (v1): "8:0 Read 4096". */
export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

/** One line of io.stat (v2): "8:0 rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…". */
export interface IoStatEntry {
  major: number;
  minor: number;
  rbytes: number;
  wbytes: number;
  rios: number;
  wios: number;
  dbytes: number;
  dios: number;
}

/**
 * One reading of a cgroup, in the kernel's own terms: nanoseconds for CPU time (v2's
 * microseconds and v1's USER_HZ ticks converted), bytes for memory, the raw memory.stat map.
 * Turning this into dockerd's stats JSON is the stats module's job.
 */
export interface CgroupStats {
  mode: CgroupMode;
  cpu: {
    /** Total CPU time consumed, ns. */
    usage: number;
    /** Per-CPU time, ns (cgroup v1 only: cpuacct.usage_percpu). */
    percpu?: number[];
    /** Time in kernel and user mode, ns. */
    system: number;
    user: number;
    throttling: { periods: number; throttledPeriods: number; throttledTime: number };
  };
  memory: {
    usage: number;
    /** v1 only: memory.max_usage_in_bytes. */
    maxUsage?: number;
    /** The limit in bytes as the kernel reports it; `undefined` when unlimited ("max" on v2, the v1 ceiling). */
    limit?: number;
    /** v1 only: memory.failcnt. */
    failcnt?: number;
    /** memory.stat as the kernel prints it. */
    stat: Record<string, number>;
    /** v2 only: memory.events. */
    events?: Record<string, number>;
    /** Processes the OOM killer killed in this cgroup (v1 memory.oom_control oom_kill, v2 memory.events oom_kill). */
    oomKills: number;
  };
  pids: { current: number; /** 0 when unlimited */ limit: number };
  /** v1: the throttle files (and CFQ's *_recursive files where the kernel has them). */
  blkio?: {
    ioServiceBytes: BlkioEntry[];
    ioServiced: BlkioEntry[];
    /** CFQ/BFQ statistics keyed by dockerd's JSON name, present only when the kernel keeps them. */
    recursive?: Record<string, BlkioEntry[]>;
  };
  /** v2: io.stat. */
  io?: IoStatEntry[];
}

/** What a cgroup is limited to now, read back from its files. -1 means unlimited. */
export interface CgroupLimits {
  memory: number;
  /** Memory plus swap (v1 memsw, v2 memory.max + memory.swap.max); -1 when unlimited. */
  memorySwap: number;
  /** v1 memory.soft_limit_in_bytes, v2 memory.low. */
  memoryReservation: number;
  /** v1 only. */
  swappiness?: number;
  /** v1 only. */
  oomKillDisable?: boolean;
  /** v1 cpu.shares. */
  cpuShares?: number;
  /** v2 cpu.weight. */
  cpuWeight?: number;
  cpuQuota: number;
  cpuPeriod: number;
  cpusetCpus: string;
  cpusetMems: string;
  pids: number;
  /** v1 blkio.weight (when the kernel has it), v2 io.weight's default (when it has one). */
  blkioWeight?: number;
  ioWeight?: number;
  throttleReadBps: LinuxThrottleDevice[];
  throttleWriteBps: LinuxThrottleDevice[];
  throttleReadIops: LinuxThrottleDevice[];
  throttleWriteIops: LinuxThrottleDevice[];
}

/**
 * What the host's cgroups support, as dockerd's sysinfo reports it: the resource validation
 * discards (with dockerd's warnings) what is missing here.
 */
export interface CgroupFeatures {
  mode: CgroupMode;
  memoryLimit: boolean;
  swapLimit: boolean;
  memoryReservation: boolean;
  oomKillDisable: boolean;
  memorySwappiness: boolean;
  kernelMemory: boolean;
  cpuShares: boolean;
  cpuCfs: boolean;
  cpuRealtime: boolean;
  cpuset: boolean;
  /** The CPUs and memory nodes a container may use ("0-1"). */
  cpus: string;
  mems: string;
  pidsLimit: boolean;
  blkioWeight: boolean;
  blkioWeightDevice: boolean;
  blkioReadBpsDevice: boolean;
  blkioWriteBpsDevice: boolean;
  blkioReadIOpsDevice: boolean;
  blkioWriteIOpsDevice: boolean;
}

/**
 * The port. Paths are OCI `cgroupsPath` values as Berth hands them to runc ("/berth/<id>"):
 * absolute, resolved under each controller's mount (v1) or the unified mount (v2) as runc's
 * cgroupfs driver does.
 */
export interface Cgroups {
  readonly mode: CgroupMode;
  /** The directories that hold this cgroup: one per v1 hierarchy, one on v2. */
  directories(cgroupsPath: string): string[];
  stats(cgroupsPath: string): Promise<CgroupStats>;
  limits(cgroupsPath: string): Promise<CgroupLimits>;
  /** Applies what `resources` sets, leaving the rest as it is (runc update's semantics). */
  update(cgroupsPath: string, resources: LinuxResources): Promise<void>;
  /** How many processes of this cgroup the OOM killer has killed; 0 when the cgroup is gone. */
  oomKills(cgroupsPath: string): Promise<number>;
  features(): Promise<CgroupFeatures>;
  /** Creates the cgroup (runc does this for containers; tests and tools use it directly). */
  create(cgroupsPath: string): Promise<void>;
  addProcess(cgroupsPath: string, pid: number): Promise<void>;
  /** The pids in the cgroup. */
  processes(cgroupsPath: string): Promise<number[]>;
  exists(cgroupsPath: string): Promise<boolean>;
  /** Removes the cgroup and its children, in every hierarchy; a missing cgroup is not an error. */
  remove(cgroupsPath: string): Promise<void>;
}
