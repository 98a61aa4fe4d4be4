// Builds the OCI runtime configuration (config.json) for a container with dockerd's defaults:
// its mounts, capability set, masked and read-only paths, device rules and namespaces, and what
// its HostConfig adds (resources, rlimits, sysctls, devices, seccomp, user namespace).
import { readFileSync } from 'node:fs';
import type { LinuxDeviceCgroup, LinuxResources } from '../cgroups/index.ts';
import { InvalidArgument } from '../errors/index.ts';
import type { OciDevice } from './devices.ts';
import { seccompForSpec, type DockerSeccompProfile, type OciSeccomp } from './seccomp.ts';

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    consoleSize?: { height: number; width: number };
    user: { uid: number; gid: number; umask?: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[]; inheritable?: string[] };
    rlimits?: OciRlimit[];
    noNewPrivileges?: boolean;
    oomScoreAdj?: number;
    apparmorProfile?: string;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  linux: {
    namespaces: Array<{ type: string; path?: string }>;
    uidMappings?: IdMapping[];
    gidMappings?: IdMapping[];
    cgroupsPath: string;
    resources: LinuxResources & { devices: LinuxDeviceCgroup[] };
    maskedPaths: string[];
    readonlyPaths: string[];
    sysctl?: Record<string, string>;
    devices?: OciDevice[];
    seccomp?: OciSeccomp;
  };
  annotations?: Record<string, string>;
}

/** An rlimit; RLIM_INFINITY (2^64-1) needs a bigint, which serializeSpec writes exactly. */
export interface OciRlimit {
  type: string;
  hard: number | bigint;
  soft: number | bigint;
}

/** A user namespace mapping: `size` ids from `containerID` map to `hostID` on. */
export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export const defaultCapabilities = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability the kernel knows (for --privileged and --cap-add ALL). */
export const allCapabilities = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

let available: string[] | undefined;

/**
 * "All capabilities" as dockerd means it: those in our own bounding set. A host (or an outer
 * container) may withhold some — this VM lacks CAP_SYS_RESOURCE — and asking runc for a capability
 * we do not have fails the container with "unable to apply caps: operation not permitted".
 */
export function availableCapabilities(): string[] {
  if (!available) {
    let bounding = (1n << BigInt(allCapabilities.length)) - 1n;
    try {
      const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
      if (m) bounding = BigInt(`0x${m[1]}`);
    } catch {
      // not Linux, or no /proc: assume everything
    }
    available = allCapabilities.filter((_, bit) => (bounding >> BigInt(bit)) & 1n);
  }
  return available;
}

export const defaultMaskedPaths = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const defaultReadonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const allowedDevices = [
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 136, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
];

export type NamespaceChoice = { mode: 'private' } | { mode: 'host' } | { mode: 'path'; path: string };

/** What /dev/shm is: a tmpfs of the container's own, a bind (of the host's or another container's), or nothing (--ipc none). */
export type ShmChoice = { mode: 'tmpfs' } | { mode: 'bind'; source: string } | { mode: 'none' };

/** The seccomp profile to apply; buildSpec resolves its conditions against the final capability set. */
export interface SeccompChoice {
  profile: DockerSeccompProfile;
  /** Go's name for the host architecture and the kernel's major.minor. */
  arch: string;
  kernel: { major: number; minor: number };
}

