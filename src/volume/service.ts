// Volumes with docker's local driver: <root>/<name>/_data holds the data, <root>/<name>/volume.json
// the metadata (labels, options, creation time), written atomically. A volume with mount options
// (`-o type=tmpfs -o device=tmpfs -o o=size=64m`, nfs, a bind) is mounted on its _data while at
// least one container uses it, as dockerd's local driver does.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Conflict, InvalidArgument, NotFound, SystemError, isErrno } from '../errors/index.ts';
import { SkippedRecords, directorySize, newId, writeJsonAtomic, type Logger } from '../lib/index.ts';
import { checker, go } from '../schema/index.ts';
import { applyLayer, packDirectory } from '../archive/index.ts';
import type { Syscalls } from '../sys/index.ts';
import type { Volume, VolumeUsage } from '../types/index.ts';
import { validateVolumeName } from './parse.ts';

/** The label dockerd puts on anonymous volumes; prune removes only these unless asked for all. */
export const anonymousLabel = 'com.docker.volume.anonymous';

/** A volume as the API shows it (GET /volumes/{name}). */
export type VolumeView = Volume & { Scope: 'local' };

interface VolumeMeta {
  CreatedAt: string;
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
}

/** volume.json, checked when written and when loaded. */
const volumeMetaProblem = checker(
  go.struct('volume.Meta', {
    CreatedAt: go.required(go.string()),
    Labels: go.required(go.nullable(go.map(go.string()))),
    Options: go.required(go.nullable(go.map(go.string()))),
  }),
);

export interface CreateVolumeOptions {
  name?: string;
  driver?: string;
  options?: Record<string, string> | null;
  labels?: Record<string, string> | null;
}

/** Which containers reference a volume, running or not (the container store answers). */
export interface VolumeUsers {
  containersUsingVolume(name: string): string[];
}

/** Where the service reports what it did (the event bus). */
export interface VolumeEvents {
  publish(type: 'volume', action: string, name: string, attributes: Record<string, string>): void;
}

export interface VolumeServiceDeps {
  root: string;
  sys: Syscalls;
  log: Logger;
  users: VolumeUsers;
  events: VolumeEvents;
  /** userns-remap: a new volume's _data belongs to the remapped root, as dockerd makes it. */
  dataOwner?: { uid: number; gid: number };
  /** Where a volume whose record cannot be loaded is reported. */
  skipped?: SkippedRecords;
}

const validOpts = new Set(['type', 'o', 'device', 'size']);
const mandatoryOpts: Record<string, string[]> = { device: ['type'], type: ['device'], o: ['device', 'type'] };

const mountFlags: Record<string, [number, boolean]> = {
  ro: [1, true], rw: [1, false], nosuid: [2, true], suid: [2, false], nodev: [4, true], dev: [4, false],
  noexec: [8, true], exec: [8, false], sync: [16, true], async: [16, false], noatime: [1024, true], atime: [1024, false],
  nodiratime: [2048, true], diratime: [2048, false], bind: [4096, true], rbind: [4096 | 16384, true], relatime: [1 << 21, true],
  strictatime: [1 << 24, true],
};

