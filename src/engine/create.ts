// POST /containers/create: validate, merge the image's config under the request's (dockerd's
// rules), claim a name, make the init and read-write layers, and persist. config.v2.json is written
// last; until then a crash leaves only pieces the start-up sweep removes.
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InvalidArgument } from '../errors/index.ts';
import { faultPoint, generateName, newId } from '../lib/index.ts';
import {
  defaultHostConfig,
  emptyContainerConfig,
  type ContainerConfig,
  type CreateContainerRequest,
  type HostConfig,
} from '../types/index.ts';
import { Container, initialState, type ContainerRecord } from './container.ts';
import { planNetworking } from './network.ts';
import { registerMounts } from './mounts.ts';
import type { EngineContext, ImageRef } from './context.ts';
import { cgroupsPathOf, daemonDefaults, validationContext } from './governance.ts';
import { adaptHostConfig, verifyHostConfig } from './host-config-validate.ts';
import { validateHealthcheck } from './health.ts';
import { validateRestartPolicy } from './restart.ts';
import { announce } from './announce.ts';

/** dockerd's merge of an image's config under the user's (daemon/commit.go merge). */
export function mergeImageConfig(user: ContainerConfig, image: Partial<ContainerConfig>): ContainerConfig {
  const c: ContainerConfig = { ...user };
  if (!c.User) c.User = image.User ?? '';
  if (image.ExposedPorts) c.ExposedPorts = { ...image.ExposedPorts, ...(c.ExposedPorts ?? {}) };
  if (!c.Env || c.Env.length === 0) c.Env = image.Env ? [...image.Env] : c.Env;
  else {
    const keys = new Set(c.Env.map((e) => e.split('=')[0]));
    for (const e of image.Env ?? []) if (!keys.has(e.split('=')[0])) c.Env.push(e);
  }
  c.Labels = { ...(image.Labels ?? {}), ...(c.Labels ?? {}) };
  if (!c.Entrypoint || c.Entrypoint.length === 0) {
    if (!c.Cmd || c.Cmd.length === 0) {
      c.Cmd = image.Cmd ? [...image.Cmd] : null;
      if (image.ArgsEscaped !== undefined) c.ArgsEscaped = image.ArgsEscaped;
    }
    if (c.Entrypoint == null) c.Entrypoint = image.Entrypoint ? [...image.Entrypoint] : null;
  }
  if (!c.Healthcheck && image.Healthcheck) c.Healthcheck = { ...image.Healthcheck };
  else if (c.Healthcheck && image.Healthcheck) {
    const h = { ...c.Healthcheck };
    if (!h.Test || h.Test.length === 0) h.Test = image.Healthcheck.Test;
    h.Interval ||= image.Healthcheck.Interval;
    h.Timeout ||= image.Healthcheck.Timeout;
    h.StartPeriod ||= image.Healthcheck.StartPeriod;
    h.StartInterval ||= image.Healthcheck.StartInterval;
    h.Retries ||= image.Healthcheck.Retries;
    c.Healthcheck = h;
  }
  if (!c.WorkingDir) c.WorkingDir = image.WorkingDir ?? '';
  if (image.Volumes) c.Volumes = { ...image.Volumes, ...(c.Volumes ?? {}) };
  if (!c.StopSignal && image.StopSignal) c.StopSignal = image.StopSignal;
  if (c.Shell === undefined && image.Shell) c.Shell = image.Shell;
  return c;
}

function validateHostConfig(h: HostConfig): void {
  validateRestartPolicy(h.RestartPolicy, h.AutoRemove);
  if (h.Memory < 0 || h.NanoCpus < 0 || h.CpuShares < 0) throw new InvalidArgument('invalid resource value: negative values are not allowed');
  if (h.ShmSize < 0) throw new InvalidArgument('SHM size can not be less than 0');
}

export interface CreateOptions {
  name?: string;
}

