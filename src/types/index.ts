// The Docker Engine API's data shapes (API 1.43) that cross subsystem boundaries: what the image
// store keeps, what a container is made of, what the API and the CLI exchange. Plain data only.

export type Labels = Record<string, string>;
export type EmptyObject = Record<string, never>;

export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** docker's container.Config: what an image carries and what `create` asks for. */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, EmptyObject>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[] | null;
  Cmd: string[] | null;
  Healthcheck?: HealthConfig;
  ArgsEscaped?: boolean;
  Image: string;
  Volumes: Record<string, EmptyObject> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  OnBuild: string[] | null;
  Labels: Labels | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
}

export function emptyContainerConfig(): ContainerConfig {
  return {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: null,
    Cmd: null,
    Image: '',
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: null,
  };
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image configuration document (docker's image JSON / OCI image config). */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  created?: string;
  author?: string;
  comment?: string;
  container?: string;
  container_config?: ContainerConfig;
  docker_version?: string;
  config?: Partial<ContainerConfig>;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
  /** Present in images built by the classic builder: the image this one was built on. */
  parent?: string;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  MaximumRetryCount: number;
}

export interface LogConfig {
  Type: string;
  Config: Record<string, string>;
}

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}
export type PortMap = Record<string, PortBinding[] | null>;

export interface MountSpec {
  Type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Labels; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

/** docker's container.HostConfig (API 1.43), every field the API reports. */
export interface HostConfig {
  Binds: string[] | null;
  ContainerIDFile: string;
  LogConfig: LogConfig;
  NetworkMode: string;
  PortBindings: PortMap;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  VolumeDriver: string;
  VolumesFrom: string[] | null;
  ConsoleSize: [number, number];
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  CgroupnsMode: string;
  Dns: string[];
  DnsOptions: string[];
  DnsSearch: string[];
  ExtraHosts: string[] | null;
  GroupAdd: string[] | null;
  IpcMode: string;
  Cgroup: string;
  Links: string[] | null;
  OomScoreAdj: number;
  PidMode: string;
  Privileged: boolean;
  PublishAllPorts: boolean;
  ReadonlyRootfs: boolean;
  SecurityOpt: string[] | null;
  StorageOpt?: Record<string, string>;
  Tmpfs?: Record<string, string>;
  UTSMode: string;
  UsernsMode: string;
  ShmSize: number;
  Sysctls?: Record<string, string>;
  Runtime: string;
  Isolation: string;
  CpuShares: number;
  Memory: number;
  NanoCpus: number;
  CgroupParent: string;
  BlkioWeight: number;
  BlkioWeightDevice: unknown[] | null;
  BlkioDeviceReadBps: unknown[] | null;
  BlkioDeviceWriteBps: unknown[] | null;
  BlkioDeviceReadIOps: unknown[] | null;
  BlkioDeviceWriteIOps: unknown[] | null;
  CpuPeriod: number;
  CpuQuota: number;
  CpuRealtimePeriod: number;
  CpuRealtimeRuntime: number;
  CpusetCpus: string;
  CpusetMems: string;
  Devices: DeviceMapping[] | null;
  DeviceCgroupRules: string[] | null;
  DeviceRequests: unknown[] | null;
  MemoryReservation: number;
  MemorySwap: number;
  MemorySwappiness: number | null;
  OomKillDisable: boolean | null;
  PidsLimit: number | null;
  Ulimits: Ulimit[] | null;
  CpuCount: number;
  CpuPercent: number;
  IOMaximumIOps: number;
  IOMaximumBandwidth: number;
  Mounts?: MountSpec[];
  MaskedPaths: string[] | null;
  ReadonlyPaths: string[] | null;
  Init?: boolean | null;
}

export function defaultHostConfig(): HostConfig {
  return {
    Binds: null,
    ContainerIDFile: '',
    LogConfig: { Type: 'json-file', Config: {} },
    NetworkMode: 'default',
    PortBindings: {},
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: false,
    VolumeDriver: '',
    VolumesFrom: null,
    ConsoleSize: [0, 0],
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: 'private',
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: 'private',
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: '',
    UsernsMode: '',
    ShmSize: 67108864,
    Runtime: 'runc',
    Isolation: '',
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CgroupParent: '',
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: '',
    CpusetMems: '',
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: null,
    OomKillDisable: null,
    PidsLimit: null,
    Ulimits: null,
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: null,
    ReadonlyPaths: null,
  };
}

export interface EndpointSettings {
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Links: string[] | null;
  Aliases: string[] | null;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
}

export interface NetworkingConfig {
  EndpointsConfig?: Record<string, Partial<EndpointSettings>>;
}

/** The body of POST /containers/create. */
export interface CreateContainerRequest extends Partial<ContainerConfig> {
  HostConfig?: Partial<HostConfig>;
  NetworkingConfig?: NetworkingConfig;
  Platform?: string;
}

export interface ContainerStateView {
  Status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  Health?: { Status: string; FailingStreak: number; Log: unknown[] };
}

export interface MountPointView {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** One line of GET /containers/json. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  Ports: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }>;
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Labels;
  State: string;
  Status: string;
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Networks: Record<string, EndpointSettings> };
  Mounts: MountPointView[];
}