/** docker's RFC 3339 with seconds and the zone (Z on a UTC host). */
function formatCreated(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class VolumeService {
  readonly root: string;
  #deps: VolumeServiceDeps;
  #volumes = new Map<string, VolumeMeta>();
  #mounts = new Map<string, Set<string>>();
  #lock: Promise<unknown> = Promise.resolve();

  constructor(deps: VolumeServiceDeps) {
    this.#deps = deps;
    this.root = deps.root;
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.root, { recursive: true, mode: 0o701 });
    for (const ent of await fsp.readdir(this.root, { withFileTypes: true })) {
      if (!ent.isDirectory()) continue;
      const dir = join(this.root, ent.name);
      if (ent.name.startsWith('.')) {
        // a removal that a crash interrupted
        await fsp.rm(dir, { recursive: true, force: true }).catch(() => {});
        continue;
      }
      try {
        await fsp.stat(join(dir, '_data'));
      } catch {
        continue; // not a volume (a creation that never finished)
      }
      const read = await this.#readMeta(ent.name, dir);
      if (typeof read === 'string') {
        (this.#deps.skipped ?? new SkippedRecords(this.#deps.log)).report('volume', ent.name, read);
        continue;
      }
      // A volume without volume.json (made by hand, or by an older Berth) is dated by its directory.
      const created = read?.CreatedAt ?? formatCreated((await fsp.stat(dir)).mtime);
      this.#volumes.set(ent.name, { CreatedAt: created, Labels: read?.Labels ?? null, Options: read?.Options ?? null });
    }
  }

  /** volume.json's content, undefined when there is none, or what is wrong with the volume. */
  async #readMeta(name: string, dir: string): Promise<VolumeMeta | undefined | string> {
    try {
      validateVolumeName(name);
    } catch (err) {
      return (err as Error).message;
    }
    let text: string;
    try {
      text = await fsp.readFile(join(dir, 'volume.json'), 'utf8');
    } catch (err) {
      return isErrno(err, 'ENOENT') ? undefined : (err as Error).message;
    }
    try {
      const value: unknown = JSON.parse(text);
      const problem = volumeMetaProblem(value);
      return problem !== undefined ? `volume.json: ${problem}` : (value as VolumeMeta);
    } catch (err) {
      return `volume.json: invalid JSON: ${(err as Error).message}`;
    }
  }

  #view(name: string, meta: VolumeMeta): VolumeView {
    return {
      CreatedAt: meta.CreatedAt,
      Driver: 'local',
      Labels: meta.Labels,
      Mountpoint: this.path(name),
      Name: name,
      Options: meta.Options,
      Scope: 'local',
    };
  }

  #publish(action: string, name: string, attributes: Record<string, string>): void {
    this.#deps.events.publish('volume', action, name, attributes);
  }

  #isMounted(path: string): boolean {
    return this.#deps.sys.mountTargets().includes(path);
  }

  /** The host directory a container mounts. */
  path(name: string): string {
    return join(this.root, name, '_data');
  }

  has(name: string): boolean {
    return this.#volumes.has(name);
  }

  get(name: string): VolumeView {
    const meta = this.#volumes.get(name);
    if (!meta) throw new NotFound(`get ${name}: no such volume`);
    return this.#view(name, meta);
  }

  /** Creates a volume, or returns the existing one of that name (dockerd's rule). */
  create(options: CreateVolumeOptions = {}): Promise<VolumeView> {
    return this.#locked(() => this.#create(options));
  }

  async #create(options: CreateVolumeOptions): Promise<VolumeView> {
    const driver = options.driver || 'local';
    if (driver !== 'local') throw new NotFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    let name = options.name ?? '';
    let labels = options.labels ?? null;
    if (name === '') {
      name = newId();
      labels = { ...(labels ?? {}), [anonymousLabel]: '' };
    } else validateVolumeName(name);
    const existing = this.#volumes.get(name);
    if (existing) return this.#view(name, existing);
    const opts = options.options && Object.keys(options.options).length ? options.options : options.options ? {} : null;
    validateOptions(opts ?? {});
    const dir = join(this.root, name);
    const meta: VolumeMeta = { CreatedAt: formatCreated(new Date()), Labels: labels, Options: opts };
    try {
      await fsp.mkdir(dir, { mode: 0o755 });
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    const problem = volumeMetaProblem(meta);
    if (problem !== undefined) throw new SystemError(`refusing to save volume ${name}: its record is malformed: ${problem}`);
    try {
      await writeJsonAtomic(join(dir, 'volume.json'), meta, { mode: 0o600 });
      // _data last: its presence is what makes the directory a volume after a crash
      await fsp.mkdir(join(dir, '_data'), { mode: 0o755 }).catch((err: unknown) => {
        if (!isErrno(err, 'EEXIST')) throw err;
      });
      const owner = this.#deps.dataOwner;
      if (owner) await fsp.chown(join(dir, '_data'), owner.uid, owner.gid);
    } catch (err) {
      await fsp.rm(dir, { recursive: true, force: true }).catch(() => {});
      throw err;
    }
    this.#volumes.set(name, meta);
    this.#publish('create', name, { driver: 'local' });
    return this.#view(name, meta);
  }

  list(filters: Map<string, string[]> = new Map()): { Volumes: VolumeView[]; Warnings: null } {
    for (const k of filters.keys()) if (!['dangling', 'name', 'driver', 'label'].includes(k)) throw new InvalidArgument(`invalid filter '${k}'`);
    const out: VolumeView[] = [];
    for (const [name, meta] of this.#volumes) {
      if (!this.#matches(name, meta, filters)) continue;
      out.push(this.#view(name, meta));
    }
    return { Volumes: out, Warnings: null };
  }

  #matches(name: string, meta: VolumeMeta, filters: Map<string, string[]>): boolean {
    const dangling = filters.get('dangling');
    if (dangling?.length) {
      const want = dangling.map((v) => {
        const s = v.toLowerCase();
        if (s === 'true' || s === '1') return true;
        if (s === 'false' || s === '0') return false;
        throw new InvalidArgument(`invalid filter 'dangling=${v}'`);
      });
      const isDangling = this.#deps.users.containersUsingVolume(name).length === 0;
      if (!want.includes(isDangling)) return false;
    }
    const names = filters.get('name');
    if (names?.length && !names.some((n) => name.includes(n))) return false;
    const drivers = filters.get('driver');
    if (drivers?.length && !drivers.includes('local')) return false;
    if (!labelsMatch(meta.Labels, filters.get('label'), true)) return false;
    if (!labelsMatch(meta.Labels, filters.get('label!'), false)) return false;
    return true;
  }

  remove(name: string, options: { force?: boolean } = {}): Promise<void> {
    return this.#locked(async () => {
      if (!this.#volumes.has(name)) {
        if (options.force) return;
        throw new NotFound(`get ${name}: no such volume`);
      }
      const users = this.#deps.users.containersUsingVolume(name);
      if (users.length) throw new Conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
      await this.#destroy(name);
    });
  }

  async #destroy(name: string): Promise<void> {
    const dir = join(this.root, name);
    if (this.#mounts.has(name) || this.#isMounted(this.path(name))) await this.#unmountNow(name);
    const gone = join(this.root, `.removing-${name}-${newId().slice(0, 8)}`);
    await fsp.rename(dir, gone);
    this.#volumes.delete(name);
    this.#mounts.delete(name);
    await fsp.rm(gone, { recursive: true, force: true });
    this.#publish('destroy', name, { driver: 'local' });
  }

  /** GET /system/df's volumes. */
  diskUsage(): Promise<VolumeUsage[]> {
    return Promise.all(
      this.list().Volumes.map(async (v) => ({
        ...v,
        UsageData: { Size: await directorySize(v.Mountpoint).catch(() => -1), RefCount: this.#deps.users.containersUsingVolume(v.Name).length },
      })),
    );
  }

  /**
   * Removes unused volumes. `apiAll` is API ≥ 1.42's rule: only anonymous volumes unless the
   * `all` filter is set; older clients prune every unused volume.
   */
  prune(filters: Map<string, string[]>, options: { onlyAnonymous: boolean }): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
    return this.#locked(async () => {
      for (const k of filters.keys()) if (!['label', 'label!', 'all'].includes(k)) throw new InvalidArgument(`invalid filter '${k}'`);
      let onlyAnonymous = options.onlyAnonymous;
      const all = filters.get('all');
      if (all?.length) {
        const v = all[all.length - 1].toLowerCase();
        if (!['1', 'true', '0', 'false'].includes(v)) throw new InvalidArgument(`invalid filter 'all=${all[all.length - 1]}': invalid value`);
        onlyAnonymous = !(v === '1' || v === 'true');
      }
      const deleted: string[] = [];
      let space = 0;
      for (const [name, meta] of [...this.#volumes]) {
        if (onlyAnonymous && !(meta.Labels && anonymousLabel in meta.Labels)) continue;
        if (!labelsMatch(meta.Labels, filters.get('label'), true) || !labelsMatch(meta.Labels, filters.get('label!'), false)) continue;
        if (this.#deps.users.containersUsingVolume(name).length) continue;
        const size = await directorySize(this.path(name)).catch(() => 0);
        try {
          await this.#destroy(name);
        } catch (err) {
          this.#deps.log.warn('pruning volume failed', { volume: name, error: err });
          continue;
        }
        deleted.push(name);
        space += size;
      }
      this.#publish('prune', '', { reclaimed: String(space) });
      return { VolumesDeleted: deleted.length ? deleted : null, SpaceReclaimed: space };
    });
  }

  /**
   * Makes the volume's data available for container `ref`; returns the host path to bind.
   * `destination` (where the container sees it) is only reported in the `mount` event.
   */
  mount(name: string, ref: string, options: { destination?: string; readWrite?: boolean; propagation?: string } = {}): Promise<string> {
    return this.#locked(async () => {
      const meta = this.#volumes.get(name);
      if (!meta) throw new NotFound(`get ${name}: no such volume`);
      const path = this.path(name);
      const o = meta.Options ?? {};
      const refs = this.#mounts.get(name) ?? new Set<string>();
      if (o.type || o.device) {
        if (refs.size === 0 && !this.#isMounted(path)) {
          const { flags, data } = splitMountOptions(o.o ?? '');
          try {
            this.#deps.sys.mount(o.device ?? '', path, o.type ?? '', flags, data);
          } catch (err) {
            throw new SystemError(`error while mounting volume '${path}': failed to mount local volume: mount ${o.device}:${path}, data: ${o.o ?? ''}: ${(err as Error).message}`, { cause: err });
          }
        }
      }
      refs.add(ref);
      this.#mounts.set(name, refs);
      this.#publish('mount', name, {
        container: ref,
        destination: options.destination ?? '',
        driver: 'local',
        propagation: options.propagation ?? '',
        'read/write': String(options.readWrite ?? true),
      });
      return path;
    });
  }

  /**
   * Releases container `ref`'s use (once: a second release is a no-op); the last one unmounts a
   * volume that has mount options.
   */
  unmount(name: string, ref: string): Promise<void> {
    return this.#locked(async () => {
      const refs = this.#mounts.get(name);
      if (!refs?.delete(ref)) return;
      if (refs.size === 0) await this.#unmountNow(name);
      this.#publish('unmount', name, { container: ref, driver: 'local' });
    });
  }

  async #unmountNow(name: string): Promise<void> {
    this.#mounts.delete(name);
    const path = this.path(name);
    if (!this.#isMounted(path)) return;
    try {
      this.#deps.sys.umount(path, 0);
    } catch {
      this.#deps.sys.umount(path, 2); // MNT_DETACH: still busy somewhere
    }
  }

  /** Copies a directory tree (with the directory's own owner and mode) into the volume. */
  async populate(name: string, source: string): Promise<void> {
    const sys = this.#deps.sys;
    await applyLayer(packDirectory(source, { sys, whiteouts: 'keep', includeRoot: true }), this.path(name), { sys, whiteouts: 'keep' });
  }

  /** Whether the volume's directory holds nothing yet (copy-up happens only then). */
  async isEmpty(name: string): Promise<boolean> {
    return (await fsp.readdir(this.path(name))).length === 0;
  }
}

function labelsMatch(labels: Record<string, string> | null, wanted: string[] | undefined, positive: boolean): boolean {
  if (!wanted?.length) return true;
  const has = (w: string): boolean => {
    const eq = w.indexOf('=');
    if (eq < 0) return !!labels && w in labels;
    return !!labels && labels[w.slice(0, eq)] === w.slice(eq + 1);
  };
  return positive ? wanted.every(has) : !wanted.some(has);
}

function validateOptions(opts: Record<string, string>): void {
  for (const k of Object.keys(opts)) if (!validOpts.has(k)) throw new InvalidArgument(`invalid option: "${k}"`);
  if ('size' in opts) throw new InvalidArgument('quota size requested but no quota support');
  for (const [opt, required] of Object.entries(mandatoryOpts)) {
    if (!(opt in opts)) continue;
    for (const r of required) if (!(r in opts)) throw new InvalidArgument(`missing required option: "${r}"`);
  }
}

export function splitMountOptions(o: string): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const opt of o.split(',').filter(Boolean)) {
    const f = mountFlags[opt];
    if (f) flags = f[1] ? flags | f[0] : flags & ~f[0];
    else data.push(opt);
  }
  return { flags, data: data.join(',') };
}
