// What the container engine needs from its neighbours, as narrow interfaces it owns (wired in
// daemon/wiring.ts), and the context every verb receives.
import type { Readable } from 'node:stream';
import type { Clock, Logger } from '../lib/index.ts';
import type { Syscalls } from '../sys/index.ts';
import type { CgroupFeatures, CgroupStats, LinuxResources } from '../cgroups/index.ts';
import type { CommitRequest } from '../image/index.ts';
import type { AttachConnection, CreateOptions, ExecHandle, ExecOptions, ExitStatus, IdMapping, OciProcess, ProbeOptions, ProbeResult } from '../runtime/index.ts';
import type { SandboxRequest, SandboxResult } from '../network/index.ts';
import type { ContainerLogInfo, LegacyFollow, LogEntry, PreparedLog, ReadOptions } from '../logging/index.ts';
import type { EndpointSettings, ImageConfig, Ulimit } from '../types/index.ts';
import type { Container } from './container.ts';
import type { ProcessTable } from './ps.ts';
import type { RestartManager } from './restart.ts';
import type { ContainerStore } from './store.ts';

export interface ImageRef {
  id: string;
  config: ImageConfig;
  topLayer?: string;
  size: number;
}

export interface ImageLookup {
  /** Throws NotFound("No such image: …") when absent. */
  resolve(nameOrId: string): ImageRef;
  get(id: string): ImageRef | undefined;
}

export interface ContainerLayers {
  createRwLayer(containerId: string, parent: string | undefined): Promise<unknown>;
  mountRw(containerId: string): Promise<string>;
  unmountRw(containerId: string): Promise<void>;
  removeRwLayer(containerId: string): Promise<void>;
  /** overlay2's directories for inspect's GraphDriver.Data. */
  describeRw(containerId: string): Promise<Record<string, string>>;
  /** Bytes written by the container (its read-write layer). */
  rwSize(containerId: string): Promise<number>;
  /** What the container changed relative to its image (docker diff). */
  rwChanges(containerId: string): Promise<Array<{ kind: 'A' | 'C' | 'D'; path: string }>>;
  /** The read-write layer as a layer tar, overlay whiteouts as .wh. files (commit). */
  rwDiff(containerId: string): Readable;
  /** The mounted file system whole as a tar (export); the mount is held until the stream closes. */
  exportRw(containerId: string): Promise<Readable>;
}

/**
 * The image half of commit (the image service): registers the layer, writes the image. The
 * request is the image subsystem's own CommitRequest: it defines what an image commit records.
 */
export interface ImageCommitter {
  commit(req: CommitRequest): Promise<{ id: string; ref?: string }>;
}

export interface ContainerRuntime {
  /** `output`: the read end of the output pipe, when conmon was told to write into one. */
  create(options: CreateOptions): Promise<{ pid: number; output?: Readable }>;
  start(id: string): Promise<void>;
  kill(id: string, signal: number, options?: { all?: boolean }): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  delete(id: string): Promise<void>;
  exitStatus(id: string): Promise<ExitStatus | undefined>;
  isAlive(id: string): Promise<boolean>;
  /** Whether the runtime holds any state (a bundle) for the container. */
  hasState(id: string): Promise<boolean>;
  /** The runtime's status of the container: 'created' until `start`, then 'running', 'paused', 'stopped'. */
  status(id: string): Promise<string | undefined>;
  /** Ids of every container the runtime holds state for. */
  list(): Promise<string[]>;
  pid(id: string): Promise<number | undefined>;
  attach(id: string): AttachConnection;
  resize(id: string, size: { height: number; width: number }): Promise<void>;
  /** The process the container was started with (the base of an exec's). */
  baseProcess(id: string): Promise<OciProcess>;
  exec(options: ExecOptions): Promise<ExecHandle>;
  removeExec(containerId: string, execId: string): Promise<void>;
  resizeExec(containerId: string, execId: string, size: { height: number; width: number }): Promise<void>;
  /** Pids of the container's processes, as the runtime sees them. */
  pids(id: string): Promise<number[]>;
  /** The output pipe of a container a restarted berthd finds, or undefined. */
  openOutput(id: string): Readable | undefined;
  /** Runs a healthcheck probe in the running container. */
  probe(options: ProbeOptions): Promise<ProbeResult>;
}

