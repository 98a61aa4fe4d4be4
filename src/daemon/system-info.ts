// GET /version and /info: what this daemon and its machine are.
import { randomUUID } from 'node:crypto';
import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import type { HostFacts } from '../engine/index.ts';
import { execProgram } from '../lib/index.ts';
import type { DaemonConfig } from './config.ts';

export const berthVersion = '0.1.0';
export const gitCommit = 'berth';

async function toolVersion(path: string, args: string[], pattern: RegExp): Promise<{ version: string; commit: string }> {
  try {
    const { stdout } = await execProgram(path, args);
    const m = pattern.exec(stdout);
    const commit = /commit:\s*(\S+)/.exec(stdout)?.[1] ?? '';
    return { version: m?.[1] ?? 'unknown', commit };
  } catch {
    return { version: 'unknown', commit: '' };
  }
}

function osRelease(): { pretty: string; version: string } {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const get = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?`, 'm').exec(text)?.[1] ?? '';
    return { pretty: get('PRETTY_NAME') || 'Linux', version: get('VERSION_ID') };
  } catch {
    return { pretty: 'Linux', version: '' };
  }
}

/** The file system a directory is on, by statfs magic, named as dockerd names backing file systems. */
async function backingFs(dir: string): Promise<string> {
  const names: Record<number, string> = {
    0xef53: 'extfs',
    0x58465342: 'xfs',
    0x9123683e: 'btrfs',
    0x01021994: 'tmpfs',
    0x794c7630: 'overlayfs',
    0x2fc12fc1: 'zfs',
    0x6969: 'nfs',
    0xf2f52010: 'f2fs',
  };
  try {
    const { type } = await fsp.statfs(dir);
    return names[type] ?? `<unknown ${type.toString(16)}>`;
  } catch {
    return '<unknown>';
  }
}

function readFlag(path: string): boolean | undefined {
  try {
    return readFileSync(path, 'utf8').trim() === '1';
  } catch {
    return undefined;
  }
}

export function cgroupVersion(): '1' | '2' {
  return existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1';
}

/** The daemon's ID (GET /info's ID, the actor of daemon events), made once per data root. */
export async function engineId(dataRoot: string): Promise<string> {
  const path = `${dataRoot}/engine-id`;
  try {
    return (await fsp.readFile(path, 'utf8')).trim();
  } catch {
    const id = randomUUID();
    await fsp.writeFile(path, id + '\n', { mode: 0o600 });
    return id;
  }
}

/** What `docker info` says about how containers are confined. */
export interface SecuritySettings {
  /** "builtin", "unconfined" or the profile's path. */
  seccompProfile: string;
  /** userns-remap is on. */
  userns: boolean;
  noNewPrivileges: boolean;
  /** Containers get a cgroup namespace of their own by default. */
  cgroupnsPrivate: boolean;
}

export interface InfoSources {
  /** The live configuration (a reload changes it in place). */
  config: DaemonConfig;
  /** The data root berthd uses: <data-root>/<uid>.<gid> under userns-remap. */
  dataRoot: string;
  host: HostFacts;
  security: SecuritySettings;
  runtimePath: string;
  initPath: string;
  containers: { counts(): { total: number; running: number; paused: number; stopped: number } };
  images: { count(): number };
  events: { readonly subscriberCount: number };
  /** Records skipped at start-up: shown as warnings. */
  skipped?: { warnings(): string[] };
}

export class SystemInfo {
  #src: InfoSources;
  #tools?: Promise<{ runc: { version: string; commit: string }; tini: { version: string; commit: string } }>;

  constructor(src: InfoSources) {
    this.#src = src;
  }

  #toolVersions() {
    this.#tools ??= Promise.all([
      toolVersion(this.#src.runtimePath, ['--version'], /runc version (\S+)/),
      toolVersion(this.#src.initPath, ['--version'], /tini version (\S+)/),
    ]).then(([runc, tini]) => ({ runc, tini }));
    return this.#tools;
  }

  async version(): Promise<Record<string, unknown>> {
    const { runc, tini } = await this.#toolVersions();
    const details = {
      ApiVersion: '1.43',
      Arch: 'amd64',
      BuildTime: '',
      Experimental: 'false',
      GitCommit: gitCommit,
      GoVersion: `node ${process.version}`,
      KernelVersion: os.release(),
      MinAPIVersion: '1.24',
      Os: 'linux',
    };
    return {
      Platform: { Name: 'Berth Engine' },
      Components: [
        { Name: 'Engine', Version: berthVersion, Details: details },
        { Name: 'runc', Version: runc.version, Details: { GitCommit: runc.commit } },
        { Name: 'berth-init', Version: tini.version, Details: { GitCommit: tini.commit } },
      ],
      Version: berthVersion,
      GitCommit: gitCommit,
      GoVersion: `node ${process.version}`,
      Os: 'linux',
      Arch: 'amd64',
      KernelVersion: os.release(),
      BuildTime: '',
    };
  }

  async info(): Promise<Record<string, unknown>> {
    const c = this.#src.containers.counts();
    const cfg = this.#src.config;
    const { runc, tini } = await this.#toolVersions();
    const rel = osRelease();
    const v2 = this.#src.host.features.mode === 'v2';
    const f = this.#src.host.features;
    let nfd: number;
    try {
      nfd = (await fsp.readdir('/proc/self/fd')).length;
    } catch {
      nfd = 0;
    }
    const insecure = ['127.0.0.0/8', ...cfg.insecureRegistries.filter((r) => /\/\d+$/.test(r))];
    // what the kernel really offers, and dockerd's warnings about what it lacks
    const ipForward = readFlag('/proc/sys/net/ipv4/ip_forward') ?? false;
    const nfIptables = readFlag('/proc/sys/net/bridge/bridge-nf-call-iptables') ?? false;
    const nfIp6tables = readFlag('/proc/sys/net/bridge/bridge-nf-call-ip6tables') ?? false;
    // after the seccomp and cgroup warnings (infoWarnings), in dockerd's order
    const warnings: string[] = [];
    if (!ipForward) warnings.push('WARNING: IPv4 forwarding is disabled');
    if (!nfIptables) warnings.push('WARNING: bridge-nf-call-iptables is disabled');
    if (!nfIp6tables) warnings.push('WARNING: bridge-nf-call-ip6tables is disabled');
    for (const h of cfg.hosts) if (h.startsWith('tcp://') && !cfg.tlsverify) warnings.push(`WARNING: API is accessible on ${h.replace(/^tcp:/, 'https:')} without client verification (--tlsverify)`);
    return {
      ID: await engineId(this.#src.dataRoot),
      Containers: c.total,
      ContainersRunning: c.running,
      ContainersPaused: c.paused,
      ContainersStopped: c.stopped,
      Images: this.#src.images.count(),
      Driver: 'overlay2',
      DriverStatus: [
        ['Backing Filesystem', await backingFs(this.#src.dataRoot)],
        ['Supports d_type', 'true'],
        ['Native Overlay Diff', 'true'],
        ['userxattr', 'false'],
      ],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file', 'k8s-file', 'none'] },
      MemoryLimit: f.memoryLimit,
      SwapLimit: f.swapLimit,
      ...(v2 ? {} : { KernelMemory: f.kernelMemory, KernelMemoryTCP: f.kernelMemory }),
      CpuCfsPeriod: f.cpuCfs,
      CpuCfsQuota: f.cpuCfs,
      CPUShares: f.cpuShares,
      CPUSet: f.cpuset,
      PidsLimit: f.pidsLimit,
      IPv4Forwarding: ipForward,
      BridgeNfIptables: nfIptables,
      BridgeNfIp6tables: nfIp6tables,
      Debug: cfg.logLevel === 'debug',
      NFd: nfd,
      OomKillDisable: f.oomKillDisable,
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: cfg.logDriver,
      CgroupDriver: 'cgroupfs',
      CgroupVersion: v2 ? '2' : '1',
      NEventsListener: this.#src.events.subscriberCount,
      KernelVersion: os.release(),
      OperatingSystem: rel.pretty,
      OSVersion: rel.version,
      OSType: 'linux',
      Architecture: os.machine(),
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: {
        AllowNondistributableArtifactsCIDRs: null,
        AllowNondistributableArtifactsHostnames: null,
        InsecureRegistryCIDRs: insecure,
        IndexConfigs: {
          'docker.io': { Name: 'docker.io', Mirrors: cfg.registryMirrors, Secure: true, Official: true },
          ...Object.fromEntries(cfg.insecureRegistries.filter((r) => !/\/\d+$/.test(r)).map((r) => [r, { Name: r, Mirrors: [], Secure: false, Official: false }])),
        },
        Mirrors: cfg.registryMirrors,
      },
      NCPU: this.#src.host.numCpus,
      MemTotal: this.#src.host.machineMemory,
      GenericResources: null,
      DockerRootDir: this.#src.dataRoot,
      HttpProxy: cfg.httpProxy,
      HttpsProxy: cfg.httpsProxy,
      NoProxy: cfg.noProxy,
      Name: os.hostname(),
      Labels: cfg.labels,
      ExperimentalBuild: false,
      ServerVersion: berthVersion,
      Runtimes: { runc: { path: this.#src.runtimePath }, ...Object.fromEntries(Object.entries(cfg.runtimes).map(([k, v]) => [k, { path: v.path }])) },
      DefaultRuntime: cfg.defaultRuntime,
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: cfg.liveRestore,
      Isolation: '',
      InitBinary: 'berth-init',
      ContainerdCommit: { ID: '', Expected: '' },
      RuncCommit: { ID: runc.commit, Expected: runc.commit },
      InitCommit: { ID: tini.commit, Expected: tini.commit },
      SecurityOptions: securityOptions(this.#src.host, this.#src.security),
      Warnings: [...infoWarnings(this.#src.host, this.#src.security), ...warnings, ...(this.#src.skipped?.warnings() ?? [])],
    };
  }
}

/** dockerd's fillSecurityOptions (no AppArmor, SELinux or rootless here). */
function securityOptions(host: HostFacts, sec: SecuritySettings): string[] {
  return [
    ...(host.seccompAvailable ? [`name=seccomp,profile=${sec.seccompProfile}`] : []),
    ...(sec.userns ? ['name=userns'] : []),
    ...(host.cgroupNamespaces && sec.cgroupnsPrivate ? ['name=cgroupns'] : []),
    ...(sec.noNewPrivileges ? ['name=no-new-privileges'] : []),
  ];
}

/** dockerd's warnings about what the host cannot limit, in its order. */
function infoWarnings(host: HostFacts, sec: SecuritySettings): string[] {
  const f = host.features;
  const w: string[] = [];
  if (host.seccompAvailable && sec.seccompProfile !== 'builtin') w.push('WARNING: daemon is not using the default seccomp profile');
  if (!f.memoryLimit) w.push('WARNING: No memory limit support');
  if (!f.swapLimit) w.push('WARNING: No swap limit support');
  if (f.mode === 'v1' && !f.kernelMemory) w.push('WARNING: No kernel memory TCP limit support');
  if (!f.oomKillDisable && f.mode === 'v1') w.push('WARNING: No oom kill disable support');
  if (!f.cpuCfs) w.push('WARNING: No cpu cfs quota support', 'WARNING: No cpu cfs period support');
  if (!f.cpuShares) w.push('WARNING: No cpu shares support');
  if (!f.cpuset) w.push('WARNING: No cpuset support');
  if (!f.pidsLimit) w.push('WARNING: No pids limit support');
  return w;
}
