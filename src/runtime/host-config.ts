// A container's HostConfig (Docker Engine API names) turned into the parts of its OCI spec that
// govern it, as dockerd's createSpec does: cgroup resources, rlimits, capabilities, namespaces,
// /dev/shm, sysctls, devices and device rules, seccomp, no-new-privileges, masked paths and the
// user namespace. Pure: what needs the file system (device numbers, host devices) or the engine
// (the pid of a container whose namespace is joined, userns mappings) comes in `env`.
import type { LinuxBlockIO, LinuxCpu, LinuxDeviceCgroup, LinuxMemory, LinuxResources, LinuxThrottleDevice, LinuxWeightDevice } from '../cgroups/index.ts';
import { InvalidArgument } from '../errors/index.ts';
import type { HostConfig, Ulimit } from '../types/index.ts';
import type { ResolvedDevices } from './devices.ts';
import { defaultSeccompProfile } from './seccomp-default.ts';
import { parseSeccompProfile, type DockerSeccompProfile } from './seccomp.ts';
import type { IdMapping, NamespaceChoice, OciRlimit, SeccompChoice, ShmChoice, SpecInput } from './spec.ts';

/** --blkio-weight-device */
export interface WeightDevice {
  Path: string;
  Weight: number;
}

/** --device-read-bps and friends. */
export interface ThrottleDevice {
  Path: string;
  Rate: number;
}

/** The HostConfig fields this module reads; older records may lack some. */
export type GovernedHostConfig = Pick<
  HostConfig,
  | 'Privileged' | 'CapAdd' | 'CapDrop' | 'ReadonlyRootfs' | 'NetworkMode' | 'PidMode' | 'IpcMode' | 'UTSMode' | 'CgroupnsMode'
  | 'ShmSize' | 'MaskedPaths' | 'ReadonlyPaths' | 'Sysctls' | 'Ulimits' | 'OomScoreAdj' | 'SecurityOpt' | 'DeviceCgroupRules'
  | 'Memory' | 'MemorySwap' | 'MemoryReservation' | 'MemorySwappiness' | 'OomKillDisable' | 'NanoCpus' | 'CpuShares' | 'CpuPeriod'
  | 'CpuQuota' | 'CpuRealtimePeriod' | 'CpuRealtimeRuntime' | 'CpusetCpus' | 'CpusetMems' | 'PidsLimit' | 'BlkioWeight'
  | 'BlkioWeightDevice' | 'BlkioDeviceReadBps' | 'BlkioDeviceWriteBps' | 'BlkioDeviceReadIOps' | 'BlkioDeviceWriteIOps'
>;

export interface HostSpecEnvironment {
  /** Go's name for the host's architecture (goArch()) and the kernel's major.minor. */
  arch: string;
  kernel: { major: number; minor: number };
  /** Whether the kernel filters system calls at all (CONFIG_SECCOMP). */
  seccompAvailable: boolean;
  /** daemon.json seccomp-profile: a profile's JSON text, "unconfined", or undefined for the built-in one. */
  daemonSeccompProfile?: string;
  /** daemon.json no-new-privileges. */
  noNewPrivileges?: boolean;
  /** daemon.json default-ulimits, applied where the container sets no limit of the same name. */
  defaultUlimits?: Ulimit[];
  /** From resolveDevices(hostConfig). */
  devices: ResolvedDevices;
  /** The init pid of the container named by PidMode / IpcMode "container:<name>". */
  pidNamespaceOf?: number;
  ipcNamespaceOf?: number;
  /**
   * The /dev/shm of a shareable IPC namespace: a tmpfs the daemon mounts on the host for the
   * container that shares it (dockerd's containers/<id>/mounts/shm), bound into it and into the
   * containers that join it. (A mount cannot be bound from another mount namespace.)
   */
  shmSource?: string;
  /** userns-remap's mappings; absent when the daemon does not remap or the container asked for --userns=host. */
  idMappings?: { uidMappings: IdMapping[]; gidMappings: IdMapping[] };
}

/** The spec fields a HostConfig decides. */
export type HostConfigSpec = Pick<
  SpecInput,
  | 'privileged' | 'capAdd' | 'capDrop' | 'readonlyRootfs' | 'pid' | 'ipc' | 'uts' | 'cgroupns' | 'shmSize' | 'shm' | 'maskedPaths'
  | 'readonlyPaths' | 'resources' | 'deviceRules' | 'devices' | 'sysctls' | 'rlimits' | 'oomScoreAdj' | 'noNewPrivileges' | 'seccomp'
  | 'userNamespace'