export interface SpecInput {
  id: string;
  rootfs: string;
  readonlyRootfs: boolean;
  hostname: string;
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  terminal: boolean;
  consoleSize?: { height: number; width: number };
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  /** Bind mounts and tmpfs beyond the defaults, e.g. /etc/hosts, volumes. Later ones win. */
  mounts: OciMount[];
  network: NamespaceChoice;
  pid: NamespaceChoice;
  ipc: NamespaceChoice;
  uts: NamespaceChoice;
  cgroupns: 'private' | 'host';
  cgroupsPath: string;
  shmSize: number;
  maskedPaths: string[] | null;
  readonlyPaths: string[] | null;
  /** /dev/shm; by default a tmpfs of `shmSize` when the IPC namespace is private, else none. */
  shm?: ShmChoice;
  /** cgroup limits (devices aside: the defaults plus `deviceRules` are added here). */
  resources?: LinuxResources;
  /** Cgroup device rules after the defaults: --device permissions, --device-cgroup-rule. */
  deviceRules?: LinuxDeviceCgroup[];
  /** Device nodes to create (--device, or all of the host's for --privileged). */
  devices?: OciDevice[];
  sysctls?: Record<string, string>;
  rlimits?: OciRlimit[];
  oomScoreAdj?: number;
  noNewPrivileges?: boolean;
  /** No choice: no filter. Ignored for privileged containers, as dockerd ignores it. */
  seccomp?: SeccompChoice;
  /**
   * userns-remap: a user namespace with these mappings; with `path`, that existing one (made with
   * the container's network namespace, which it then owns), else a new one.
   */
  userNamespace?: { uidMappings: IdMapping[]; gidMappings: IdMapping[]; path?: string };
}

/**
 * dockerd's NormalizeLegacyCapabilities: upper case, "CAP_" added where missing, "ALL" kept;
 * an unknown name is refused ("unknown capability: \"CAP_FOO\"").
 */
export function normalizeCapabilities(caps: readonly string[]): string[] {
  return caps.map((c) => {
    const up = c.toUpperCase();
    if (up === 'ALL') return up;
    const name = up.startsWith('CAP_') ? up : `CAP_${up}`;
    if (!allCapabilities.includes(name)) throw new InvalidArgument(`unknown capability: ${JSON.stringify(name)}`);
    return name;
  });
}

/**
 * The capability set after --privileged, --cap-add and --cap-drop, by dockerd's rules
 * (TweakCapabilities): adding ALL gives every capability but the dropped ones; dropping ALL
 * leaves only the added ones; otherwise the defaults, less the dropped, plus the added.
 */
export function effectiveCapabilities(input: Pick<SpecInput, 'privileged' | 'capAdd' | 'capDrop'>): string[] {
  if (input.privileged) return [...availableCapabilities()];
  if (input.capAdd.length === 0 && input.capDrop.length === 0) return [...defaultCapabilities];
  const add = normalizeCapabilities(input.capAdd);
  const drop = normalizeCapabilities(input.capDrop);
  let caps: string[];
  if (add.includes('ALL')) caps = availableCapabilities().filter((c) => !drop.includes(c));
  else if (drop.includes('ALL')) caps = [...add];
  else caps = [...defaultCapabilities.filter((c) => !drop.includes(c)), ...add];
  return [...new Set(caps)];
}

