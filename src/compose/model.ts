// The typed compose model: what a loaded, merged, normalized project is, in the Compose
// Specification's own words (keys keep their spec spelling, so the model, the files and the
// `config` output read alike). Every key of the specification has a place here; values are in
// their canonical form: durations in nanoseconds, sizes in bytes, command lines as words, ports
// and volumes in long syntax, mappings instead of KEY=VALUE lists.

/** Nanoseconds. */
export type Duration = number;
/** Bytes. */
export type ByteSize = number;

export type Extensions = Record<string, unknown>;

export interface ComposeProject {
  name: string;
  /** The project directory (absolute). */
  workingDir: string;
  /** The compose files read, absolute ('-' for stdin), in order. */
  composeFiles: string[];
  /** Variables used for interpolation: the shell's, then the .env files'. */
  environment: Record<string, string>;
  /** `--env-file` values given (for the com.docker.compose.project.environment_file label). */
  envFiles: string[];
  /** Active profiles. */
  profiles: string[];
  /** Services enabled by profiles and the selection. */
  services: Record<string, ServiceConfig>;
  /** Services present in the files but disabled (inactive profile, or outside the selection). */
  disabledServices: Record<string, ServiceConfig>;
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  secrets: Record<string, FileObjectConfig>;
  configs: Record<string, FileObjectConfig>;
  models: Record<string, ModelConfig>;
  extensions?: Extensions;
}

export interface ServiceConfig {
  name: string;
  profiles?: string[];
  annotations?: Record<string, string>;
  attach?: boolean;
  build?: BuildConfig;
  develop?: DevelopConfig;
  blkio_config?: BlkioConfig;
  cap_add?: string[];
  cap_drop?: string[];
  cgroup_parent?: string;
  cgroup?: string;
  cpu_count?: number;
  cpu_percent?: number;
  cpu_period?: number;
  cpu_quota?: number;
  cpu_rt_period?: number;
  cpu_rt_runtime?: number;
  cpus?: number;
  cpuset?: string;
  cpu_shares?: number;
  /** undefined: the image's; [] (from `command: ""` or `[]`): explicitly none. */
  command?: string[];
  configs?: FileReference[];
  container_name?: string;
  credential_spec?: CredentialSpec;
  depends_on?: Record<string, ServiceDependency>;
  deploy?: DeployConfig;
  device_cgroup_rules?: string[];
  devices?: DeviceMapping[];
  dns?: string[];
  dns_opt?: string[];
  dns_search?: string[];
  domainname?: string;
  entrypoint?: string[];
  provider?: ProviderConfig;
  /** null: declared without a value and not set in the environment (passed to the container as `KEY`). */
  environment?: Record<string, string | null>;
  env_file?: EnvFile[];
  expose?: string[];
  external_links?: string[];
  extra_hosts?: Record<string, string[]>;
  group_add?: string[];
  gpus?: DeviceRequest[];
  hostname?: string;
  healthcheck?: HealthCheckConfig;
  image?: string;
  init?: boolean;
  ipc?: string;
  isolation?: string;
  labels?: Record<string, string>;
  label_file?: string[];
  links?: string[];
  logging?: LoggingConfig;
  mem_limit?: ByteSize;
  mem_reservation?: ByteSize;
  memswap_limit?: ByteSize;
  mem_swappiness?: number;
  mac_address?: string;
  models?: Record<string, ServiceModelConfig | null>;
  network_mode?: string;
  networks?: Record<string, ServiceNetworkConfig | null>;
  oom_kill_disable?: boolean;
  oom_score_adj?: number;
  pid?: string;
  pids_limit?: number;
  platform?: string;
  ports?: ServicePortConfig[];
  privileged?: boolean;
  pull_policy?: string;
  pull_refresh_after?: string;
  read_only?: boolean;
  restart?: string;
  runtime?: string;
  scale?: number;
  secrets?: FileReference[];
  security_opt?: string[];
  shm_size?: ByteSize;
  stdin_open?: boolean;
  stop_grace_period?: Duration;
  stop_signal?: string;
  storage_opt?: Record<string, string>;
  sysctls?: Record<string, string>;
  tmpfs?: string[];
  tty?: boolean;
  ulimits?: Record<string, UlimitConfig>;
  use_api_socket?: boolean;
  user?: string;
  userns_mode?: string;
  uts?: string;
  volumes?: ServiceVolumeConfig[];
  volumes_from?: string[];
  working_dir?: string;
  post_start?: ServiceHook[];
  pre_stop?: ServiceHook[];
  extensions?: Extensions;
}

