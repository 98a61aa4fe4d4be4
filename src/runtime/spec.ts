// Builds the OCI runtime configuration (config.json) for a container with dockerd's defaults:
// its mounts, capability set, masked and read-only paths, device rules and namespaces.
import { readFileSync } from 'node:fs';

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
    rlimits?: Array<{ type: string; hard: number; soft: number }>;
    noNewPrivileges?: boolean;
    oomScoreAdj?: number;
    apparmorProfile?: string;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  linux: {
    namespaces: Array<{ type: string; path?: string }>;
    cgroupsPath: string;
    resources: Record<string, unknown> & { devices: Array<{ allow: boolean; type?: string; major?: number; minor?: number; access: string }> };
    maskedPaths: string[];
    readonlyPaths: string[];
    sysctl?: Record<string, string>;
    devices?: Array<{ path: string; type: string; major: number; minor: number; fileMode?: number; uid?: number; gid?: number }>;
    seccomp?: unknown;
  };
  annotations?: Record<string, string>;
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
  resources?: Record<string, unknown>;
  sysctls?: Record<string, string>;
  rlimits?: Array<{ type: string; hard: number; soft: number }>;
  oomScoreAdj?: number;
  noNewPrivileges?: boolean;
}

function normaliseCap(c: string): string {
  const up = c.toUpperCase();
  return up.startsWith('CAP_') ? up : `CAP_${up}`;
}

/** The capability set after --privileged, --cap-add and --cap-drop (ALL allowed in both). */
export function effectiveCapabilities(input: Pick<SpecInput, 'privileged' | 'capAdd' | 'capDrop'>): string[] {
  if (input.privileged) return [...availableCapabilities()];
  const add = input.capAdd.map(normaliseCap);
  const drop = input.capDrop.map(normaliseCap);
  let caps = add.includes('CAP_ALL') ? [...availableCapabilities()] : [...defaultCapabilities];
  if (drop.includes('CAP_ALL')) caps = [];
  for (const c of add) if (c !== 'CAP_ALL' && !caps.includes(c)) caps.push(c);
  return caps.filter((c) => !drop.includes(c) || add.includes(c));
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

  const sysRo = input.privileged ? [] : ['ro'];
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...sysRo] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', ...sysRo] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  ];
  if (input.ipc.mode === 'private') {
    mounts.push({ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${input.shmSize}`] });
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
      cgroupsPath: input.cgroupsPath,
      resources: {
        ...(input.resources ?? {}),
        devices: input.privileged ? [{ allow: true, access: 'rwm' }] : [{ allow: false, access: 'rwm' }, ...allowedDevices],
      },
      maskedPaths: input.privileged ? [] : (input.maskedPaths ?? defaultMaskedPaths),
      readonlyPaths: input.privileged ? [] : (input.readonlyPaths ?? defaultReadonlyPaths),
      ...(input.sysctls && Object.keys(input.sysctls).length ? { sysctl: input.sysctls } : {}),
    },
  };
}