export function buildSpec(input: SpecInput): OciSpec {
  const caps = effectiveCapabilities(input);
  const namespaces: Array<{ type: string; path?: string }> = [{ type: 'mount' }];
  const ns = (type: string, choice: NamespaceChoice) => {
    if (choice.mode === 'private') namespaces.push({ type });
    else if (choice.mode === 'path') namespaces.push({ type, path: choice.path });
  };
  ns('network', input.network);
  ns('uts', input.uts);
  ns('pid', input.pid);
  ns('ipc', input.ipc);
  if (input.cgroupns === 'private') namespaces.push({ type: 'cgroup' });
  if (input.userNamespace) namespaces.push({ type: 'user', ...(input.userNamespace.path ? { path: input.userNamespace.path } : {}) });
  const seccomp = input.seccomp && !input.privileged ? seccompForSpec(input.seccomp.profile, { ...input.seccomp, capabilities: caps }) : undefined;

  const sysRo = input.privileged ? [] : ['ro'];
  // A user namespace may mount sysfs only in a network namespace it owns. One that joins a
  // network namespace made outside it (another container's, not itself remapped) binds the
  // host's /sys instead, as runc does for rootless containers.
  const sysfs: OciMount =
    input.userNamespace && !input.userNamespace.path && input.network.mode !== 'private'
      ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', ...sysRo] }
      : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...sysRo] };
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    sysfs,
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', ...sysRo] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  ];
  const shm = input.shm ?? (input.ipc.mode === 'private' ? { mode: 'tmpfs' } : { mode: 'none' });
  if (shm.mode === 'tmpfs') {
    mounts.push({ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${input.shmSize}`] });
  } else if (shm.mode === 'bind') {
    mounts.push({ destination: '/dev/shm', type: 'bind', source: shm.source, options: ['rbind', 'rprivate'] });
  }
  // A user mount replaces a default one at the same destination.
  const userDest = new Set(input.mounts.map((m) => m.destination));
  const merged = [...mounts.filter((m) => !userDest.has(m.destination)), ...input.mounts];

  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: input.terminal,
      ...(input.terminal && input.consoleSize ? { consoleSize: input.consoleSize } : {}),
      user: { uid: input.user.uid, gid: input.user.gid, ...(input.user.additionalGids.length ? { additionalGids: input.user.additionalGids } : {}) },
      args: input.args,
      env: input.env,
      cwd: input.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      ...(input.rlimits?.length ? { rlimits: input.rlimits } : {}),
      ...(input.noNewPrivileges ? { noNewPrivileges: true } : {}),
      oomScoreAdj: input.oomScoreAdj ?? 0,
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs },
    hostname: input.uts.mode === 'host' ? '' : input.hostname,
    mounts: merged,
    linux: {
      namespaces,
      ...(input.userNamespace ? { uidMappings: input.userNamespace.uidMappings, gidMappings: input.userNamespace.gidMappings } : {}),
      cgroupsPath: input.cgroupsPath,
      resources: {
        ...(input.resources ?? {}),
        devices: input.privileged ? [{ allow: true, access: 'rwm' }] : [{ allow: false, access: 'rwm' }, ...allowedDevices, ...(input.deviceRules ?? [])],
      },
      maskedPaths: input.privileged ? [] : (input.maskedPaths ?? defaultMaskedPaths),
      readonlyPaths: input.privileged ? [] : (input.readonlyPaths ?? defaultReadonlyPaths),
      ...(input.sysctls && Object.keys(input.sysctls).length ? { sysctl: input.sysctls } : {}),
      ...(input.devices?.length ? { devices: input.devices } : {}),
      ...(seccomp ? { seccomp } : {}),
    },
  };
}

/**
 * JSON text of a spec (or of its process, for exec). JSON.stringify cannot print an integer above
 * 2^53 exactly, and runc reads rlimits as uint64: RLIM_INFINITY (--ulimit nofile=-1) must reach
 * it as 18446744073709551615, so rlimit values may be bigints and are printed whole.
 */
export function serializeSpec(spec: OciSpec | OciSpec['process']): string {
  const big: string[] = [];
  const text = JSON.stringify(spec, (_k, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    big.push(v.toString());
    return `\u0000big${big.length - 1}\u0000`;
  });
  return text.replace(/"\\u0000big(\d+)\\u0000"/g, (_m, i: string) => big[Number(i)]);
}

/** Reads config.json back, rlimit values beyond 2^53 as bigints (the inverse of serializeSpec). */
export function parseSpec(text: string): OciSpec {
  // The marker is written as the JSON escape \u0000, which JSON.parse turns into a NUL no real value has.
  const marked = text.replace(/"(hard|soft)":(\d{16,})/g, '"$1":"\\u0000big$2"');
  return JSON.parse(marked, (_k, v: unknown) => {
    if (typeof v === 'string' && v.startsWith('\u0000big')) {
      const n = BigInt(v.slice(4));
      return n > BigInt(Number.MAX_SAFE_INTEGER) ? n : Number(n);
    }
    return v;
  }) as OciSpec;
}
