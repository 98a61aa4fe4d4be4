// A service's container as the Engine API's POST /containers/create body, built the way compose
// v2 builds it (pkg/compose/create.go): Config from the service, HostConfig with binds, mounts,
// resources and restart policy, NetworkingConfig with the primary network's endpoint. Pure: the
// caller supplies what only the daemon knows (the containers behind `service:x` references, the
// links, the image digest) and sends the request.
import { isIP } from 'node:net';
import { InvalidArgument } from '../errors/index.ts';
import type { CreateContainerRequest, EndpointSettings, HealthConfig, HostConfig, MountSpec, RestartPolicy, Ulimit } from '../types/index.ts';
import { serviceConfigHash } from './hash.ts';
import { containerName, dependsOnLabel, labels as composeLabels, serviceLabels } from './labels.ts';
import { networksByPriority, serviceImage, type ComposeProject, type ServiceConfig, type ServiceVolumeConfig } from './model.ts';

/** Mount fields of API 1.43+ that src/types does not list. */
export type Mount = MountSpec & {
  BindOptions?: MountSpec['BindOptions'] & { ReadOnlyNonRecursive?: boolean; ReadOnlyForceRecursive?: boolean };
  VolumeOptions?: MountSpec['VolumeOptions'] & { Subpath?: string };
};

export interface DeviceRequest {
  Driver: string;
  Count: number;
  DeviceIDs: string[] | null;
  Capabilities: string[][];
  Options: Record<string, string> | null;
}

export interface ContainerCreateBody extends CreateContainerRequest {
  HostConfig: Partial<HostConfig> & { Mounts?: Mount[]; Annotations?: Record<string, string>; DeviceRequests?: DeviceRequest[] | null };
}

export interface ContainerCreate {
  /** ?name= */
  name: string;
  /** ?platform= (empty: the daemon's) */
  platform: string;
  body: ContainerCreateBody;
  /**
   * Networks to connect after create: before API 1.44 the daemon takes one endpoint at create
   * time, so compose connects the others with POST /networks/{id}/connect.
   */
  connect: Array<{ network: string; endpoint: Partial<EndpointSettings> }>;
}

export interface CreateOptions {
  number: number;
  /** Defaults to `<project>-<service>-<number>`; a recreate first creates under a temporary name. */
  name?: string;
  /** Legacy links, `container:alias` (see serviceLinks). */
  links?: string[];
  /** The container `service:x` refers to (network_mode, ipc, pid, volumes_from): its name or id. */
  serviceContainer?: (service: string) => string | undefined;
  /** com.docker.compose.image: the id of the image the container is created from. */
  imageId?: string;
  /** The engine's API version (1.43 for berthd): from 1.44 every network goes in the create call. */
  apiVersion?: string;
  /** compose run: a one-off container (no number, oneoff label True, no service aliases). */
  oneoff?: { slug: string; useAliases: boolean };
  autoRemove?: boolean;
  attachStdin?: boolean;
  /** The container this one replaces (com.docker.compose.replace). */
  replaces?: string;
  /** Anonymous volumes of the replaced container, reused by the new one (target → volume name). */
  inheritedVolumes?: Record<string, string>;
  /** Reads a seccomp profile named in security_opt (`seccomp=profile.json`). */
  readFile?: (path: string) => string;
  composeVersion?: string;
}

