// dockerd's checks of a HostConfig's resource and security settings, at create and at update
// (verifyPlatformContainerResources, verifyPlatformContainerSettings, validateCapabilities),
// its defaults (adaptContainerSettings and the API router's normalisation) and its merge of an
// update into a container's settings (Container.UpdateContainer). What the host's cgroups cannot
// do is discarded with dockerd's warning; what is wrong is refused with dockerd's message.
// Pure: the host's capabilities come in as CgroupFeatures from the Cgroups port.
import type { CgroupFeatures } from '../cgroups/index.ts';
import { parseCpuList } from '../cgroups/index.ts';
import { Conflict, InvalidArgument } from '../errors/index.ts';
import { defaultMaskedPaths, defaultReadonlyPaths, normalizeCapabilities, parseSecurityOpt } from '../runtime/index.ts';
import type { HostConfig } from '../types/index.ts';

/** 6 MB: the smallest memory limit or reservation dockerd accepts. */
export const minMemory = 6 * 1024 * 1024;

export interface HostValidationContext {
  features: CgroupFeatures;
  /** The CPUs berthd may use (dockerd's sysinfo.NumCPU). */
  numCpus: number;
  /** The daemon remaps users (userns-remap). */
  usernsRemap?: boolean;
  /** Whether the kernel has cgroup namespaces (/proc/self/ns/cgroup). */
  cgroupNamespaces?: boolean;
}

/** HostConfig as a create or update request may carry it: fields dockerd still reads but Berth does not store. */
export type HostConfigRequest = Partial<HostConfig> & { KernelMemory?: number; KernelMemoryTCP?: number };

export interface Verified {
  /** The settings with what the host cannot do removed. */
  hostConfig: HostConfigRequest;
  warnings: string[];
}

function cpusetCheck(kind: 'cpus' | 'mems', requested: string, available: string): void {
  if (!requested) return;
  const want = parseCpuList(requested);
  if (!want) throw new InvalidArgument(`Invalid value ${requested} for cpuset ${kind}: invalid format: ${requested}`);
  const have = parseCpuList(available) ?? [];
  if (want.some((c) => !have.includes(c))) {
    throw new InvalidArgument(
      kind === 'cpus'
        ? `Requested CPUs are not available - requested ${requested}, available: ${available}`
        : `Requested memory nodes are not available - requested ${requested}, available: ${available}`,
    );
  }
}