>;

/** What --security-opt asks for, parsed as dockerd's parseSecurityOpt does. */
export interface SecurityOptions {
  noNewPrivileges?: boolean;
  /** "unconfined", "builtin", or a profile's JSON text (the docker CLI sends the file's content). */
  seccompProfile?: string;
  /** Accepted and, on a host without AppArmor (this one), without effect — as in dockerd. */
  apparmorProfile?: string;
  /** SELinux label options; without SELinux, accepted and without effect — as in dockerd. */
  labels: string[];
}

export function parseSecurityOpt(opts: readonly string[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = { labels: [] };
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') {
      out.labels.push('disable');
      continue;
    }
    // The "key:value" form is the deprecated spelling of "key=value".
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : '';
    if (!sep) throw new InvalidArgument(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
    const i = opt.indexOf(sep);
    const [key, value] = [opt.slice(0, i), opt.slice(i + 1)];
    switch (key) {
      case 'label':
        out.labels.push(value);
        break;
      case 'apparmor':
        out.apparmorProfile = value;
        break;
      case 'seccomp':
        out.seccompProfile = value;
        break;
      case 'no-new-privileges': {
        const b = parseGoBool(value);
        if (b === undefined) throw new InvalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        out.noNewPrivileges = b;
        break;
      }
      default:
        throw new InvalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
    }
  }
  return out;
}

function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

const deviceCgroupRule = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/** --device-cgroup-rule "c 42:* rmw" as a cgroup rule; "*" is -1 in the spec. */
export function parseDeviceCgroupRule(rule: string): LinuxDeviceCgroup {
  const m = deviceCgroupRule.exec(rule);
  if (!m) throw new InvalidArgument(`invalid device cgroup rule format: '${rule}'`);
  return { allow: true, type: m[1], major: m[2] === '*' ? -1 : Number(m[2]), minor: m[3] === '*' ? -1 : Number(m[3]), access: m[4] };
}

/** A ulimit value as runc reads it: uint64, so -1 (unlimited) is 2^64-1. */
function rlimitValue(v: number): number | bigint {
  return v < 0 ? (1n << 64n) + BigInt(v) : v;
}

/** The container's ulimits, then the daemon's defaults for names it does not set (dockerd's mergeUlimits). */
export function rlimits(ulimits: readonly Ulimit[] | null | undefined, defaults: readonly Ulimit[] = []): OciRlimit[] {
  const own = ulimits ?? [];
  const names = new Set(own.map((u) => u.Name));
  const merged = [...own, ...[...defaults].filter((u) => !names.has(u.Name)).sort((a, b) => a.Name.localeCompare(b.Name))];
  return merged.map((u) => ({ type: `RLIMIT_${u.Name.toUpperCase()}`, hard: rlimitValue(u.Hard), soft: rlimitValue(u.Soft) }));
}

/** NanoCPUs as a CFS quota over dockerd's fixed 100 ms period. */
const nanoCpuPeriod = 100000;

function memoryResources(h: GovernedHostConfig): LinuxMemory {
  return {
    ...(h.Memory > 0 ? { limit: h.Memory } : {}),
    ...(h.MemoryReservation > 0 ? { reservation: h.MemoryReservation } : {}),
    ...(h.MemorySwap > 0 ? { swap: h.MemorySwap } : {}),
    ...(h.MemorySwappiness != null && h.MemorySwappiness >= 0 ? { swappiness: h.MemorySwappiness } : {}),
    ...(h.OomKillDisable != null ? { disableOOMKiller: h.OomKillDisable } : {}),
  };
}

function cpuResources(h: GovernedHostConfig): LinuxCpu {
  if (h.CpuShares < 0) throw new InvalidArgument('shares: invalid argument');
  const cpu: LinuxCpu = { shares: h.CpuShares ?? 0 };
  if (h.CpusetCpus) cpu.cpus = h.CpusetCpus;
  if (h.CpusetMems) cpu.mems = h.CpusetMems;
  if (h.NanoCpus > 0) {
    cpu.period = nanoCpuPeriod;
    cpu.quota = Math.trunc((h.NanoCpus * nanoCpuPeriod) / 1e9);
  }
  if (h.CpuPeriod) cpu.period = h.CpuPeriod;
  if (h.CpuQuota) cpu.quota = h.CpuQuota;
  if (h.CpuRealtimePeriod) cpu.realtimePeriod = h.CpuRealtimePeriod;
  if (h.CpuRealtimeRuntime) cpu.realtimeRuntime = h.CpuRealtimeRuntime;
  return cpu;
}