/** What containers need of the logging subsystem (logging/index.ts implements it). */
export interface ContainerLogs {
  /** dockerd's mergeAndVerifyLogConfig: the daemon's driver and log-opts filled in, options checked. */
  configure(requested: { Type?: string; Config?: Record<string, string> | null } | undefined): { Type: string; Config: Record<string, string> };
  /** HostConfig.LogConfig's file, for the record's LogPath ("" for drivers without one). */
  logPath(type: string, id: string, dir: string): string;
  /** Opens the driver before conmon starts; a bad option value fails here. */
  prepare(info: ContainerLogInfo): Promise<PreparedLog>;
  /** berthd found the container's output pipe: what waits in it is read, and the rest as it comes. */
  adopt(info: ContainerLogInfo, output: Readable): Promise<void>;
  /** The container exited: resolves once everything it wrote is in its log. */
  finish(info: ContainerLogInfo): Promise<void>;
  /** A log in the format of containers made before the drivers is converted; the new LogPath. */
  migrate(info: ContainerLogInfo): Promise<string | undefined>;
  /** The entries in batches; throws at once when the driver keeps no log. */
  read(info: ContainerLogInfo, options: ReadOptions, legacy: LegacyFollow | undefined, signal?: AbortSignal): AsyncIterable<LogEntry[]>;
}

/** Where the engine reports what containers did, and their network connections (the event bus). */
export interface EnginePublisher {
  publish(type: 'container' | 'network', action: string, id: string, attributes: Record<string, string>): void;
}

export interface EngineConfig {
  dataRoot: string;
  /** tini, bind-mounted as /sbin/docker-init for --init. */
  initPath: string;
  /** Host resolv.conf to derive containers' from. */
  hostResolvConf: string;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  cgroupParent: string;
  runtimeName: string;
  /** daemon.json's defaults and security settings for containers. */
  containerDefaults: ContainerDefaults;
}

/** What daemon.json says about every container: defaults at create, security at start. */
export interface ContainerDefaults {
  /** default-ulimits, applied where a container sets no limit of the same name. */
  ulimits: Ulimit[];
  /** default-shm-size, bytes. */
  shmSize: number;
  /** default-ipc-mode. */
  ipcMode: string;
  /** default-cgroupns-mode, or dockerd's default for the host's cgroup version ("host" on v1, "private" on v2). */
  cgroupnsMode: string;
  /** seccomp-profile: the profile's JSON text, "unconfined", or undefined for the built-in profile. */
  seccompProfile?: string;
  /** no-new-privileges. */
  noNewPrivileges: boolean;
  /** userns-remap: the mappings of every container that does not ask for --userns=host. */
  idMappings?: { uidMappings: IdMapping[]; gidMappings: IdMapping[] };
}

/** What containers need of the Cgroups port: readings, live limits, OOM kills. */
export interface ContainerCgroups {
  stats(cgroupsPath: string): Promise<CgroupStats>;
  update(cgroupsPath: string, resources: LinuxResources): Promise<void>;
  oomKills(cgroupsPath: string): Promise<number>;
}

/** The machine containers run on, measured once when berthd starts. */
export interface HostFacts {
  /** What its cgroups can limit. */
  features: CgroupFeatures;
  /** CPUs berthd may use. */
  numCpus: number;
  /** Go's name for the architecture, and the kernel's version. */
  arch: string;
  kernel: { major: number; minor: number };
  /** The kernel filters system calls (CONFIG_SECCOMP). */
  seccompAvailable: boolean;
  /** The kernel has cgroup namespaces. */
  cgroupNamespaces: boolean;
  /** /proc/meminfo's MemTotal, bytes: the limit stats report for an unlimited container. */
  machineMemory: number;
}