export async function createContainer(ctx: EngineContext, req: CreateContainerRequest, options: CreateOptions = {}): Promise<{ Id: string; Warnings: string[] }> {
  if (!req.Image) throw new InvalidArgument('Config cannot be empty in order to create a container');
  const image: ImageRef = ctx.images.resolve(req.Image);

  // dockerd's resource and security checks (what this host cannot do is dropped with a warning),
  // then its defaults: namespace modes, /dev/shm, memory+swap, masked paths.
  const verified = verifyHostConfig(req.HostConfig ?? {}, validationContext(ctx));
  const requested = { ...defaultHostConfig(), CgroupnsMode: '', IpcMode: '', ShmSize: 0, ...verified.hostConfig };
  const hostConfig = adaptHostConfig(requested, daemonDefaults(ctx)) as HostConfig & { KernelMemory?: number; KernelMemoryTCP?: number };
  delete hostConfig.KernelMemory;
  delete hostConfig.KernelMemoryTCP;
  hostConfig.LogConfig = ctx.logs.configure(hostConfig.LogConfig);
  if (!hostConfig.RestartPolicy) hostConfig.RestartPolicy = { Name: 'no', MaximumRetryCount: 0 };
  if (hostConfig.RestartPolicy.Name === '') hostConfig.RestartPolicy = { ...hostConfig.RestartPolicy, Name: 'no' };
  if (!hostConfig.NetworkMode) hostConfig.NetworkMode = 'default';
  if (!hostConfig.Runtime) hostConfig.Runtime = ctx.config.runtimeName;
  validateHostConfig(hostConfig);

  const user: ContainerConfig = { ...emptyContainerConfig(), ...stripUndefined(req) } as ContainerConfig;
  delete (user as Partial<CreateContainerRequest>).HostConfig;
  delete (user as Partial<CreateContainerRequest>).NetworkingConfig;
  delete (user as Partial<CreateContainerRequest>).Platform;
  const config = mergeImageConfig(user, image.config.config ?? {});
  // `--entrypoint ""` arrives as [""]: it clears the entrypoint (after the merge, as dockerd does).
  if (config.Entrypoint && config.Entrypoint.length === 1 && config.Entrypoint[0] === '') config.Entrypoint = null;
  if ((!config.Entrypoint || config.Entrypoint.length === 0) && (!config.Cmd || config.Cmd.length === 0)) {
    throw new InvalidArgument('No command specified');
  }
  validateHealthcheck(config.Healthcheck);
  const id = newId();
  cgroupsPathOf(ctx, { id, hostConfig }); // refuses a cgroup parent that climbs out of the hierarchy
  if (!config.Hostname) config.Hostname = id.slice(0, 12);
  for (const e of config.Env ?? []) if (!e.split('=')[0]) throw new InvalidArgument(`invalid environment variable: ${e}`);

  let name = options.name ?? '';
  if (name) ctx.store.reserveName(name, id);
  else {
    // dockerd's rule: six random names (a digit appended after the first), then the short id.
    for (let attempt = 0; attempt < 6 && !name; attempt++) {
      const candidate = generateName(attempt);
      if (!ctx.store.hasName(candidate)) name = candidate;
    }
    name ||= id.slice(0, 12);
    ctx.store.reserveName(name, id);
  }
  const bareName = name.replace(/^\//, '');
  let networks: ContainerRecord['NetworkSettings']['Networks'];
  try {
    networks = planNetworking(ctx, { name: bareName, hostConfig, endpoints: req.NetworkingConfig?.EndpointsConfig ?? {}, macAddress: config.MacAddress, hostname: req.Hostname ?? '' });
  } catch (err) {
    ctx.store.releaseName(bareName);
    throw err;
  }
  if (hostConfig.NetworkMode === 'host' && !req.Hostname) config.Hostname = hostname();
  else if (hostConfig.NetworkMode.startsWith('container:')) config.Hostname = '';
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const dir = ctx.store.dir(id);
  const record: ContainerRecord = {
    ID: id,
    Created: ctx.clock.now().toISOString(),
    Path: argv[0],
    Args: argv.slice(1),
    Config: config,
    Image: image.id,
    Name: `/${bareName}`,
    Driver: 'overlay2',
    Platform: 'linux',
    RestartCount: 0,
    HasBeenStartedBefore: false,
    HasBeenManuallyStopped: false,
    State: initialState(),
    LogPath: ctx.logs.logPath(hostConfig.LogConfig.Type, id, dir),
    HostnamePath: join(dir, 'hostname'),
    HostsPath: join(dir, 'hosts'),
    ResolvConfPath: join(dir, 'resolv.conf'),
    NetworkSettings: { SandboxKey: '', Networks: networks },
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
  };
  const container = new Container(record, hostConfig, dir);
  try {
    await ctx.store.makeDir(id);
    faultPoint('create:after-mkdir');
    await ctx.layers.createRwLayer(id, image.topLayer);
    faultPoint('create:after-layer');
    if (hasMounts(hostConfig, config)) record.MountPoints = await registerMounts(ctx, { id, config, host: hostConfig });
    await ctx.store.save(container);
  } catch (err) {
    ctx.store.releaseName(bareName);
    await ctx.layers.removeRwLayer(id).catch(() => {});
    await fsp.rm(dir, { recursive: true, force: true });
    throw err;
  }
  ctx.store.add(container);
  announce(ctx, container, 'create');
  return { Id: id, Warnings: verified.warnings };
}

function hasMounts(h: HostConfig, c: ContainerConfig): boolean {
  return !!(h.Binds?.length || h.Mounts?.length || h.VolumesFrom?.length || Object.keys(h.Tmpfs ?? {}).length || Object.keys(c.Volumes ?? {}).length);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