export interface BuildConfig {
  context: string;
  dockerfile?: string;
  dockerfile_inline?: string;
  entitlements?: string[];
  args?: Record<string, string | null>;
  ssh?: Record<string, string | null>;
  labels?: Record<string, string>;
  cache_from?: string[];
  cache_to?: string[];
  no_cache?: boolean;
  additional_contexts?: Record<string, string>;
  network?: string;
  provenance?: string;
  sbom?: string;
  pull?: boolean;
  target?: string;
  shm_size?: ByteSize;
  extra_hosts?: Record<string, string[]>;
  isolation?: string;
  privileged?: boolean;
  secrets?: FileReference[];
  tags?: string[];
  ulimits?: Record<string, UlimitConfig>;
  platforms?: string[];
  extensions?: Extensions;
}

export interface DevelopConfig {
  watch?: Array<{
    path: string;
    action: string;
    target?: string;
    ignore?: string[];
    include?: string[];
    exec?: ServiceHook;
    initial_sync?: boolean;
    extensions?: Extensions;
  }>;
  extensions?: Extensions;
}

export interface BlkioConfig {
  weight?: number;
  weight_device?: Array<{ path: string; weight: number }>;
  device_read_bps?: Array<{ path: string; rate: ByteSize }>;
  device_read_iops?: Array<{ path: string; rate: number }>;
  device_write_bps?: Array<{ path: string; rate: ByteSize }>;
  device_write_iops?: Array<{ path: string; rate: number }>;
}

export interface FileReference {
  source: string;
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number;
  extensions?: Extensions;
}

export interface CredentialSpec {
  config?: string;
  file?: string;
  registry?: string;
  extensions?: Extensions;
}

export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ServiceDependency {
  condition: DependencyCondition;
  restart: boolean;
  required: boolean;
  extensions?: Extensions;
}

export interface DeployConfig {
  mode?: string;
  replicas?: number;
  labels?: Record<string, string>;
  update_config?: UpdateConfig;
  rollback_config?: UpdateConfig;
  resources?: { limits?: Resource; reservations?: Resource; extensions?: Extensions };
  restart_policy?: { condition?: string; delay?: Duration; max_attempts?: number; window?: Duration; extensions?: Extensions };
  placement?: {
    constraints?: string[];
    preferences?: Array<{ spread?: string; extensions?: Extensions }>;
    max_replicas_per_node?: number;
    extensions?: Extensions;
  };
  endpoint_mode?: string;
  extensions?: Extensions;
}

export interface UpdateConfig {
  parallelism?: number;
  delay?: Duration;
  failure_action?: string;
  monitor?: Duration;
  max_failure_ratio?: number;
  order?: string;
  extensions?: Extensions;
}

export interface Resource {
  /** CPUs as a fraction (1.5 = one and a half). */
  cpus?: number;
  memory?: ByteSize;
  pids?: number;
  devices?: DeviceRequest[];
  generic_resources?: Array<{ discrete_resource_spec?: { kind?: string; value?: number; extensions?: Extensions }; extensions?: Extensions }>;
  extensions?: Extensions;
}

export interface DeviceRequest {
  capabilities?: string[];
  /** -1 for "all". */
  count?: number;
  device_ids?: string[];
  driver?: string;
  options?: Record<string, string>;
}

export interface DeviceMapping {
  source: string;
  target: string;
  permissions: string;
  extensions?: Extensions;
}

export interface ProviderConfig {
  type: string;
  options?: Record<string, string[]>;
  extensions?: Extensions;
}

export interface EnvFile {
  path: string;
  required: boolean;
  format?: string;
}

export interface HealthCheckConfig {
  /** ["CMD", …], ["CMD-SHELL", cmd] or ["NONE"]. */
  test?: string[];
  timeout?: Duration;
  interval?: Duration;
  retries?: number;
  start_period?: Duration;
  start_interval?: Duration;
  disable?: boolean;
  extensions?: Extensions;
}

