// A container's mounts: registered at create (dockerd's registerMountPoints and image VOLUMEs,
// with the copy-up of the image's content into new, empty volumes), turned into OCI mounts at
// start, released at exit, shown by inspect, and removed with `rm -v` when anonymous.
import { promises as fsp } from 'node:fs';
import { posix } from 'node:path';
import { InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import { secureJoin } from '../lib/index.ts';
import type { OciMount } from '../runtime/index.ts';
import type { ContainerConfig, HostConfig, MountPointView } from '../types/index.ts';
import { parseBind, parseMountSpec, parseVolumesFrom, validateTmpfs, volumesFromReadWrite, type MountPointRecord } from '../volume/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';

/** Go's path.Clean: normalized, without a trailing slash. */
function cleanPath(p: string): string {
  const c = posix.normalize(p);
  return c.length > 1 && c.endsWith('/') ? c.slice(0, -1) : c;
}

function duplicate(dest: string): InvalidArgument {
  return new InvalidArgument(`Duplicate mount point: ${dest}`);
}

/**
 * Resolves the mounts a new container asks for (--volumes-from, -v, --mount, the image's VOLUMEs)
 * into its mount points, creating named and anonymous volumes, then copies the image's content
 * into new empty volumes. On failure the anonymous volumes made here are removed again.
 */
export async function registerMounts(
  ctx: EngineContext,
  input: { id: string; config: ContainerConfig; host: HostConfig },
): Promise<Record<string, MountPointRecord>> {
  const { host, config } = input;
  const points = new Map<string, MountPointRecord>();
  const binds = new Set<string>();
  const created: string[] = [];
  const tmpfs = host.Tmpfs ?? {};
  for (const [dest, opts] of Object.entries(tmpfs)) validateTmpfs(dest, opts);
  // Every spec is read and checked before the first volume is made: a bad one creates nothing.
  const requested: Array<{ mp: MountPointRecord; volumeOptions?: MountPointRecord['VolumeOptions'] }> = [];
  for (const raw of host.Binds ?? []) {
    const mp = parseBind(raw);
    if (binds.has(mp.Destination) || mp.Destination in tmpfs) throw duplicate(mp.Destination);
    if (mp.Type === 'volume' && mp.Mode === '') mp.Mode = 'z';
    binds.add(mp.Destination);
    requested.push({ mp });
  }
  for (const spec of host.Mounts ?? []) {
    const mp = parseMountSpec(spec);
    if (binds.has(mp.Destination)) throw duplicate(spec.Target);
    binds.add(mp.Destination);
    requested.push({ mp, volumeOptions: mp.VolumeOptions });
    delete mp.VolumeOptions;
  }
  try {
    for (const spec of host.VolumesFrom ?? []) {
      const { container, mode } = parseVolumesFrom(spec);
      const from = ctx.store.find(container);
      if (!from) throw new InvalidArgument(`No such container: ${container}`);
      for (const m of Object.values(from.record.MountPoints ?? {})) {
        points.set(m.Destination, { ...m, RW: m.RW && volumesFromReadWrite(mode), CopyData: false });
      }
    }
    for (const { mp, volumeOptions } of requested) {
      if (mp.Type === 'volume') {
        const anonymous = mp.Name === '';
        // a named volume this create makes goes too if the create fails
        const isNew = anonymous || !ctx.volumes.has(mp.Name);
        const v = await ctx.volumes.create({
          name: mp.Name,
          ...(volumeOptions?.Options ? { options: volumeOptions.Options } : {}),
          ...(volumeOptions?.Labels ? { labels: volumeOptions.Labels } : {}),
        });
        if (isNew) created.push(v.Name);
        mp.Name = v.Name;
        mp.Source = v.Mountpoint;
        mp.Anonymous = anonymous;
      }
      points.set(mp.Destination, mp);
    }
    const imageVolumes = Object.keys(config.Volumes ?? {}).map(cleanPath);
    const copyUp = [...points.values()].filter((m) => m.Type === 'volume' && m.CopyData);
    if (imageVolumes.some((d) => !points.has(d)) || copyUp.length) {
      await withRootfs(ctx, input.id, async (rootfs) => {
        for (const dest of imageVolumes) {
          if (points.has(dest)) continue;
          const path = await secureJoin(rootfs, dest);
          const st = await fsp.stat(path).catch(() => undefined);
          if (st && !st.isDirectory()) throw new InvalidArgument(`cannot mount volume over existing file, file exists ${path}`);
          const v = await ctx.volumes.create({});
          created.push(v.Name);
          points.set(dest, {
            Type: 'volume',
            Source: v.Mountpoint,
            Destination: dest,
            RW: true,
            Name: v.Name,
            Driver: 'local',
            Mode: '',
            Propagation: '',
            CopyData: true,
            Anonymous: true,
          });
        }
        for (const m of points.values()) {
          if (m.Type === 'volume' && m.CopyData) await populateVolume(ctx, input.id, rootfs, m);
        }
      });
    }
  } catch (err) {
    for (const name of created) await ctx.volumes.remove(name).catch(() => {});
    throw err;
  }
  return Object.fromEntries(points);
}

async function withRootfs<T>(ctx: Pick<EngineContext, 'layers'>, id: string, fn: (rootfs: string) => Promise<T>): Promise<T> {
  const rootfs = await ctx.layers.mountRw(id);
  try {
    return await fn(rootfs);
  } finally {
    await ctx.layers.unmountRw(id).catch(() => {});
  }
}

/** dockerd's copy-up: an empty local volume gets what the image has at the mount point. */
async function populateVolume(ctx: Pick<EngineContext, 'volumes'>, id: string, rootfs: string, m: MountPointRecord): Promise<void> {
  const volumes = ctx.volumes;
  const source = await secureJoin(rootfs, m.Destination);
  let st;
  try {
    st = await fsp.lstat(source);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw err;
  }
  if (!st.isDirectory()) return;
  await volumes.mount(m.Name, id);
  try {
    if (!(await volumes.isEmpty(m.Name))) return;
    await volumes.populate(m.Name, source);
  } finally {
    await volumes.unmount(m.Name, id).catch(() => {});
  }
}

/** Mount points in the order they must be mounted: parents before what is mounted inside them. */
function ordered(c: Container): MountPointRecord[] {
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  return Object.values(c.record.MountPoints ?? {}).sort((a, b) => depth(a.Destination) - depth(b.Destination) || a.Destination.localeCompare(b.Destination));
}

const tmpfsDefaults = ['noexec', 'nosuid', 'nodev', 'rprivate'];

/** The OCI mounts of a starting container; volumes are mounted (counted) for it. */
export async function setupMounts(ctx: Pick<EngineContext, 'volumes'>, c: Container): Promise<OciMount[]> {
  const out: OciMount[] = [];
  const mounted: string[] = [];
  try {
    for (const m of ordered(c)) {
      const ro = m.RW ? [] : ['ro'];
      if (m.Type === 'bind') {
        if (m.CreateSource) {
          const st = await fsp.lstat(m.Source).catch(() => undefined);
          if (!st) await fsp.mkdir(m.Source, { recursive: true, mode: 0o755 });
        } else {
          await fsp.stat(m.Source).catch(() => {
            throw new InvalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${m.Source}`);
          });
        }
        out.push({ destination: m.Destination, type: 'bind', source: m.Source, options: [m.NonRecursive ? 'bind' : 'rbind', m.Propagation || 'rprivate', ...ro] });
      } else if (m.Type === 'volume') {
        if (!ctx.volumes.has(m.Name)) throw new NotFound(`get ${m.Name}: no such volume`);
        const path = await ctx.volumes.mount(m.Name, c.id, { destination: m.Destination, readWrite: m.RW, propagation: m.Propagation ?? '' });
        mounted.push(m.Name);
        out.push({ destination: m.Destination, type: 'bind', source: path, options: ['rbind', m.Propagation || 'rprivate', ...ro] });
      } else {
        out.push({ destination: m.Destination, type: 'tmpfs', source: 'tmpfs', options: [...tmpfsDefaults, ...(m.TmpfsOptions ? m.TmpfsOptions.split(',') : [])] });
      }
    }
    for (const [dest, opts] of Object.entries(c.hostConfig.Tmpfs ?? {})) {
      out.push({ destination: cleanPath(dest), type: 'tmpfs', source: 'tmpfs', options: [...tmpfsDefaults, ...opts.split(',').filter(Boolean)] });
    }
  } catch (err) {
    for (const name of mounted) await ctx.volumes.unmount(name, c.id).catch(() => {});
    throw err;
  }
  return out;
}

/** A running container adopted after a berthd restart counts as a user of its volumes again. */
export async function reacquireMounts(ctx: Pick<EngineContext, 'volumes' | 'log'>, c: Container): Promise<void> {
  for (const m of Object.values(c.record.MountPoints ?? {})) {
    if (m.Type !== 'volume' || !ctx.volumes.has(m.Name)) continue;
    await ctx.volumes.mount(m.Name, c.id).catch((err: unknown) => ctx.log.warn('volume of an adopted container unavailable', { container: c.id, volume: m.Name, error: err }));
  }
}

/** After an exit (or a failed start): the container no longer uses its volumes. */
export async function releaseMounts(ctx: Pick<EngineContext, 'volumes' | 'log'>, c: Container): Promise<void> {
  for (const m of Object.values(c.record.MountPoints ?? {})) {
    if (m.Type === 'volume') await ctx.volumes.unmount(m.Name, c.id).catch((err: unknown) => ctx.log.warn('unmounting volume failed', { container: c.id, volume: m.Name, error: err }));
  }
}

/** `rm -v`: the container's anonymous volumes go, unless another container still uses them. */
export async function removeAnonymousVolumes(ctx: Pick<EngineContext, 'volumes' | 'log'>, c: Container): Promise<void> {
  for (const m of Object.values(c.record.MountPoints ?? {})) {
    if (m.Type !== 'volume' || !m.Anonymous) continue;
    await ctx.volumes.remove(m.Name).catch((err: unknown) => {
      if (!(err instanceof Error && /volume is in use|no such volume/.test(err.message))) ctx.log.warn('removing anonymous volume failed', { volume: m.Name, error: err });
    });
  }
}

/** inspect's and ps's Mounts. */
export function mountsView(c: Container): MountPointView[] {
  return Object.values(c.record.MountPoints ?? {})
    .sort((a, b) => a.Destination.localeCompare(b.Destination))
    .map((m) => ({
      Type: m.Type,
      ...(m.Type === 'volume' ? { Name: m.Name } : {}),
      Source: m.Source,
      Destination: m.Destination,
      ...(m.Type === 'volume' ? { Driver: m.Driver } : {}),
      Mode: m.Mode,
      RW: m.RW,
      Propagation: m.Propagation,
    }));
}