function apiAtLeast(version: string, min: string): boolean {
  const [a, b] = version.split('.').map(Number);
  const [c, d] = min.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

/** compose's getLinks: for each link `svc[:alias]`, every container of svc under three names. */
export function serviceLinks(projectName: string, service: ServiceConfig, number: number, containersOf: (service: string) => string[]): string[] {
  const out: string[] = [];
  for (const raw of service.links ?? []) {
    const [svc, alias = svc] = raw.split(':');
    for (const c of containersOf(svc)) {
      out.push(`${c}:${alias}`, `${c}:${svc}-${number}`, `${c}:${projectName}-${svc}-${number}`);
    }
  }
  for (const raw of service.external_links ?? []) {
    const [ext, alias = ext] = raw.split(':');
    out.push(`${ext}:${alias}`);
  }
  return out;
}

export function restartPolicy(service: ServiceConfig): RestartPolicy {
  const map = (c: string): RestartPolicy['Name'] => {
    switch (c) {
      case 'none':
      case 'no':
        return 'no';
      case 'any':
      case 'always':
        return 'always';
      case 'on-failure':
        return 'on-failure';
      case 'unless-stopped':
        return 'unless-stopped';
      default:
        throw new InvalidArgument(`invalid restart policy: ${c}`);
    }
  };
  let policy: RestartPolicy = { Name: '', MaximumRetryCount: 0 };
  if (service.restart) {
    const [name, count] = service.restart.split(':');
    policy = { Name: map(name), MaximumRetryCount: count === undefined ? 0 : Number.parseInt(count, 10) || 0 };
  }
  const rp = service.deploy?.restart_policy;
  if (rp) policy = { Name: rp.condition ? map(rp.condition) : '', MaximumRetryCount: rp.max_attempts ?? 0 };
  return policy;
}

export function healthConfig(service: ServiceConfig): HealthConfig | undefined {
  const h = service.healthcheck;
  if (!h) return undefined;
  if (h.start_interval !== undefined && h.start_period === undefined) {
    throw new InvalidArgument('healthcheck.start_interval requires healthcheck.start_period to be set');
  }
  return {
    Test: h.disable ? ['NONE'] : h.test,
    Interval: h.interval ?? 0,
    Timeout: h.timeout ?? 0,
    StartPeriod: h.start_period ?? 0,
    StartInterval: h.start_interval ?? 0,
    Retries: h.retries ?? 0,
  };
}

function exposedPorts(service: ServiceConfig): Record<string, Record<string, never>> | undefined {
  const out: Record<string, Record<string, never>> = {};
  for (const p of service.ports ?? []) out[`${p.target}/${p.protocol}`] = {};
  for (const e of service.expose ?? []) {
    const [range, proto = 'tcp'] = e.split('/');
    const m = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!m) throw new InvalidArgument(`invalid port range: ${e}`);
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    if (end < start || end > 65535) throw new InvalidArgument(`invalid port range: ${e}`);
    for (let p = start; p <= end; p++) out[`${p}/${proto.toLowerCase()}`] = {};
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function ulimits(service: ServiceConfig): Ulimit[] | null {
  const u = service.ulimits;
  if (!u) return null;
  return Object.keys(u)
    .sort()
    .map((name) => {
      const single = u[name].single ?? 0;
      return { Name: name, Hard: u[name].hard || single, Soft: u[name].soft || single };
    });
}

function deviceRequests(service: ServiceConfig): DeviceRequest[] | null {
  const out: DeviceRequest[] = [];
  for (const d of service.deploy?.resources?.reservations?.devices ?? []) {
    out.push({ Capabilities: [d.capabilities ?? []], Count: d.count ?? 0, DeviceIDs: d.device_ids ?? null, Driver: d.driver ?? '', Options: d.options ?? null });
  }
  for (const g of service.gpus ?? []) {
    out.push({ Driver: g.driver ?? '', Count: g.count ?? 0, DeviceIDs: g.device_ids ?? null, Capabilities: [[...(g.capabilities ?? []), 'gpu']], Options: g.options ?? null });
  }
  return out.length > 0 ? out : null;
}

function securityOpts(service: ServiceConfig, readFile: CreateOptions['readFile'], workingDir: string): { opts: string[] | null; unconfined: boolean } {
  let unconfined = false;
  const opts: string[] = [];
  for (const opt of service.security_opt ?? []) {
    if (opt === 'systempaths=unconfined') {
      unconfined = true;
      continue;
    }
    let kv = opt.split(/=(.*)/s, 2);
    if (kv.length === 1 && kv[0] !== 'no-new-privileges') {
      if (!opt.includes(':')) throw new InvalidArgument(`invalid security-opt: ${JSON.stringify(opt)}`);
      kv = opt.split(/:(.*)/s, 2);
    }
    if (kv[0] === 'seccomp' && kv[1] !== 'unconfined' && kv[1] !== 'builtin') {
      const path = kv[1].startsWith('/') ? kv[1] : `${workingDir}/${kv[1]}`;
      if (!readFile) throw new InvalidArgument(`opening seccomp profile (${kv[1]}) failed: no file access`);
      let text: string;
      try {
        text = readFile(path);
      } catch (err) {
        throw new InvalidArgument(`opening seccomp profile (${kv[1]}) failed: ${(err as Error).message}`);
      }
      try {
        opts.push(`seccomp=${JSON.stringify(JSON.parse(text))}`);
      } catch (err) {
        throw new InvalidArgument(`compacting json for seccomp profile (${kv[1]}) failed: ${(err as Error).message}`);
      }
    } else opts.push(opt);
  }
  return { opts: opts.length > 0 ? opts : null, unconfined };
}

function bindString(source: string, v: Pick<ServiceVolumeConfig, 'read_only' | 'bind' | 'volume' | 'target'>): string {
  const options = [v.read_only ? 'ro' : 'rw'];
  if (v.bind?.selinux) options.push(v.bind.selinux);
  if (v.bind?.propagation) options.push(v.bind.propagation);
  if (v.volume?.nocopy) options.push('nocopy');
  return `${source}:${v.target}:${options.join(',')}`;
}

function toMount(project: ComposeProject, v: ServiceVolumeConfig): Mount {
  let source = v.source;
  if (v.type === 'volume' && v.source) source = project.volumes[v.source]?.name ?? v.source;
  const m: Mount = { Type: (v.type === 'image' ? 'volume' : v.type) as Mount['Type'], Target: v.target };
  if (v.type === 'image') (m as { Type: string }).Type = 'image';
  if (source !== undefined) m.Source = source;
  if (v.read_only) m.ReadOnly = true;
  if (v.consistency) m.Consistency = v.consistency;
  if (v.type === 'bind' && v.bind) {
    m.BindOptions = { CreateMountpoint: v.bind.create_host_path };
    if (v.bind.propagation) m.BindOptions.Propagation = v.bind.propagation;
    if (v.bind.recursive === 'disabled') m.BindOptions.NonRecursive = true;
    if (v.bind.recursive === 'writable') m.BindOptions.ReadOnlyNonRecursive = true;
    if (v.bind.recursive === 'readonly') m.BindOptions.ReadOnlyForceRecursive = true;
  }
  if (v.type === 'volume' && v.volume) {
    m.VolumeOptions = {};
    if (v.volume.nocopy) m.VolumeOptions.NoCopy = true;
    if (v.volume.subpath) m.VolumeOptions.Subpath = v.volume.subpath;
    if (v.volume.labels) m.VolumeOptions.Labels = v.volume.labels;
  }
  if (v.type === 'tmpfs' && v.tmpfs) {
    m.TmpfsOptions = {};
    if (v.tmpfs.size) m.TmpfsOptions.SizeBytes = v.tmpfs.size;
    if (v.tmpfs.mode) m.TmpfsOptions.Mode = v.tmpfs.mode;
  }
  return m;
}

/**
 * Service volumes, secrets and configs as Binds (the legacy strings compose keeps where they
 * suffice, because only they create a missing host directory) and Mounts (the rest).
 */
function volumes(project: ComposeProject, service: ServiceConfig, inherited: Record<string, string>): { binds: string[]; mounts: Mount[] } {
  const binds: string[] = [];
  const mounts: Mount[] = [];
  const targets = new Set<string>();
  for (const [target, name] of Object.entries(inherited)) {
    if ((service.volumes ?? []).some((v) => v.target === target && v.source)) continue;
    mounts.push({ Type: 'volume', Source: name, Target: target });
    targets.add(target);
  }
  for (const v of service.volumes ?? []) {
    if (targets.has(v.target)) continue;
    targets.add(v.target);
    if (v.type === 'bind' && v.source !== undefined) {
      const b = v.bind;
      const needsMountApi = b !== undefined && (!b.create_host_path || b.propagation !== undefined || b.recursive !== undefined);
      if (!needsMountApi) {
        binds.push(bindString(v.source, v));
        continue;
      }
    }
    if (v.type === 'volume' && v.source && project.volumes[v.source]) {
      const vo = v.volume;
      const needsMountApi = vo !== undefined && ((vo.labels && Object.keys(vo.labels).length > 0) || !!vo.subpath || !!vo.nocopy);
      if (!needsMountApi) {
        binds.push(bindString(project.volumes[v.source].name, v));
        continue;
      }
    }
    mounts.push(toMount(project, v));
  }
  for (const secret of service.secrets ?? []) {
    const target = secret.target ? (secret.target.startsWith('/') ? secret.target : `/run/secrets/${secret.target}`) : `/run/secrets/${secret.source}`;
    const defined = project.secrets[secret.source];
    if (!defined) throw new InvalidArgument(`service ${JSON.stringify(service.name)} refers to undefined secret ${secret.source}: invalid compose project`);
    if (defined.external) throw new InvalidArgument(`unsupported external secret ${defined.name}`);
    if (defined.driver) throw new InvalidArgument('Docker Compose does not support secrets.*.driver');
    if (defined.template_driver) throw new InvalidArgument('Docker Compose does not support secrets.*.template_driver');
    // Secrets from the environment are written into the container after create, not mounted.
    if (defined.environment !== undefined || targets.has(target) || !defined.file) continue;
    targets.add(target);
    mounts.push({ Type: 'bind', Source: defined.file, Target: target, ReadOnly: true, BindOptions: { CreateMountpoint: false } });
  }
  for (const config of service.configs ?? []) {
    const target = config.target ? (config.target.startsWith('/') ? config.target : `/${config.target}`) : `/${config.source}`;
    const defined = project.configs[config.source];
    if (!defined) throw new InvalidArgument(`service ${JSON.stringify(service.name)} refers to undefined config ${config.source}: invalid compose project`);
    if (defined.external) throw new InvalidArgument(`unsupported external config ${defined.name}`);
    if (defined.template_driver) throw new InvalidArgument('Docker Compose does not support configs.*.template_driver');
    if (defined.environment !== undefined || defined.content !== undefined || targets.has(target) || !defined.file) continue;
    targets.add(target);
    mounts.push({ Type: 'bind', Source: defined.file, Target: target, ReadOnly: true });
  }
  return { binds, mounts };
}

/** Files a container gets written into it after create (secrets from variables, inline configs). */
export function injectedFiles(project: ComposeProject, service: ServiceConfig): Array<{ target: string; content: string; uid?: string; gid?: string; mode?: number }> {
  const out: Array<{ target: string; content: string; uid?: string; gid?: string; mode?: number }> = [];
  for (const secret of service.secrets ?? []) {
    const defined = project.secrets[secret.source];
    if (defined?.environment === undefined) continue;
    const target = secret.target ? (secret.target.startsWith('/') ? secret.target : `/run/secrets/${secret.target}`) : `/run/secrets/${secret.source}`;
    if (defined.content === undefined) throw new InvalidArgument(`environment variable ${JSON.stringify(defined.environment)} required by secret ${JSON.stringify(secret.source)} is not set`);
    out.push({ target, content: defined.content, uid: secret.uid, gid: secret.gid, mode: secret.mode ?? 0o444 });
  }
  for (const config of service.configs ?? []) {
    const defined = project.configs[config.source];
    if (!defined || (defined.environment === undefined && defined.content === undefined)) continue;
    const target = config.target ? (config.target.startsWith('/') ? config.target : `/${config.target}`) : `/${config.source}`;
    if (defined.content === undefined) throw new InvalidArgument(`environment variable ${JSON.stringify(defined.environment)} required by config ${JSON.stringify(config.source)} is not set`);
    out.push({ target, content: defined.content, uid: config.uid, gid: config.gid, mode: config.mode ?? 0o444 });
  }
  return out;
}

function resolveServiceRef(mode: string | undefined, kind: string, options: CreateOptions): string | undefined {
  if (!mode?.startsWith('service:')) return mode;
  const svc = mode.slice('service:'.length);
  const c = options.serviceContainer?.(svc);
  if (!c) throw new InvalidArgument(`cannot share ${kind} namespace with service ${svc}: container missing`);
  return `container:${c}`;
}

function endpoint(service: ServiceConfig, key: string, options: CreateOptions, name: string): Partial<EndpointSettings> {
  const config = service.networks?.[key] ?? null;
  const aliases = [name];
  if (!options.oneoff || options.oneoff.useAliases) aliases.push(service.name, ...(config?.aliases ?? []));
  const ep: Partial<EndpointSettings> = { Aliases: aliases, Links: options.links && options.links.length > 0 ? options.links : null };
  if (config) {
    if (config.ipv4_address !== undefined && isIP(config.ipv4_address) !== 4) throw new InvalidArgument(`invalid IPv4 address: ${config.ipv4_address}`);
    if (config.ipv6_address !== undefined && isIP(config.ipv6_address) !== 6) throw new InvalidArgument(`invalid IPv6 address: ${config.ipv6_address}`);
    if (config.ipv4_address || config.ipv6_address || config.link_local_ips) {
      const ipam: NonNullable<EndpointSettings['IPAMConfig']> = {};
      if (config.ipv4_address) ipam.IPv4Address = config.ipv4_address;
      if (config.ipv6_address) ipam.IPv6Address = config.ipv6_address;
      if (config.link_local_ips) ipam.LinkLocalIPs = config.link_local_ips;
      ep.IPAMConfig = ipam;
    }
    const mac = config.mac_address ?? (key === networksByPriority(service)[0] ? service.mac_address : undefined);
    if (mac) ep.MacAddress = mac;
    let driverOpts = config.driver_opts;
    if (config.interface_name) driverOpts = { ...(driverOpts ?? {}), 'com.docker.network.endpoint.ifname': config.interface_name };
    if (driverOpts) ep.DriverOpts = driverOpts;
  } else if (service.mac_address && key === networksByPriority(service)[0]) ep.MacAddress = service.mac_address;
  return ep;
}

/** The create request for container `number` of `service`. */
export function buildCreateRequest(project: ComposeProject, service: ServiceConfig, options: CreateOptions): ContainerCreate {
  const name = options.name ?? containerName(project.name, service, options.number);
  const finalName = options.oneoff ? name : containerName(project.name, service, options.number);
  const labels: Record<string, string> = { ...(service.labels ?? {}), ...serviceLabels(project, service, options.composeVersion) };
  labels[composeLabels.configHash] = serviceConfigHash(service);
  if (options.oneoff) {
    labels[composeLabels.oneoff] = 'True';
    labels[composeLabels.slug] = options.oneoff.slug;
  } else labels[composeLabels.containerNumber] = String(options.number);
  labels[composeLabels.dependsOn] = dependsOnLabel(service);
  if (options.imageId) labels[composeLabels.image] = options.imageId;
  if (options.replaces) labels[composeLabels.replace] = options.replaces;

  const env = Object.keys(service.environment ?? {})
    .sort()
    .map((k) => {
      const v = service.environment![k];
      return v === null ? k : `${k}=${v}`;
    });

  for (const d of service.dns ?? []) if (isIP(d) === 0) throw new InvalidArgument(`invalid DNS address: ParseAddr(${JSON.stringify(d)}): unable to parse IP`);
  const { opts: securityOpt, unconfined } = securityOpts(service, options.readFile, project.workingDir);
  const { binds, mounts } = volumes(project, service, options.inheritedVolumes ?? {});

  const portBindings: NonNullable<HostConfig['PortBindings']> = {};
  for (const p of service.ports ?? []) {
    if (p.host_ip && isIP(p.host_ip) === 0) throw new InvalidArgument(`invalid IP address: ${p.host_ip}`);
    (portBindings[`${p.target}/${p.protocol}`] ??= [])?.push({ HostIp: p.host_ip ?? '', HostPort: p.published ?? '' });
  }

  const tmpfs: Record<string, string> = {};
  for (const t of service.tmpfs ?? []) {
    const at = t.indexOf(':');
    tmpfs[at < 0 ? t : t.slice(0, at)] = at < 0 ? '' : t.slice(at + 1);
  }

  const limits = service.deploy?.resources?.limits;
  const reservations = service.deploy?.resources?.reservations;
  const pids = limits?.pids && limits.pids > 0 ? limits.pids : service.pids_limit;
  const blkio = service.blkio_config;
  const hostConfig: ContainerCreateBody['HostConfig'] = {
    AutoRemove: options.autoRemove ?? false,
    Binds: binds.length > 0 ? binds : null,
    CapAdd: service.cap_add ?? null,
    CapDrop: service.cap_drop ?? null,
    IpcMode: resolveServiceRef(service.ipc, 'IPC', options) ?? '',
    CgroupnsMode: service.cgroup ?? '',
    ReadonlyRootfs: service.read_only ?? false,
    RestartPolicy: restartPolicy(service),
    ShmSize: service.shm_size ?? 0,
    PortBindings: portBindings,
    VolumeDriver: '',
    VolumesFrom: null,
    Dns: service.dns ?? [],
    DnsSearch: service.dns_search ?? [],
    DnsOptions: service.dns_opt ?? [],
    ExtraHosts: service.extra_hosts ? Object.entries(service.extra_hosts).flatMap(([h, ips]) => ips.map((ip) => `${h}:${ip}`)) : null,
    SecurityOpt: securityOpt,
    UsernsMode: service.userns_mode ?? '',
    UTSMode: resolveServiceRef(service.uts, 'UTS', options) ?? '',
    Privileged: service.privileged ?? false,
    PidMode: resolveServiceRef(service.pid, 'PID', options) ?? '',
    Isolation: service.isolation ?? '',
    Runtime: service.runtime ?? '',
    LogConfig: { Type: service.logging?.driver ?? '', Config: service.logging?.options ?? {} },
    GroupAdd: service.group_add ?? null,
    Links: options.links && options.links.length > 0 ? options.links : null,
    OomScoreAdj: service.oom_score_adj ?? 0,
    CgroupParent: service.cgroup_parent ?? '',
    Memory: limits?.memory || service.mem_limit || 0,
    MemorySwap: service.memswap_limit ?? 0,
    MemorySwappiness: service.mem_swappiness ? service.mem_swappiness : null,
    MemoryReservation: reservations?.memory || service.mem_reservation || 0,
    OomKillDisable: service.oom_kill_disable ?? false,
    CpuCount: service.cpu_count ?? 0,
    CpuPeriod: service.cpu_period ?? 0,
    CpuQuota: service.cpu_quota ?? 0,
    CpuRealtimePeriod: service.cpu_rt_period ?? 0,
    CpuRealtimeRuntime: service.cpu_rt_runtime ?? 0,
    CpuShares: service.cpu_shares ?? 0,
    NanoCpus: Math.round((limits?.cpus || service.cpus || 0) * 1e9),
    CpuPercent: Math.trunc((service.cpu_percent ?? 0) * 100),
    CpusetCpus: service.cpuset ?? '',
    DeviceCgroupRules: service.device_cgroup_rules ?? null,
    PidsLimit: pids ? pids : null,
    BlkioWeight: blkio?.weight ?? 0,
    BlkioWeightDevice: blkio?.weight_device?.map((d) => ({ Path: d.path, Weight: d.weight })) ?? null,
    BlkioDeviceReadBps: blkio?.device_read_bps?.map((d) => ({ Path: d.path, Rate: d.rate })) ?? null,
    BlkioDeviceReadIOps: blkio?.device_read_iops?.map((d) => ({ Path: d.path, Rate: d.rate })) ?? null,
    BlkioDeviceWriteBps: blkio?.device_write_bps?.map((d) => ({ Path: d.path, Rate: d.rate })) ?? null,
    BlkioDeviceWriteIOps: blkio?.device_write_iops?.map((d) => ({ Path: d.path, Rate: d.rate })) ?? null,
    Devices: service.devices?.map((d) => ({ PathOnHost: d.source, PathInContainer: d.target, CgroupPermissions: d.permissions })) ?? null,
    DeviceRequests: deviceRequests(service),
    Ulimits: ulimits(service),
  };
  if (service.init !== undefined) hostConfig.Init = service.init;
  if (service.sysctls) hostConfig.Sysctls = service.sysctls;
  if (service.storage_opt) hostConfig.StorageOpt = service.storage_opt;
  if (Object.keys(tmpfs).length > 0) hostConfig.Tmpfs = tmpfs;
  if (mounts.length > 0) hostConfig.Mounts = mounts;
  if (service.annotations) hostConfig.Annotations = service.annotations;
  if (unconfined) {
    hostConfig.MaskedPaths = [];
    hostConfig.ReadonlyPaths = [];
  }
  if (service.volumes_from) {
    hostConfig.VolumesFrom = service.volumes_from.map((v) => {
      if (v.startsWith('container:')) return v.slice('container:'.length);
      const [svc, mode] = v.split(':');
      const c = options.serviceContainer?.(svc);
      if (!c) throw new InvalidArgument(`cannot share volume with service ${svc}: container missing`);
      return mode ? `${c}:${mode}` : c;
    });
  }

  const connect: ContainerCreate['connect'] = [];
  let networkingConfig: CreateContainerRequest['NetworkingConfig'];
  if (service.network_mode !== undefined && service.network_mode !== '') {
    hostConfig.NetworkMode = resolveServiceRef(service.network_mode, 'network', options);
  } else if (Object.keys(project.networks).length === 0) {
    hostConfig.NetworkMode = 'none';
  } else {
    const keys = networksByPriority(service);
    const primary = keys[0] ?? 'default';
    const net = project.networks[primary];
    if (!net) throw new InvalidArgument(`service ${JSON.stringify(service.name)} refers to undefined network ${primary}: invalid compose project`);
    hostConfig.NetworkMode = net.name;
    const endpoints: Record<string, Partial<EndpointSettings>> = { [net.name]: endpoint(service, primary, options, finalName) };
    for (const key of keys.slice(1)) {
      const other = project.networks[key];
      if (!other) throw new InvalidArgument(`service ${JSON.stringify(service.name)} refers to undefined network ${key}: invalid compose project`);
      const ep = endpoint(service, key, options, finalName);
      if (apiAtLeast(options.apiVersion ?? '1.43', '1.44')) endpoints[other.name] = ep;
      else connect.push({ network: other.name, endpoint: ep });
    }
    networkingConfig = { EndpointsConfig: endpoints };
  }

  const body: ContainerCreateBody = {
    Hostname: service.hostname ?? '',
    Domainname: service.domainname ?? '',
    User: service.user ?? '',
    Tty: service.tty ?? false,
    OpenStdin: service.stdin_open ?? false,
    StdinOnce: (options.attachStdin ?? false) && (service.stdin_open ?? false),
    AttachStdin: options.attachStdin ?? false,
    AttachStdout: true,
    AttachStderr: true,
    Cmd: service.command ?? null,
    Image: serviceImage(service, project.name),
    WorkingDir: service.working_dir ?? '',
    Entrypoint: service.entrypoint ?? null,
    Labels: labels,
    Env: env,
    HostConfig: hostConfig,
  };
  const ports = exposedPorts(service);
  if (ports) body.ExposedPorts = ports;
  if (service.network_mode === 'disabled') body.NetworkDisabled = true;
  if (service.stop_signal) body.StopSignal = service.stop_signal;
  if (service.stop_grace_period !== undefined) body.StopTimeout = Math.trunc(service.stop_grace_period / 1e9);
  const health = healthConfig(service);
  if (health) body.Healthcheck = health;
  if (networkingConfig) body.NetworkingConfig = networkingConfig;
  return { name, platform: service.platform ?? project.environment.DOCKER_DEFAULT_PLATFORM ?? '', body, connect };
}