export interface LoggingConfig {
  driver?: string;
  options?: Record<string, string>;
  extensions?: Extensions;
}

export interface ServiceModelConfig {
  endpoint_var?: string;
  model_var?: string;
  extensions?: Extensions;
}

export interface ServiceNetworkConfig {
  aliases?: string[];
  driver_opts?: Record<string, string>;
  gw_priority?: number;
  interface_name?: string;
  ipv4_address?: string;
  ipv6_address?: string;
  link_local_ips?: string[];
  mac_address?: string;
  priority?: number;
  extensions?: Extensions;
}

export interface ServicePortConfig {
  name?: string;
  mode: string;
  host_ip?: string;
  target: number;
  /** A port or a range ("8000-8010"); absent: the daemon picks one. */
  published?: string;
  protocol: string;
  app_protocol?: string;
  extensions?: Extensions;
}

export type VolumeType = 'bind' | 'volume' | 'tmpfs' | 'cluster' | 'npipe' | 'image';

export interface ServiceVolumeConfig {
  type: VolumeType;
  /** Named volume key, host path (absolute) or image; absent for an anonymous volume or tmpfs. */
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { propagation?: string; create_host_path: boolean; recursive?: string; selinux?: string; extensions?: Extensions };
  volume?: { labels?: Record<string, string>; nocopy?: boolean; subpath?: string; extensions?: Extensions };
  tmpfs?: { size?: ByteSize; mode?: number; extensions?: Extensions };
  image?: { subpath?: string; extensions?: Extensions };
  extensions?: Extensions;
}

export interface UlimitConfig {
  /** `nofile: 1024`: soft and hard both. */
  single?: number;
  soft?: number;
  hard?: number;
  extensions?: Extensions;
}

export interface ServiceHook {
  command: string[];
  user?: string;
  privileged?: boolean;
  working_dir?: string;
  environment?: Record<string, string | null>;
  extensions?: Extensions;
}

export interface IpamPool {
  subnet?: string;
  gateway?: string;
  ip_range?: string;
  aux_addresses?: Record<string, string>;
  extensions?: Extensions;
}

export interface NetworkConfig {
  /** The engine's name for it: `<project>_<key>` unless set, or the key when external. */
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  ipam?: { driver?: string; config?: IpamPool[]; options?: Record<string, string>; extensions?: Extensions };
  external?: boolean;
  internal?: boolean;
  attachable?: boolean;
  labels?: Record<string, string>;
  enable_ipv4?: boolean;
  enable_ipv6?: boolean;
  extensions?: Extensions;
}

export interface VolumeConfig {
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  labels?: Record<string, string>;
  extensions?: Extensions;
}

/** A secret or a config: from a file, an environment variable, or (configs) inline content. */
export interface FileObjectConfig {
  name: string;
  file?: string;
  environment?: string;
  content?: string;
  external?: boolean;
  labels?: Record<string, string>;
  driver?: string;
  driver_opts?: Record<string, string>;
  template_driver?: string;
  extensions?: Extensions;
}

export interface ModelConfig {
  name?: string;
  model: string;
  context_size?: number;
  runtime_flags?: string[];
  extensions?: Extensions;
}

/** The number of containers a service runs: scale, else deploy.replicas, else 1. */
export function serviceScale(service: ServiceConfig): number {
  if (service.scale !== undefined) return service.scale;
  if (service.deploy?.replicas !== undefined) return service.deploy.replicas;
  return 1;
}

/** The image a service runs: its `image`, else the one compose builds, `<project>-<service>`. */
export function serviceImage(service: ServiceConfig, projectName: string): string {
  return service.image ?? `${projectName}-${service.name}`;
}

/** Service networks by priority (highest first), then name: the first is the primary one. */
export function networksByPriority(service: ServiceConfig): string[] {
  return Object.keys(service.networks ?? {}).sort((a, b) => {
    const pa = service.networks?.[a]?.priority ?? 0;
    const pb = service.networks?.[b]?.priority ?? 0;
    return pa === pb ? (a < b ? -1 : a > b ? 1 : 0) : pb - pa;
  });
}
