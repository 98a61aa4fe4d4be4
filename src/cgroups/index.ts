// Cgroups: where a container's cgroup is, what it has used (CPU, memory, pids, block I/O, OOM
// kills), and live changes to its limits — one port with a cgroup v1 and a cgroup v2 driver, the
// version taken from /proc/self/mountinfo, and an in-memory cgroupfs for unit tests. It decides
// nothing about what a container may have (the engine checks HostConfig) and keeps no state.
export type {
  Cgroups,
  CgroupMode,
  CgroupStats,
  CgroupLimits,
  CgroupFeatures,
  LinuxResources,
  LinuxMemory,
  LinuxCpu,
  LinuxBlockIO,
  LinuxDeviceCgroup,
  LinuxWeightDevice,
  LinuxThrottleDevice,
  BlkioEntry,
  IoStatEntry,
} from './types.ts';
export { NodeCgroupFs, type CgroupFs } from './fs.ts';
export { FakeCgroupFs, type FakeCgroupFsOptions } from './fake.ts';
export { detectCgroupLayout, parseMountinfo, type CgroupLayout, type MountinfoEntry } from './mountinfo.ts';
export { openCgroups } from './open.ts';
export { CgroupsV1 } from './v1.ts';
export { CgroupsV2 } from './v2.ts';
export { containerCgroupsPath } from './common.ts';
export { cpuSharesToWeight, blkioWeightToIoWeight, memorySwapToV2 } from './convert.ts';
export { parseCpuList, formatCpuList } from './parse.ts';
export { oomKilled } from './oom.ts';