/** One line of GET /images/json. */
/** A volume as the API shows it (GET /volumes/{name}). */
export interface Volume {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: string;
}

export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: number;
  Size: number;
  SharedSize: number;
  VirtualSize?: number;
  Labels: Labels;
  Containers: number;
}

export interface ImageHistoryEntry {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export interface DeleteResponseItem {
  Untagged?: string;
  Deleted?: string;
}

/** One message of a JSON progress stream (pull, push, import, load, build). */
export interface JsonMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  error?: string;
  errorDetail?: { code?: number; message: string };
  aux?: unknown;
}

// ---------------------------------------------------------------------------------------------
// What a client sends and reads back (src/client): the Engine API's request bodies and responses
// not covered above. Response shapes list the fields clients read; daemons may send more.

/** POST /containers/create's answer. */
export interface ContainerCreateResponse {
  Id: string;
  Warnings: string[] | null;
}

/** POST /containers/{id}/wait's answer. */
export interface ContainerWaitResponse {
  StatusCode: number;
  Error?: { Message: string } | null;
}

/** GET /containers/{id}/json. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Config: ContainerConfig;
  State: ContainerStateView;
  NetworkSettings: { Ports: PortMap | null; Networks?: Record<string, EndpointSettings> };
  [field: string]: unknown;
}

/** GET /containers/{id}/top. */
export interface ContainerTopResponse {
  Titles: string[];
  Processes: string[][];
}

/** One entry of GET /containers/{id}/changes; Kind 0 modified, 1 added, 2 deleted. */
export interface ContainerChange {
  Path: string;
  Kind: number;
}

/** The X-Docker-Container-Path-Stat header of /containers/{id}/archive, decoded. */
export interface ContainerPathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits (directory 1<<31, symlink 1<<27, …) over the permission bits. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** The body of POST /containers/{id}/exec. */
export interface ExecConfig {
  User?: string;
  Privileged?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Env?: string[] | null;
  WorkingDir?: string;
  /** Required in substance; dockerd answers a missing or empty one with "No exec command specified". */
  Cmd?: string[] | null;
}

/** The body of POST /exec/{id}/start. */
export interface ExecStartConfig {
  Detach: boolean;
  Tty: boolean;
  ConsoleSize?: [number, number] | null;
}

/** GET /exec/{id}/json. */
export interface ExecInspect {
  ID?: string;
  Running: boolean;
  ExitCode: number | null;
  [field: string]: unknown;
}

/** GET /images/{name}/json. */
export interface ImageInspect {
  Id: string;
  [field: string]: unknown;
}

