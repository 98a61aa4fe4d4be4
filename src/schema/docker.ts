// The Engine API's container shapes (API 1.43) as dockerd's Go types define them: what `create`,
// `commit` and `exec` accept, and what a container's record holds (config.v2.json's Config,
// hostconfig.json). Written from the API's facts in our own form; field types follow moby's
// api/types (container.Config, container.HostConfig, mount.Mount, network.EndpointSettings).
// Beyond the Go types: ranges, ports and signals are checked here with dockerd's messages where
// dockerd has them; what needs the host (cgroup features, CPU counts) is the engine's to check.
// To accept a new field: add it to the struct below with its Go type; the handler's type follows.
import { parseSignal } from '../lib/index.ts';
import { go } from './go.ts';

/** A signal name or number docker accepts ("" leaves the default). */
export function signalProblem(value: string): string | undefined {
  if (value === '') return undefined;
  try {
    parseSignal(value);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const portNumber = /^\d{1,5}$/;
const validPort = (p: string, min: number) => portNumber.test(p) && Number(p) >= min && Number(p) <= 65535;

/** A host port as PortBindings carry it: "", "8080" or a range "8000-8010" (0 lets the kernel pick). */
export function hostPortProblem(value: string): string | undefined {
  if (value === '') return undefined;
  const [start, end, ...rest] = value.split('-');
  const ok = rest.length === 0 && validPort(start, 0) && (end === undefined || (validPort(end, 0) && Number(end) >= Number(start)));
  return ok ? undefined : `invalid port specification: ${JSON.stringify(value)}`;
}

/** A container port as ExposedPorts and PortBindings key it: "80", "80/tcp", "53/udp", "8000-8010/tcp". */
export function containerPortProblem(value: string): string | undefined {
  const [range, proto, ...rest] = value.split('/');
  const [start, end, ...more] = range.split('-');
  const ok =
    rest.length === 0 &&
    more.length === 0 &&
    (proto === undefined || proto === 'tcp' || proto === 'udp' || proto === 'sctp') &&
    validPort(start, 1) &&
    (end === undefined || (validPort(end, 1) && Number(end) >= Number(start)));
  return ok ? undefined : `invalid port specification: ${JSON.stringify(value)}`;
}

/** time.Duration (nanoseconds) of a health check: 0 is "inherit", else at least 1ms (dockerd). */
const healthDuration = (name: string) =>
  go.int('int64', { min: 0, message: () => `${name} in Healthcheck cannot be less than 1ms` });

export const healthConfig = go.struct('container.HealthConfig', {
  Test: go.slice(go.string()),
  Interval: healthDuration('Interval'),
  Timeout: healthDuration('Timeout'),
  StartPeriod: healthDuration('StartPeriod'),
  StartInterval: healthDuration('StartInterval'),
  Retries: go.int('int', { min: 0, message: () => 'Retries in Healthcheck cannot be negative' }),
});

const emptyStruct = go.empty();

/** container.Config: what an image carries and what `create` asks for. */
export const containerConfigFields = {
  // the kernel's HOST_NAME_MAX: a longer name fails at start in sethostname (dockerd creates it anyway)
  Hostname: go.string({ max: 64 }),
  Domainname: go.string({ max: 64 }),
  User: go.string(),
  AttachStdin: go.bool(),
  AttachStdout: go.bool(),
  AttachStderr: go.bool(),
  ExposedPorts: go.map(emptyStruct, { keyCheck: containerPortProblem }),
  Tty: go.bool(),
  OpenStdin: go.bool(),
  StdinOnce: go.bool(),
  Env: go.nullable(go.slice(go.string())),
  Cmd: go.nullable(go.strSlice()),
  Healthcheck: healthConfig,
  ArgsEscaped: go.bool(),
  Image: go.string(),
  Volumes: go.nullable(go.map(emptyStruct)),
  WorkingDir: go.string(),
  Entrypoint: go.nullable(go.strSlice()),
  NetworkDisabled: go.bool(),
  MacAddress: go.string(),
  OnBuild: go.nullable(go.slice(go.string())),
  Labels: go.nullable(go.map(go.string({ nul: true }))),
  StopSignal: go.string({ check: signalProblem }),
  StopTimeout: go.int('int'),
  Shell: go.strSlice(),
};

export const containerConfig = go.struct('container.Config', containerConfigFields);

const portBinding = go.struct('nat.PortBinding', {
  HostIp: go.required(go.string()),
  HostPort: go.required(go.string({ check: hostPortProblem })),
});

/** nat.PortMap: container port → host bindings (null: exposed, not published). */
export const portMap = go.map(go.nullable(go.slice(portBinding)), { keyCheck: containerPortProblem });

export const restartPolicyNames = ['', 'no', 'always', 'unless-stopped', 'on-failure'] as const;

const weightDevice = go.struct('blkiodev.WeightDevice', { Path: go.required(go.string()), Weight: go.required(go.int('uint16')) });
const throttleDevice = go.struct('blkiodev.ThrottleDevice', { Path: go.required(go.string()), Rate: go.required(go.int('uint64')) });

export const mountSpec = go.struct('mount.Mount', {
  Type: go.required(go.enum(['bind', 'volume', 'tmpfs', 'npipe', 'cluster'], (v) => `invalid mount config for type ${JSON.stringify(v)}: mount type unknown`)),
  Source: go.string(),
  Target: go.required(go.string()),
  ReadOnly: go.bool(),
  Consistency: go.string(),
  BindOptions: go.struct('mount.BindOptions', { Propagation: go.string(), NonRecursive: go.bool(), CreateMountpoint: go.bool() }),
  VolumeOptions: go.struct('mount.VolumeOptions', {
    NoCopy: go.bool(),
    Labels: go.map(go.string({ nul: true })),
    DriverConfig: go.struct('mount.Driver', { Name: go.string(), Options: go.map(go.string()) }),
  }),
  TmpfsOptions: go.struct('mount.TmpfsOptions', {
    SizeBytes: go.int('int64', { min: 0, message: (v) => `invalid tmpfs size: ${v}` }),
    Mode: go.int('uint32'),
  }),
});

const nonNegative = (message: string) => go.int('int64', { min: 0, message: () => message });

/** container.HostConfig with its Resources. */
export const hostConfigFields = {
  Binds: go.nullable(go.slice(go.string())),
  ContainerIDFile: go.string(),
  LogConfig: go.struct('container.LogConfig', { Type: go.required(go.string()), Config: go.required(go.map(go.string())) }),
  NetworkMode: go.string(),
  PortBindings: portMap,
  RestartPolicy: go.struct('container.RestartPolicy', {
    Name: go.required(go.enum(restartPolicyNames, (v) => `invalid restart policy '${v}'`)),
    MaximumRetryCount: go.required(go.int('int', { min: 0, message: () => 'maximum retry count cannot be negative' })),
  }),
  AutoRemove: go.bool(),
  VolumeDriver: go.string(),
  VolumesFrom: go.nullable(go.slice(go.string())),
  ConsoleSize: go.array(go.int('uint'), 2),
  CapAdd: go.nullable(go.strSlice()),
  CapDrop: go.nullable(go.strSlice()),
  CgroupnsMode: go.string(),
  Dns: go.slice(go.string()),
  DnsOptions: go.slice(go.string()),
  DnsSearch: go.slice(go.string()),
  ExtraHosts: go.nullable(go.slice(go.string())),
  GroupAdd: go.nullable(go.slice(go.string())),
  IpcMode: go.string(),
  Cgroup: go.string(),
  Links: go.nullable(go.slice(go.string())),
  OomScoreAdj: go.int('int', { min: -1000, max: 1000, message: (v) => `Invalid value ${v}, range for oom score adj is [-1000, 1000]` }),
  PidMode: go.string(),
  Privileged: go.bool(),
  PublishAllPorts: go.bool(),
  ReadonlyRootfs: go.bool(),
  SecurityOpt: go.nullable(go.slice(go.string())),
  StorageOpt: go.map(go.string()),
  Tmpfs: go.map(go.string()),
  UTSMode: go.string(),
  UsernsMode: go.string(),
  ShmSize: nonNegative('SHM size can not be less than 0'),
  Sysctls: go.map(go.string()),
  Runtime: go.string(),
  Isolation: go.string(),
  CpuShares: nonNegative('invalid resource value: negative values are not allowed'),
  Memory: nonNegative('Minimum memory limit allowed is 6MB'),
  NanoCpus: nonNegative('invalid resource value: negative values are not allowed'),
  CgroupParent: go.string(),
  BlkioWeight: go.int('uint16'),
  BlkioWeightDevice: go.nullable(go.slice(weightDevice)),
  BlkioDeviceReadBps: go.nullable(go.slice(throttleDevice)),
  BlkioDeviceWriteBps: go.nullable(go.slice(throttleDevice)),
  BlkioDeviceReadIOps: go.nullable(go.slice(throttleDevice)),
  BlkioDeviceWriteIOps: go.nullable(go.slice(throttleDevice)),
  CpuPeriod: go.int('int64'),
  CpuQuota: go.int('int64'),
  CpuRealtimePeriod: go.int('int64'),
  CpuRealtimeRuntime: go.int('int64'),
  CpusetCpus: go.string(),
  CpusetMems: go.string(),
  Devices: go.nullable(
    go.slice(go.struct('container.DeviceMapping', { PathOnHost: go.required(go.string()), PathInContainer: go.required(go.string()), CgroupPermissions: go.required(go.string()) })),
  ),
  DeviceCgroupRules: go.nullable(go.slice(go.string())),
  DeviceRequests: go.nullable(
    go.slice(
      go.struct('container.DeviceRequest', {
        Driver: go.string(),
        Count: go.int('int'),
        DeviceIDs: go.nullable(go.slice(go.string())),
        Capabilities: go.nullable(go.slice(go.nullable(go.slice(go.string())))),
        Options: go.nullable(go.map(go.string())),
      }),
    ),
  ),
  MemoryReservation: nonNegative('Minimum memory reservation allowed is 6MB'),
  MemorySwap: go.int('int64', { min: -1, message: (v) => `invalid memory swap value ${v}: use -1 for unlimited swap` }),
  MemorySwappiness: go.nullable(go.int('int64', { min: -1, max: 100, message: (v) => `Invalid value: ${v}, valid memory swappiness range is 0-100` })),
  OomKillDisable: go.nullable(go.bool()),
  PidsLimit: go.nullable(go.int('int64')),
  Ulimits: go.nullable(go.slice(go.struct('units.Ulimit', { Name: go.required(go.string()), Soft: go.required(go.int('int64')), Hard: go.required(go.int('int64')) }))),
  CpuCount: go.int('int64'),
  CpuPercent: go.int('int64'),
  IOMaximumIOps: go.int('uint64'),
  IOMaximumBandwidth: go.int('uint64'),
  Mounts: go.slice(mountSpec),
  MaskedPaths: go.nullable(go.slice(go.string())),
  ReadonlyPaths: go.nullable(go.slice(go.string())),
  Init: go.nullable(go.bool()),
  // Deprecated in container.Resources and gone from the API description, but the docker CLI still
  // sends them: read, so that dockerd's deprecation warning can be given.
  KernelMemory: go.int('int64'),
  KernelMemoryTCP: go.int('int64'),
};

export const hostConfig = go.struct('container.HostConfig', hostConfigFields);

const resourceKeys = [
  'CpuShares', 'Memory', 'NanoCpus', 'CgroupParent', 'BlkioWeight', 'BlkioWeightDevice', 'BlkioDeviceReadBps', 'BlkioDeviceWriteBps',
  'BlkioDeviceReadIOps', 'BlkioDeviceWriteIOps', 'CpuPeriod', 'CpuQuota', 'CpuRealtimePeriod', 'CpuRealtimeRuntime', 'CpusetCpus',
  'CpusetMems', 'Devices', 'DeviceCgroupRules', 'DeviceRequests', 'KernelMemory', 'KernelMemoryTCP', 'MemoryReservation', 'MemorySwap',
  'MemorySwappiness', 'OomKillDisable', 'PidsLimit', 'Ulimits', 'CpuCount', 'CpuPercent', 'IOMaximumIOps', 'IOMaximumBandwidth',
] as const satisfies readonly (keyof typeof hostConfigFields)[];

/** POST /containers/{id}/update's body: container.UpdateConfig, the Resources and the RestartPolicy. */
export const updateConfig = go.struct('container.UpdateConfig', {
  ...(Object.fromEntries(resourceKeys.map((k) => [k, hostConfigFields[k]])) as Pick<typeof hostConfigFields, (typeof resourceKeys)[number]>),
  RestartPolicy: hostConfigFields.RestartPolicy,
});

/** network.EndpointSettings: a container's place on one network. */
export const endpointSettings = go.struct('network.EndpointSettings', {
  IPAMConfig: go.nullable(go.struct('network.EndpointIPAMConfig', { IPv4Address: go.string(), IPv6Address: go.string(), LinkLocalIPs: go.slice(go.string()) })),
  Links: go.nullable(go.slice(go.string())),
  Aliases: go.nullable(go.slice(go.string())),
  NetworkID: go.string(),
  EndpointID: go.string(),
  Gateway: go.string(),
  IPAddress: go.string(),
  IPPrefixLen: go.int('int'),
  IPv6Gateway: go.string(),
  GlobalIPv6Address: go.string(),
  GlobalIPv6PrefixLen: go.int('int'),
  MacAddress: go.string(),
  DriverOpts: go.nullable(go.map(go.string())),
});

export const networkingConfig = go.struct('network.NetworkingConfig', {
  EndpointsConfig: go.map(endpointSettings),
});

/** The image configuration document (docker's image JSON / OCI image config). */
export const imageConfig = go.struct('image.Image', {
  architecture: go.required(go.string()),
  os: go.required(go.string()),
  variant: go.string(),
  'os.version': go.string(),
  created: go.string(),
  author: go.string(),
  comment: go.string(),
  container: go.string(),
  container_config: containerConfig,
  docker_version: go.string(),
  config: containerConfig,
  rootfs: go.required(go.struct('image.RootFS', { type: go.required(go.string()), diff_ids: go.required(go.slice(go.string())) })),
  history: go.slice(
    go.struct('image.History', { created: go.string(), created_by: go.string(), author: go.string(), comment: go.string(), empty_layer: go.bool() }),
  ),
  parent: go.string(),
});
