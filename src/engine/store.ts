// The containers berthd knows: loaded from <data-root>/containers at start-up, looked up by id,
// name or id prefix as dockerd does, and saved atomically (config.v2.json is the commit point of a
// create: a directory without it is a half-made container and is swept).
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Conflict, InvalidArgument, NotFound, SystemError } from '../errors/index.ts';
import { SkippedRecords, faultPoint, silentLogger, writeJsonAtomic, type Logger } from '../lib/index.ts';
import { defaultHostConfig, type HostConfig } from '../types/index.ts';
import { Container, type ContainerRecord } from './container.ts';
import { containerRecordProblem, hostConfigProblem } from './record-schema.ts';

const validName = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class ContainerStore {
  readonly root: string;
  #log: Logger;
  #skipped: SkippedRecords;
  #byId = new Map<string, Container>();
  #names = new Map<string, string>();
  readonly #group: number | undefined;

  /**
   * `group`: under userns-remap, the remapped root's gid, which must traverse the containers'
   * directories to reach the files bound into them (hosts, resolv.conf…), as dockerd allows it.
   */
  constructor(options: { root: string; log?: Logger; skipped?: SkippedRecords; group?: number }) {
    this.root = options.root;
    this.#log = options.log ?? silentLogger;
    this.#skipped = options.skipped ?? new SkippedRecords(this.#log);
    this.#group = options.group;
  }

  dir(id: string): string {
    return join(this.root, id);
  }

  /** Makes a container's directory (0710, traversable by the remapped root's group if any). */
  async makeDir(id: string): Promise<string> {
    const dir = this.dir(id);
    await fsp.mkdir(dir, { mode: 0o710 });
    if (this.#group !== undefined) await fsp.chown(dir, 0, this.#group);
    return dir;
  }

  async load(): Promise<Container[]> {
    await fsp.mkdir(this.root, { recursive: true, mode: 0o710 });
    if (this.#group !== undefined) await fsp.chown(this.root, 0, this.#group);
    for (const name of await fsp.readdir(this.root)) {
      const dir = join(this.root, name);
      // .removing-<id>: a removal a crash interrupted, past its commit point
      const loaded = name.startsWith('.removing-') ? 'half-made' : await this.#read(name, dir);
      if (loaded === 'half-made') {
        this.#log.info('removing half-made container directory', { dir });
        await fsp.rm(dir, { recursive: true, force: true });
        continue;
      }
      if (typeof loaded === 'string') {
        this.#skipped.report('container', name, loaded);
        continue;
      }
      const c = new Container(loaded.record, { ...defaultHostConfig(), ...loaded.host }, dir);
      if (this.#names.has(c.name)) {
        this.#skipped.report('container', name, `its name ${c.record.Name} is taken by container ${this.#names.get(c.name)}`);
        continue;
      }
      this.#byId.set(c.id, c);
      this.#names.set(c.name, c.id);
    }
    return [...this.#byId.values()];
  }

  /**
   * A container's two files: the record, 'half-made' when config.v2.json was never written (the
   * commit point of a create), or what is wrong with them.
   */
  async #read(name: string, dir: string): Promise<{ record: ContainerRecord; host: Partial<HostConfig> } | 'half-made' | string> {
    const record = await readRecordFile(join(dir, 'config.v2.json'), containerRecordProblem);
    if (record === undefined) return 'half-made';
    if (typeof record === 'string') return `config.v2.json: ${record}`;
    if ((record as ContainerRecord).ID !== name) return `config.v2.json: its ID is not ${name}`;
    const host = await readRecordFile(join(dir, 'hostconfig.json'), hostConfigProblem);
    if (typeof host === 'string') return `hostconfig.json: ${host}`;
    return { record: record as ContainerRecord, host: (host ?? {}) as Partial<HostConfig> };
  }

  all(): Container[] {
    return [...this.#byId.values()];
  }

  ids(): Set<string> {
    return new Set(this.#byId.keys());
  }

  /** Containers created from the image (the image service's ImageUsers: removal conflicts, prune, df). */
  containersUsingImage(imageId: string): Array<{ id: string; running: boolean }> {
    return this.all()
      .filter((c) => c.record.Image === imageId)
      .map((c) => ({ id: c.id, running: c.state.Running }));
  }

  /** Ids of the containers that reference a volume, running or not (the volume service's VolumeUsers). */
  containersUsingVolume(name: string): string[] {
    return this.all()
      .filter((c) => Object.values(c.record.MountPoints ?? {}).some((m) => m.Type === 'volume' && m.Name === name))
      .map((c) => c.id);
  }

  /** dockerd's lookup order: full id, then exact name, then unique id prefix. */
  find(ref: string): Container | undefined {
    const byId = this.#byId.get(ref);
    if (byId) return byId;
    const byName = this.#names.get(ref.replace(/^\//, ''));
    if (byName) return this.#byId.get(byName);
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = [...this.#byId.keys()].filter((id) => id.startsWith(ref));
    if (matches.length > 1) throw new InvalidArgument(`multiple IDs found with provided prefix: ${ref}`);
    return matches.length ? this.#byId.get(matches[0]) : undefined;
  }

  get(ref: string): Container {
    if (!ref) throw new NotFound('No such container: ');
    const c = this.find(ref);
    if (!c) throw new NotFound(`No such container: ${ref}`);
    return c;
  }

  /** Claims a name for a container id, with dockerd's validation and conflict messages. */
  reserveName(name: string, id: string): void {
    if (!validName.test(name)) {
      throw new InvalidArgument(`Invalid container name (${name.replace(/^\//, '')}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    const bare = name.replace(/^\//, '');
    const owner = this.#names.get(bare);
    if (owner !== undefined && owner !== id) {
      throw new Conflict(`Conflict. The container name "/${bare}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    this.#names.set(bare, id);
  }

  releaseName(name: string): void {
    this.#names.delete(name.replace(/^\//, ''));
  }

  hasName(name: string): boolean {
    return this.#names.has(name.replace(/^\//, ''));
  }

  add(c: Container): void {
    this.#byId.set(c.id, c);
    this.#names.set(c.name, c.id);
  }

  delete(c: Container): void {
    this.#byId.delete(c.id);
    if (this.#names.get(c.name) === c.id) this.#names.delete(c.name);
  }

  /** Persists both files; config.v2.json last, since its presence marks a whole container. */
  async save(c: Container): Promise<void> {
    checkBeforeWrite(c);
    await writeJsonAtomic(join(c.dir, 'hostconfig.json'), c.hostConfig, { mode: 0o600 });
    faultPoint('save:between-files');
    await writeJsonAtomic(join(c.dir, 'config.v2.json'), c.record, { mode: 0o600 });
  }

  /**
   * Saves only the record after a state change, on the hot path of start and exit: atomic but not
   * fsynced. A crash of berthd still leaves old or new state; start-up reconciles either with what
   * conmon recorded, and a power loss ends the containers anyway.
   */
  async saveState(c: Container): Promise<void> {
    checkBeforeWrite(c, { hostConfig: false });
    await writeJsonAtomic(join(c.dir, 'config.v2.json'), c.record, { mode: 0o600, durable: false });
  }
}

/** Nothing malformed is written: a record that would not load again is a bug, refused here. */
function checkBeforeWrite(c: Container, options: { hostConfig?: boolean } = {}): void {
  const problem = containerRecordProblem(c.record) ?? (options.hostConfig === false ? undefined : hostConfigProblem(c.hostConfig));
  if (problem !== undefined) throw new SystemError(`refusing to save container ${c.id}: its record is malformed: ${problem}`);
}

/** A JSON record file: its content when it is well formed, undefined when absent, else the problem. */
async function readRecordFile(path: string, problemOf: (value: unknown) => string | undefined): Promise<unknown> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return (err as Error).message;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `invalid JSON: ${(err as Error).message}`;
  }
  return problemOf(value) ?? value;
}