/** /proc as stats reads it: the machine's CPU time, a container's network counters. */
export interface ProcFiles {
  /** A file under /proc ("stat", "1234/net/dev"); rejects when it is gone. */
  read(path: string): Promise<string>;
}

/**
 * What every verb may use. Verbs that need little declare it with Pick<EngineContext, …> so that
 * their tests and callers see the few dependencies they really have.
 */
export interface EngineContext {
  store: ContainerStore;
  images: ImageLookup;
  layers: ContainerLayers;
  runtime: ContainerRuntime;
  events: EnginePublisher;
  log: Logger;
  config: EngineConfig;
  clock: Clock;
  /** The host's processes, for top. */
  ps: ProcessTable;
  /**
   * Looks for an exit conmon recorded and processes it (with --rm and restart handling). Resolves
   * once the exit is recorded: a --rm removal waits for the container's lock, which the caller
   * may hold, so it is queued, not awaited.
   */
  reconcile(c: Container): Promise<void>;
  /** Restart policies: decided at each exit, cancelled by a user stop or kill, reset by a user start. */
  restarts: Pick<RestartManager, 'decide' | 'stillWanted' | 'schedule' | 'cancel' | 'reset' | 'isPending'>;
  /** Healthcheck monitors: started with the container, stopped at its exit or removal. */
  health: { start(c: Container, options?: { resume?: boolean }): void; stop(c: Container): void };
  volumes: ContainerVolumes;
  /** The kernel calls `cp` needs for device files. */
  sys: Syscalls;
  network: ContainerNetworking;
  logs: ContainerLogs;
  cgroups: ContainerCgroups;
  host: HostFacts;
  proc: ProcFiles;
}

/** What containers need of the network service (network/index.ts implements it). */
export interface ContainerNetworking {
  plan(input: { mode: string; endpoints: Record<string, Partial<EndpointSettings>>; links: readonly string[]; macAddress?: string }): Record<string, EndpointSettings>;
  setUp(req: SandboxRequest): Promise<SandboxResult>;
  tearDown(containerId: string): Promise<void>;
  connect(containerId: string, networkRef: string, planned: EndpointSettings): Promise<EndpointSettings>;
  disconnect(containerId: string, networkRef: string): Promise<void>;
  /** The embedded resolver the running container's resolv.conf names (127.0.0.11) once it is on a user-defined network. */
  nameserver(containerId: string): string | undefined;
  sandboxPath(containerId: string): string | undefined;
  /** The user namespace file owning the container's network namespace (userns-remap), if any. */
  sandboxUserns(containerId: string): string | undefined;
  defaultGateway(): string;
  get(ref: string): { Id: string; Name: string; Driver: string };
  /** At daemon start: adopts running containers' sandboxes, removes the rest. */
  restore(running: ReadonlySet<string>): Promise<void>;
}

/** What containers need of the volume service. */
export interface ContainerVolumes {
  /** Creates the volume (anonymous when no name), or returns the existing one of that name. */
  create(options: { name?: string; options?: Record<string, string>; labels?: Record<string, string> }): Promise<{ Name: string; Mountpoint: string }>;
  has(name: string): boolean;
  /** Makes the volume's data available for the container; returns the host path to bind. */
  mount(name: string, containerId: string, options?: { destination?: string; readWrite?: boolean; propagation?: string }): Promise<string>;
  unmount(name: string, containerId: string): Promise<void>;
  /** At start-up, once running containers are adopted: unmounts volumes no container uses. */
  releaseUnused(): Promise<void>;
  remove(name: string): Promise<void>;
  isEmpty(name: string): Promise<boolean>;
  /** Copies a directory tree into the volume (copy-up of an image's content). */
  populate(name: string, source: string): Promise<void>;
}
