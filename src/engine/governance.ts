// What ties a container to the host's governance: the cgroup it runs in, the facts its
// HostConfig is checked against, the daemon's defaults it is created with, and the parts of its
// OCI spec its HostConfig decides (resources, security, namespaces, devices, user namespace).
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { containerCgroupsPath } from '../cgroups/index.ts';
import { Conflict, InvalidArgument, NotFound } from '../errors/index.ts';
import { hostId, idMappers, resolveDevices, specFromHostConfig, type HostConfigSpec } from '../runtime/index.ts';
import { MNT_DETACH, MS_NODEV, MS_NOEXEC, MS_NOSUID } from '../sys/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import type { DaemonDefaults, HostValidationContext } from './host-config-validate.ts';

/** The OCI cgroupsPath of the container: "/<cgroup parent>/<id>". */
export function cgroupsPathOf(ctx: Pick<EngineContext, 'config'>, c: Pick<Container, 'id' | 'hostConfig'>): string {
  return containerCgroupsPath(c.hostConfig.CgroupParent || ctx.config.cgroupParent, c.id);
}

export function validationContext(ctx: Pick<EngineContext, 'host' | 'config'>): HostValidationContext {
  return {
    features: ctx.host.features,
    numCpus: ctx.host.numCpus,
    usernsRemap: ctx.config.containerDefaults.idMappings !== undefined,
    cgroupNamespaces: ctx.host.cgroupNamespaces,
  };
}

export function daemonDefaults(ctx: Pick<EngineContext, 'host' | 'config'>): DaemonDefaults {
  const d = ctx.config.containerDefaults;
  return { shmSize: d.shmSize, ipcMode: d.ipcMode, cgroupnsMode: d.cgroupnsMode, cgroupMode: ctx.host.features.mode };
}

/**
 * userns-remap: how the container's ids and the host's translate (files copied in and out), or
 * undefined when its root is the host's.
 */
export function containerIdMappers(ctx: Pick<EngineContext, 'config'>, c: Pick<Container, 'hostConfig'>): ReturnType<typeof idMappers> | undefined {
  const m = ctx.config.containerDefaults.idMappings;
  return m && c.hostConfig.UsernsMode !== 'host' ? idMappers(m) : undefined;
}

/** Where a shareable container's /dev/shm lives on the host (dockerd's containers/<id>/mounts/shm). */
export function sharedShmPath(c: Pick<Container, 'dir'>): string {
  return join(c.dir, 'mounts', 'shm');
}

/**
 * dockerd's setupIpcDirs for --ipc shareable: /dev/shm is a tmpfs mounted on the host, so that the
 * containers joining the IPC namespace can be given the same one (a mount cannot be bound from
 * another mount namespace). Owned by the remapped root under userns-remap.
 */
export async function mountSharedShm(ctx: Pick<EngineContext, 'sys' | 'config'>, c: Container): Promise<void> {
  if (c.hostConfig.IpcMode !== 'shareable') return;
  const path = sharedShmPath(c);
  await fsp.mkdir(path, { recursive: true, mode: 0o700 });
  const m = ctx.config.containerDefaults.idMappings;
  const owner = m && c.hostConfig.UsernsMode !== 'host' ? `,uid=${hostId(m.uidMappings, 0)},gid=${hostId(m.gidMappings, 0)}` : '';
  ctx.sys.mount('shm', path, 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, `mode=1777,size=${c.hostConfig.ShmSize}${owner}`);
}

/** Unmounts what mountSharedShm made (at exit, or when a start fails); nothing to do otherwise. */
export function unmountSharedShm(ctx: Pick<EngineContext, 'sys'>, c: Container): void {
  if (c.hostConfig.IpcMode !== 'shareable') return;
  for (;;) {
    try {
      ctx.sys.umount(sharedShmPath(c), MNT_DETACH);
    } catch {
      return; // not (or no longer) mounted
    }
  }
}

/** A running container whose namespace `mode` ("container:<ref>") joins; dockerd's checks and messages. */
function namespaceDonor(ctx: Pick<EngineContext, 'store'>, kind: 'IPC' | 'PID', ref: string): Container {
  const donor = ctx.store.find(ref);
  if (kind === 'PID') {
    if (!donor) throw new NotFound(`cannot join PID of a non running container: ${ref}: No such container: ${ref}`);
    if (!donor.state.Running) throw new Conflict(`container ${donor.id} is not running`);
    if (donor.state.Restarting) throw new Conflict(`Container ${donor.id} is restarting, wait until the container is running`);
    return donor;
  }
  const msg = `can't join IPC of container ${ref}`;
  if (!donor) throw new NotFound(`${msg}: No such container: ${ref}`);
  if (!donor.state.Running) throw new Conflict(`${msg}: container ${donor.id} is not running`);
  if (donor.state.Restarting) throw new Conflict(`${msg}: Container ${donor.id} is restarting, wait until the container is running`);
  // dockerd shares only a donor that made its IPC namespace shareable.
  if (donor.hostConfig.IpcMode !== 'shareable') throw new InvalidArgument(`${msg}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
  return donor;
}

function joined(mode: string): string | undefined {
  return mode.startsWith('container:') ? mode.slice('container:'.length) : undefined;
}

/**
 * The spec fields the container's HostConfig decides, with what they need from the host: its
 * devices, the init pids of the containers whose namespaces it joins, the daemon's security
 * settings and userns-remap's mappings (unless the container asked for the host's).
 */
export async function governedSpec(ctx: Pick<EngineContext, 'store' | 'host' | 'config'>, c: Container): Promise<HostConfigSpec> {
  const h = c.hostConfig;
  const d = ctx.config.containerDefaults;
  const pidRef = joined(h.PidMode ?? '');
  const ipcRef = joined(h.IpcMode ?? '');
  const pidDonor = pidRef ? namespaceDonor(ctx, 'PID', pidRef) : undefined;
  const ipcDonor = ipcRef ? namespaceDonor(ctx, 'IPC', ipcRef) : undefined;
  const remapped = d.idMappings && h.UsernsMode !== 'host';
  return specFromHostConfig(h, {
    arch: ctx.host.arch,
    kernel: ctx.host.kernel,
    seccompAvailable: ctx.host.seccompAvailable,
    ...(d.seccompProfile !== undefined ? { daemonSeccompProfile: d.seccompProfile } : {}),
    noNewPrivileges: d.noNewPrivileges,
    defaultUlimits: d.ulimits,
    devices: await resolveDevices(h),
    ...(pidDonor ? { pidNamespaceOf: pidDonor.state.Pid } : {}),
    ...(ipcDonor ? { ipcNamespaceOf: ipcDonor.state.Pid, shmSource: sharedShmPath(ipcDonor) } : {}),
    ...(h.IpcMode === 'shareable' ? { shmSource: sharedShmPath(c) } : {}),
    ...(remapped ? { idMappings: d.idMappings } : {}),
  });
}