function numbers(devices: ResolvedDevices, path: string): { major: number; minor: number } {
  const n = devices.blockDevices[path];
  if (!n) throw new InvalidArgument(`stat ${path}: no such file or directory`);
  return n;
}

function blockIo(h: GovernedHostConfig, devices: ResolvedDevices): LinuxBlockIO {
  const throttle = (list: unknown[] | null | undefined): LinuxThrottleDevice[] => ((list ?? []) as ThrottleDevice[]).map((d) => ({ ...numbers(devices, d.Path), rate: d.Rate }));
  const b: LinuxBlockIO = { weight: h.BlkioWeight ?? 0 };
  const weighted: LinuxWeightDevice[] = ((h.BlkioWeightDevice ?? []) as WeightDevice[]).map((d) => ({ ...numbers(devices, d.Path), weight: d.Weight }));
  if (weighted.length) b.weightDevice = weighted;
  const lists: Array<[keyof LinuxBlockIO, LinuxThrottleDevice[]]> = [
    ['throttleReadBpsDevice', throttle(h.BlkioDeviceReadBps)],
    ['throttleWriteBpsDevice', throttle(h.BlkioDeviceWriteBps)],
    ['throttleReadIOPSDevice', throttle(h.BlkioDeviceReadIOps)],
    ['throttleWriteIOPSDevice', throttle(h.BlkioDeviceWriteIOps)],
  ];
  for (const [key, list] of lists) if (list.length) (b as Record<string, unknown>)[key] = list;
  return b;
}

/** dockerd's WithResources: the cgroup limits a container starts with. */
export function resourcesFromHostConfig(h: GovernedHostConfig, devices: ResolvedDevices): LinuxResources {
  return {
    memory: memoryResources(h),
    cpu: cpuResources(h),
    ...(h.PidsLimit != null ? { pids: { limit: h.PidsLimit > 0 ? h.PidsLimit : -1 } } : {}),
    blockIO: blockIo(h, devices),
  };
}

/**
 * dockerd's toContainerdResources: what `docker update` applies to a running container — the
 * request's own values, zero meaning "leave as is" (the Cgroups port skips them).
 */
export function updateResources(r: Partial<GovernedHostConfig>): LinuxResources {
  const period = r.NanoCpus ? nanoCpuPeriod : (r.CpuPeriod ?? 0);
  const quota = r.NanoCpus ? Math.trunc((r.NanoCpus * nanoCpuPeriod) / 1e9) : (r.CpuQuota ?? 0);
  return {
    ...(r.BlkioWeight ? { blockIO: { weight: r.BlkioWeight } } : {}),
    cpu: { shares: r.CpuShares ?? 0, ...(r.CpusetCpus ? { cpus: r.CpusetCpus } : {}), ...(r.CpusetMems ? { mems: r.CpusetMems } : {}), period, quota },
    memory: { limit: r.Memory ?? 0, reservation: r.MemoryReservation ?? 0, ...((r.MemorySwap ?? 0) > 0 ? { swap: r.MemorySwap } : {}) },
    ...(r.PidsLimit != null ? { pids: { limit: r.PidsLimit > 0 ? r.PidsLimit : -1 } } : {}),
  };
}

function namespaceMode(kind: 'PID' | 'IPC' | 'UTS', mode: string, pid: number | undefined): NamespaceChoice {
  if (mode === '' || mode === 'private' || (kind === 'IPC' && (mode === 'shareable' || mode === 'none'))) return { mode: 'private' };
  if (mode === 'host') return { mode: 'host' };
  if (kind !== 'UTS' && mode.startsWith('container:') && mode.length > 'container:'.length) {
    if (!pid) throw new InvalidArgument(`cannot join the ${kind} namespace of ${mode.slice('container:'.length)}: it is not running`);
    return { mode: 'path', path: `/proc/${pid}/ns/${kind.toLowerCase()}` };
  }
  throw new InvalidArgument(`invalid ${kind} mode: ${mode}`);
}