/** dockerd's verifyPlatformContainerResources. Mutates `r` (a copy) as dockerd does and returns the warnings. */
function verifyResources(r: HostConfigRequest, ctx: HostValidationContext, update: boolean): string[] {
  const f = ctx.features;
  const warnings: string[] = [];
  const memory = r.Memory ?? 0;
  const swap = () => r.MemorySwap ?? 0;
  if (r.MemorySwappiness === -1) r.MemorySwappiness = null;

  if (memory !== 0 && memory < minMemory) throw new InvalidArgument('Minimum memory limit allowed is 6MB');
  if (memory > 0 && !f.memoryLimit) {
    warnings.push('Your kernel does not support memory limit capabilities or the cgroup is not mounted. Limitation discarded.');
    r.Memory = 0;
    r.MemorySwap = -1;
  }
  if ((r.Memory ?? 0) > 0 && swap() !== -1 && !f.swapLimit) {
    warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
    r.MemorySwap = -1;
  }
  if ((r.Memory ?? 0) > 0 && swap() > 0 && swap() < (r.Memory ?? 0)) throw new InvalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  if ((r.Memory ?? 0) === 0 && swap() > 0 && !update) throw new InvalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  if (r.MemorySwappiness != null && !f.memorySwappiness) {
    warnings.push('Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.');
    r.MemorySwappiness = null;
  }
  if (r.MemorySwappiness != null && (r.MemorySwappiness < 0 || r.MemorySwappiness > 100)) {
    throw new InvalidArgument(`Invalid value: ${r.MemorySwappiness}, valid memory swappiness range is 0-100`);
  }
  if ((r.MemoryReservation ?? 0) > 0 && !f.memoryReservation) {
    warnings.push('Your kernel does not support memory soft limit capabilities or the cgroup is not mounted. Limitation discarded.');
    r.MemoryReservation = 0;
  }
  const reservation = r.MemoryReservation ?? 0;
  if (reservation > 0 && reservation < minMemory) throw new InvalidArgument('Minimum memory reservation allowed is 6MB');
  if ((r.Memory ?? 0) > 0 && reservation > 0 && (r.Memory ?? 0) < reservation) {
    throw new InvalidArgument('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  // runc 1.1 ignores kernel memory limits (the kernel deprecated them in 5.4): warn and drop.
  if ((r.KernelMemory ?? 0) > 0) warnings.push('Specifying a kernel memory limit is deprecated and will be removed in a future release.');
  if (r.KernelMemory !== undefined) r.KernelMemory = 0;
  if (r.KernelMemoryTCP !== undefined) r.KernelMemoryTCP = 0;
  if (r.OomKillDisable != null && !f.oomKillDisable) {
    if (r.OomKillDisable) warnings.push('Your kernel does not support OomKillDisable. OomKillDisable discarded.');
    r.OomKillDisable = null;
  }
  if (r.OomKillDisable && (r.Memory ?? 0) === 0) {
    warnings.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
  }
  if (r.PidsLimit != null && !f.pidsLimit) {
    if (r.PidsLimit > 0) warnings.push('Your kernel does not support PIDs limit capabilities or the cgroup is not mounted. PIDs limit discarded.');
    r.PidsLimit = null;
  }

  const nano = r.NanoCpus ?? 0;
  if (nano > 0 && (r.CpuPeriod ?? 0) > 0) throw new InvalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && (r.CpuQuota ?? 0) > 0) throw new InvalidArgument('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (nano > 0 && !f.cpuCfs) throw new InvalidArgument('NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the cgroup is not mounted');
  if (nano < 0 || nano > ctx.numCpus * 1e9) {
    throw new InvalidArgument(`Range of CPUs is from 0.01 to ${ctx.numCpus}.00, as there are only ${ctx.numCpus} CPUs available`);
  }
  if ((r.CpuShares ?? 0) > 0 && !f.cpuShares) {
    warnings.push('Your kernel does not support CPU shares or the cgroup is not mounted. Shares discarded.');
    r.CpuShares = 0;
  }
  if (((r.CpuPeriod ?? 0) !== 0 || (r.CpuQuota ?? 0) !== 0) && !f.cpuCfs) {
    warnings.push('Your kernel does not support CPU CFS scheduler. CPU period/quota discarded.');
    r.CpuPeriod = 0;
    r.CpuQuota = 0;
  }
  const period = r.CpuPeriod ?? 0;
  if (period !== 0 && (period < 1000 || period > 1000000)) {
    throw new InvalidArgument('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if ((r.CpuQuota ?? 0) > 0 && (r.CpuQuota ?? 0) < 1000) throw new InvalidArgument('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if ((r.CpuPercent ?? 0) > 0) {
    warnings.push('linux does not support CPU percent. Percent discarded.');
    r.CpuPercent = 0;
  }
  if ((r.CpuRealtimePeriod ?? 0) > 0 && !f.cpuRealtime) {
    warnings.push('Your kernel does not support cgroup cpu real-time period');
    r.CpuRealtimePeriod = 0;
  }
  if ((r.CpuRealtimeRuntime ?? 0) > 0 && !f.cpuRealtime) {
    warnings.push('Your kernel does not support cgroup cpu real-time runtime');
    r.CpuRealtimeRuntime = 0;
  }
  if ((r.CpuRealtimePeriod ?? 0) !== 0 && (r.CpuRealtimeRuntime ?? 0) !== 0 && (r.CpuRealtimeRuntime ?? 0) > (r.CpuRealtimePeriod ?? 0)) {
    throw new InvalidArgument('cpu real-time runtime cannot be higher than cpu real-time period');
  }

  if ((r.CpusetCpus || r.CpusetMems) && !f.cpuset) {
    warnings.push('Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.');
    r.CpusetCpus = '';
    r.CpusetMems = '';
  }
  cpusetCheck('cpus', r.CpusetCpus ?? '', f.cpus);
  cpusetCheck('mems', r.CpusetMems ?? '', f.mems);

  if ((r.BlkioWeight ?? 0) > 0 && !f.blkioWeight) {
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    r.BlkioWeight = 0;
  }
  if ((r.BlkioWeight ?? 0) > 0 && ((r.BlkioWeight ?? 0) < 10 || (r.BlkioWeight ?? 0) > 1000)) throw new InvalidArgument('Range of blkio weight is from 10 to 1000');
  if (r.IOMaximumBandwidth) throw new InvalidArgument('Invalid QoS settings: linux does not support configuration of maximum bandwidth');
  if (r.IOMaximumIOps) throw new InvalidArgument('Invalid QoS settings: linux does not support configuration of maximum IOPs');
  const devices: Array<[keyof HostConfig, boolean, string]> = [
    ['BlkioWeightDevice', f.blkioWeightDevice, 'Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.'],
    ['BlkioDeviceReadBps', f.blkioReadBpsDevice, 'Your kernel does not support BPS Block I/O read limit or the cgroup is not mounted. Block I/O BPS read limit discarded.'],
    ['BlkioDeviceWriteBps', f.blkioWriteBpsDevice, 'Your kernel does not support BPS Block I/O write limit or the cgroup is not mounted. Block I/O BPS write limit discarded.'],
    ['BlkioDeviceReadIOps', f.blkioReadIOpsDevice, 'Your kernel does not support IOPS Block read limit or the cgroup is not mounted. Block I/O IOPS read limit discarded.'],
    ['BlkioDeviceWriteIOps', f.blkioWriteIOpsDevice, 'Your kernel does not support IOPS Block write limit or the cgroup is not mounted. Block I/O IOPS write limit discarded.'],
  ];
  for (const [key, supported, warning] of devices) {
    const list = r[key] as unknown[] | null | undefined;
    if (list?.length && !supported) {
      warnings.push(warning);
      (r as Record<string, unknown>)[key] = [];
    }
  }
  return warnings;
}

const ipcModes = new Set(['', 'host', 'private', 'shareable', 'none']);
const joinsContainer = (mode: string) => mode.startsWith('container:') && mode.length > 'container:'.length;

/**
 * The checks dockerd makes of a create (update: false) or update (update: true) request:
 * resources first, then namespaces, capabilities, security options and the user namespace.
 */
export function verifyHostConfig(request: HostConfigRequest, ctx: HostValidationContext, options: { update?: boolean } = {}): Verified {
  const h: HostConfigRequest = { ...request };
  const warnings = verifyResources(h, ctx, options.update ?? false);
  if (options.update) return { hostConfig: h, warnings };

  const ipc = h.IpcMode ?? '';
  if (!ipcModes.has(ipc) && !joinsContainer(ipc)) throw new InvalidArgument(`invalid IPC mode: ${ipc}`);
  const pid = h.PidMode ?? '';
  if (pid !== '' && pid !== 'host' && !joinsContainer(pid)) throw new InvalidArgument(`invalid PID mode: ${pid}`);
  if ((h.ShmSize ?? 0) < 0) throw new InvalidArgument('SHM size can not be less than 0');
  const uts = h.UTSMode ?? '';
  if (uts !== '' && uts !== 'host') throw new InvalidArgument(`invalid UTS mode: ${uts}`);
  const oom = h.OomScoreAdj ?? 0;
  if (oom < -1000 || oom > 1000) throw new InvalidArgument(`Invalid value ${oom}, range for oom score adj is [-1000, 1000]`);
  const userns = h.UsernsMode ?? '';
  if (userns !== '' && userns !== 'host') throw new InvalidArgument(`invalid USER mode: ${userns}`);
  if (ctx.usernsRemap && userns !== 'host') {
    if (h.Privileged) {
      throw new InvalidArgument('privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode');
    }
    if (h.NetworkMode === 'host') throw new InvalidArgument("cannot share the host's network namespace when user namespaces are enabled");
    if (pid === 'host') throw new InvalidArgument('cannot share the host PID namespace when user namespaces are enabled');
  }
  const cgroupns = h.CgroupnsMode ?? '';
  if (cgroupns !== '' && cgroupns !== 'host' && cgroupns !== 'private') throw new InvalidArgument(`invalid cgroup namespace mode: ${cgroupns}`);
  if (cgroupns === 'private' && ctx.cgroupNamespaces === false) warnings.push('Your kernel does not support cgroup namespaces.  Cgroup namespace setting discarded.');
  for (const [field, list] of [['CapAdd', h.CapAdd], ['CapDrop', h.CapDrop]] as const) {
    try {
      normalizeCapabilities(list ?? []);
    } catch (err) {
      throw new InvalidArgument(`invalid ${field}: ${(err as Error).message}`);
    }
  }
  parseSecurityOpt(h.SecurityOpt);
  return { hostConfig: h, warnings };
}

export interface DaemonDefaults {
  /** daemon.json default-shm-size, bytes (dockerd: 64 MiB). */
  shmSize?: number;
  /** daemon.json default-ipc-mode (dockerd: "private"). */
  ipcMode?: string;
  /** daemon.json default-cgroupns-mode; dockerd's default is "host" on cgroup v1, "private" on v2. */
  cgroupnsMode?: string;
  cgroupMode: 'v1' | 'v2';
}

/**
 * What dockerd fills in on create once the request passed its checks: memory+swap twice the
 * memory, the shm size, IPC and cgroup namespace modes, "label=disable" where SELinux labels
 * cannot apply, OomKillDisable false, no pids limit for 0 or less, and the masked paths.
 */
export function adaptHostConfig(h: HostConfigRequest, d: DaemonDefaults): HostConfigRequest {
  const out: HostConfigRequest = { ...h };
  if ((out.Memory ?? 0) > 0 && (out.MemorySwap ?? 0) === 0) out.MemorySwap = (out.Memory ?? 0) * 2;
  if (!out.ShmSize) out.ShmSize = d.shmSize ?? 64 * 1024 * 1024;
  if (!out.IpcMode) out.IpcMode = d.ipcMode ?? 'private';
  if (!out.CgroupnsMode) {
    // v1 keeps privileged containers in the host's cgroup namespace whatever the default.
    out.CgroupnsMode = out.Privileged && d.cgroupMode === 'v1' ? 'host' : (d.cgroupnsMode ?? (d.cgroupMode === 'v2' ? 'private' : 'host'));
  }
  if (out.IpcMode === 'host' || out.PidMode === 'host' || out.Privileged) {
    if (!(out.SecurityOpt ?? []).includes('label=disable')) out.SecurityOpt = [...(out.SecurityOpt ?? []), 'label=disable'];
  }
  if (out.OomKillDisable == null) out.OomKillDisable = false;
  if (out.PidsLimit != null && out.PidsLimit <= 0) out.PidsLimit = null;
  if (out.MemorySwappiness === -1) out.MemorySwappiness = null;
  if (out.MaskedPaths == null && !out.Privileged) out.MaskedPaths = [...defaultMaskedPaths];
  if (out.ReadonlyPaths == null && !out.Privileged) out.ReadonlyPaths = [...defaultReadonlyPaths];
  return out;
}

/**
 * dockerd's UpdateContainer: the request's non-zero values replace the container's, with its
 * conflicts refused (409). `id` names the container in the message, as dockerd does.
 */
export function mergeResourceUpdate(id: string, current: HostConfig, request: HostConfigRequest): HostConfig {
  const fail = (msg: string) => new Conflict(`Cannot update container ${id}: ${msg}`);
  const r = request;
  const c: HostConfig = { ...current };
  if ((r.NanoCpus ?? 0) > 0 && c.CpuPeriod > 0) throw fail('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if ((r.NanoCpus ?? 0) > 0 && c.CpuQuota > 0) throw fail('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if ((r.CpuPeriod ?? 0) > 0 && c.NanoCpus > 0) throw fail('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if ((r.CpuQuota ?? 0) > 0 && c.NanoCpus > 0) throw fail('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  if (r.BlkioWeight) c.BlkioWeight = r.BlkioWeight;
  if (r.CpuShares) c.CpuShares = r.CpuShares;
  if (r.NanoCpus) c.NanoCpus = r.NanoCpus;
  if (r.CpuPeriod) c.CpuPeriod = r.CpuPeriod;
  if (r.CpuQuota) c.CpuQuota = r.CpuQuota;
  if (r.CpusetCpus) c.CpusetCpus = r.CpusetCpus;
  if (r.CpusetMems) c.CpusetMems = r.CpusetMems;
  if (r.Memory) {
    // A new memory limit above the recorded memory+swap needs a new memory+swap too.
    if (r.Memory > c.MemorySwap && !r.MemorySwap) {
      throw fail('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    c.Memory = r.Memory;
  }
  if (r.MemorySwap) c.MemorySwap = r.MemorySwap;
  if (r.MemoryReservation) c.MemoryReservation = r.MemoryReservation;
  if (r.CpuRealtimePeriod) c.CpuRealtimePeriod = r.CpuRealtimePeriod;
  if (r.CpuRealtimeRuntime) c.CpuRealtimeRuntime = r.CpuRealtimeRuntime;
  // 0 or below lifts the limit; dockerd records it as 0.
  if (r.PidsLimit != null) c.PidsLimit = r.PidsLimit > 0 ? r.PidsLimit : 0;
  return c;
}