/** POST /images/prune's answer. */
export interface ImagesPruneReport {
  ImagesDeleted: DeleteResponseItem[] | null;
  SpaceReclaimed: number;
}

/** One result of GET /images/search. */
export interface ImageSearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated?: boolean;
}

/** The body of POST /auth, and (base64url JSON) the X-Registry-Auth header. */
export interface AuthConfig {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
}

/** POST /auth's answer. */
export interface AuthResponse {
  Status: string;
  IdentityToken?: string;
}

/** One network as GET /networks and GET /networks/{id} show it. */
export interface NetworkResource {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv6: boolean;
  Internal: boolean;
  Labels: Labels | null;
  [field: string]: unknown;
}

/** One entry of IPAM.Config in POST /networks/create (dockerd's network.IPAMConfig). */
export interface IpamConfigBody {
  /** Optional on the wire: a gateway or range without it is refused by the network service. */
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/**
 * The body of POST /networks/create (dockerd's types.NetworkCreateRequest), as tolerant as dockerd
 * is: what a client may leave out or send as null. The client, compose and the network service all
 * speak it.
 */
export interface NetworkCreateBody {
  /** Required in substance; a missing one is refused with dockerd's error. */
  Name?: string;
  CheckDuplicate?: boolean;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  ConfigFrom?: { Network?: string } | null;
  EnableIPv6?: boolean;
  /** Sent by compose for `enable_ipv4`; the network service does not read it. */
  EnableIPv4?: boolean;
  IPAM?: { Driver?: string; Config?: IpamConfigBody[] | null; Options?: Record<string, string> | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Labels | null;
}

/** POST /networks/create's answer. */
export interface NetworkCreateResponse {
  Id: string;
  Warning?: string;
}

/** The body of POST /networks/{id}/connect. */
export interface NetworkConnectBody {
  Container: string;
  EndpointConfig?: Partial<EndpointSettings>;
}

/** The body of POST /networks/{id}/disconnect. */
export interface NetworkDisconnectBody {
  Container: string;
  Force?: boolean;
}

/** POST /networks/prune's answer. */
export interface NetworksPruneReport {
  NetworksDeleted: string[] | null;
}

/** The body of POST /volumes/create. */
export interface VolumeCreateBody {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Labels;
}

/** GET /volumes's answer. */
export interface VolumeListResponse {
  Volumes: Volume[] | null;
  Warnings?: string[] | null;
}

/** POST /volumes/prune's answer. */
export interface VolumesPruneReport {
  VolumesDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** A volume with its usage, as GET /system/df lists it: its size (-1 when unreadable) and how many containers use it. */
export interface VolumeUsage extends Volume {
  UsageData: { Size: number; RefCount: number };
}

/** A build cache record, as GET /system/df lists it (dockerd's types.BuildCache). */
export interface BuildCache {
  ID: string;
  Parents: string[] | null;
  /** "regular" for a step's result, "exec.cachemount" for a RUN --mount=type=cache directory. */
  Type: string;
  Description: string;
  InUse: boolean;
  Shared: boolean;
  Size: number;
  CreatedAt: string;
  LastUsedAt: string | null;
  UsageCount: number;
}

/** POST /build/prune's answer. */
export interface BuildCachePruneReport {
  CachesDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** GET /system/df's answer: each part only when asked for (all by default). */
export interface DiskUsage {
  LayersSize?: number;
  Images?: ImageSummary[] | null;
  Containers?: ContainerSummary[] | null;
  Volumes?: VolumeUsage[] | null;
  BuildCache?: BuildCache[] | null;
}

/** GET /version. */
export interface SystemVersion {
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  BuildTime?: string;
  Platform?: { Name: string };
  Components?: Array<{ Name: string; Version: string; Details?: Record<string, string> }>;
}

/** GET /info: the fields vary by daemon; clients read them by name. */
export type SystemInfo = Record<string, unknown>;