function shmFor(ipcMode: string, shmSource: string | undefined): ShmChoice {
  if (ipcMode === 'host') return { mode: 'bind', source: '/dev/shm' };
  if (ipcMode === 'none') return { mode: 'none' };
  if (ipcMode === 'shareable' || ipcMode.startsWith('container:')) {
    if (!shmSource) throw new InvalidArgument(`IPC mode ${ipcMode} needs the shared /dev/shm of its container`);
    return { mode: 'bind', source: shmSource };
  }
  return { mode: 'tmpfs' };
}

/** dockerd's WithSeccomp: no filter for privileged or unconfined containers, else the asked-for or default profile. */
function seccompFor(h: GovernedHostConfig, sec: SecurityOptions, env: HostSpecEnvironment): SeccompChoice | undefined {
  if (sec.seccompProfile === 'unconfined' || h.Privileged) return undefined;
  if (!env.seccompAvailable) {
    if (sec.seccompProfile && sec.seccompProfile !== 'builtin') throw new InvalidArgument('seccomp is not enabled in your kernel, cannot run a custom seccomp profile');
    return undefined;
  }
  let profile: DockerSeccompProfile | undefined;
  if (sec.seccompProfile === 'builtin') profile = defaultSeccompProfile();
  else if (sec.seccompProfile) profile = parseSeccompProfile(sec.seccompProfile);
  else if (env.daemonSeccompProfile === 'unconfined') return undefined;
  else if (env.daemonSeccompProfile && env.daemonSeccompProfile !== 'builtin') profile = parseSeccompProfile(env.daemonSeccompProfile);
  else profile = defaultSeccompProfile();
  return { profile, arch: env.arch, kernel: env.kernel };
}

/**
 * Sysctls: dockerd lets a container with a network namespace of its own ping and bind ports
 * below 1024 without NET_RAW / NET_BIND_SERVICE; the container's own values win.
 */
function sysctls(h: GovernedHostConfig, kernel: { major: number; minor: number }, remapped: boolean): Record<string, string> {
  const mode = h.NetworkMode ?? '';
  const ownNetns = mode !== 'host' && !mode.startsWith('container:');
  const out: Record<string, string> = {};
  if (ownNetns) {
    if (kernel.major > 4 || (kernel.major === 4 && kernel.minor >= 11)) out['net.ipv4.ip_unprivileged_port_start'] = '0';
    // a user namespace maps too few groups for the whole range (dockerd leaves it out too)
    if (!remapped) out['net.ipv4.ping_group_range'] = '0 2147483647';
  }
  return { ...out, ...(h.Sysctls ?? {}) };
}

export function specFromHostConfig(h: GovernedHostConfig, env: HostSpecEnvironment): HostConfigSpec {
  const sec = parseSecurityOpt(h.SecurityOpt);
  const ipcMode = h.IpcMode ?? '';
  return {
    privileged: h.Privileged,
    capAdd: h.CapAdd ?? [],
    capDrop: h.CapDrop ?? [],
    readonlyRootfs: h.ReadonlyRootfs,
    pid: namespaceMode('PID', h.PidMode ?? '', env.pidNamespaceOf),
    ipc: namespaceMode('IPC', ipcMode, env.ipcNamespaceOf),
    uts: namespaceMode('UTS', h.UTSMode ?? '', undefined),
    cgroupns: h.CgroupnsMode === 'host' ? 'host' : 'private',
    shmSize: h.ShmSize,
    shm: shmFor(ipcMode, env.shmSource),
    maskedPaths: h.MaskedPaths,
    readonlyPaths: h.ReadonlyPaths,
    resources: resourcesFromHostConfig(h, env.devices),
    deviceRules: [...env.devices.rules, ...(h.DeviceCgroupRules ?? []).map(parseDeviceCgroupRule)],
    devices: env.devices.devices,
    sysctls: sysctls(h, env.kernel, env.idMappings !== undefined),
    rlimits: rlimits(h.Ulimits, env.defaultUlimits),
    oomScoreAdj: h.OomScoreAdj,
    noNewPrivileges: sec.noNewPrivileges ?? env.noNewPrivileges ?? false,
    seccomp: seccompFor(h, sec, env),
    ...(env.idMappings ? { userNamespace: env.idMappings } : {}),
  };
}
