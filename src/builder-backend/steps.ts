// One build's execution ports over Berth's real parts. RUN is a container of the engine (runc
// under conmon, overlay2, the build's network), attached before it starts so no output is lost;
// its read-write layer's diff becomes the step's layer through the layer store, as `commit` does.
// COPY, ADD and WORKDIR write into a scratch layer over the parent and register its diff. Images
// are committed into the image store with the parent recorded, as dockerd's classic builder does.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { extractTar, openPathTree, packDirectory } from '../archive/index.ts';
import { pipeline } from 'node:stream/promises';
import {
  historySourceHash,
  sourcesDigest,
  type BaseImageResolver,
  type CopyStep,
  type FileRecord,
  type ImageCommitter,
  type ImageHandle,
  type LayerResult,
  type PreparedCopy,
  type ResolvedMount,
  type RunStep,
  type StepRunner,
  type WorkdirStep,
  StepFailed,
} from '../builder/index.ts';
import type { AttachOptions, AttachSession, OutputWriter, RemoveOptions } from '../engine/index.ts';
import { InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import { emptyLayerDiffId, engineVersion, parseReference, withDefaultTag, type Image, type PullOptions } from '../image/index.ts';
import { byteOrder, secureJoin, type Logger, type Platform } from '../lib/index.ts';
import { chainIds, type LayerStore, type ScratchLayer } from '../storage/index.ts';
import type { Syscalls } from '../sys/index.ts';
import type { CreateContainerRequest, HostConfig, ImageConfig, JsonMessage, MountSpec } from '../types/index.ts';
import { CacheMounts } from './cache-mounts.ts';
import { DirectorySource, type ContextArchive, type CopySource, type SourceReader } from './context.ts';
import { mkdirAllInRoot, performCopy, resolveChown } from './copy.ts';

/** What a build needs of the container engine (the engine implements it). */
export interface BuildContainers {
  create(req: CreateContainerRequest): Promise<{ Id: string }>;
  attach(id: string, options: AttachOptions, write: OutputWriter): Promise<AttachSession>;
  start(id: string): Promise<void>;
  /** With 'next-exit', resolves at the container's next exit; call before start. */
  wait(id: string, condition: 'next-exit', signal?: AbortSignal): Promise<{ StatusCode: number }>;
  kill(id: string, signal: string): Promise<void>;
  remove(id: string, options: RemoveOptions): Promise<void>;
}

/** What a build needs of the image store (the store implements it). */
export interface BuildImages {
  get(id: string): Image | undefined;
  find(ref: string): Image | undefined;
  create(raw: Buffer, options: { parent?: string }): Promise<Image>;
}

/** Pulling a base image FROM names (the image service implements it). */
export interface ImagePuller {
  pull(options: PullOptions): Promise<void>;
}

/** The label that marks a build's containers, so that start-up can remove those a crash left. */
export const buildContainerLabel = 'berth.build';

export interface BuildSettings {
  id: string;
  /** The build's own directory (context, secrets, downloads), removed when it ends. */
  dir: string;
  context: ContextArchive;
  networkMode: string;
  /** Resources for RUN containers, from the /build parameters. */
  resources: Partial<HostConfig>;
  /** Keep the containers of successful steps (rm=0). */
  keepContainers: boolean;
  /** X-Registry-Config: auth per registry, for pulls. */
  registryAuth: Record<string, unknown>;
  hostPlatform: Platform;
  /** Appends an image this build made to its journal (so a crash can be cleaned up). */
  journal(imageId: string): Promise<void>;
}

export interface BuildStepDeps {
  containers: BuildContainers;
  images: BuildImages;
  puller: ImagePuller;
  layers: LayerStore;
  cacheMounts: CacheMounts;
  sys: Syscalls;
  log: Logger;
}

export function imageHandle(image: Image): ImageHandle {
  const c = image.config;
  return {
    id: image.id,
    config: c.config ?? null,
    diffIds: [...c.rootfs.diff_ids],
    history: [...(c.history ?? [])],
    platform: { os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}) },
  };
}

/** The config with its maps' keys in order, as Go's encoding/json writes dockerd's. */
function sortedMaps<T extends { Labels?: unknown; ExposedPorts?: unknown; Volumes?: unknown }>(config: T): T {
  const out = { ...config };
  for (const k of ['Labels', 'ExposedPorts', 'Volumes'] as const) {
    const v = out[k];
    if (v && typeof v === 'object') (out as Record<string, unknown>)[k] = Object.fromEntries(Object.entries(v).sort(([a], [b]) => byteOrder(a, b)));
  }
  return out;
}

const topLayer = (image: ImageHandle): string | undefined => chainIds(image.diffIds).at(-1);
const isUrl = (s: string) => /^https?:\/\//i.test(s);

interface Prepared extends PreparedCopy {
  sources: CopySource[];
  fromContext: boolean;
}

export class BuildSteps implements StepRunner, BaseImageResolver, ImageCommitter {
  #deps: BuildStepDeps;
  #build: BuildSettings;

  constructor(deps: BuildStepDeps, build: BuildSettings) {
    this.#deps = deps;
    this.#build = build;
  }

  // ---- images

  async resolve(ref: string, options: { pull: boolean; platform: Platform; signal: AbortSignal; progress: (m: JsonMessage) => void }): Promise<ImageHandle> {
    if (!options.pull) {
      const local = this.#deps.images.find(ref);
      if (local) return imageHandle(local);
    }
    const parsed = withDefaultTag(parseReference(ref));
    const auth = this.#build.registryAuth[parsed.domain] ?? (parsed.domain === 'docker.io' ? this.#build.registryAuth['https://index.docker.io/v1/'] : undefined);
    await this.#deps.puller.pull({
      image: ref,
      progress: options.progress,
      signal: options.signal,
      ...(auth ? { registryAuth: Buffer.from(JSON.stringify(auth)).toString('base64url') } : {}),
    });
    const pulled = this.#deps.images.find(ref);
    if (!pulled) throw new NotFound(`No such image: ${ref}`);
    return imageHandle(pulled);
  }

  byId(id: string): ImageHandle | undefined {
    const image = this.#deps.images.get(id);
    return image ? imageHandle(image) : undefined;
  }

  async commit(input: Parameters<ImageCommitter['commit']>[0]): Promise<ImageHandle> {
    const parent = input.parent.id ? this.#deps.images.get(input.parent.id) : undefined;
    const base = parent?.config;
    const host = this.#build.hostPlatform;
    const config: ImageConfig = {
      architecture: base?.architecture ?? host.architecture,
      ...(base?.variant ? { variant: base.variant } : {}),
      os: base?.os ?? host.os,
      ...(input.history.author ? { author: input.history.author } : {}),
      config: sortedMaps(input.config),
      container: input.containerId ?? '',
      container_config: sortedMaps(input.containerConfig),
      created: input.history.created ?? new Date().toISOString(),
      docker_version: engineVersion,
      history: [...input.parent.history, input.history],
      rootfs: { type: 'layers', diff_ids: [...input.parent.diffIds, ...(input.layer.diffId ? [input.layer.diffId] : [])] },
    };
    const raw = Buffer.from(JSON.stringify(config));
    await this.#build.journal(`sha256:${createHash('sha256').update(raw).digest('hex')}`);
    const image = await this.#deps.images.create(raw, parent ? { parent: parent.id } : {});
    return imageHandle(image);
  }

  // ---- layers

  /** Registers a layer tar on the parent's chain; an empty one is dropped (an empty_layer step). */
  async #register(tar: Readable, parent: ImageHandle): Promise<LayerResult> {
    const layers = this.#deps.layers;
    const top = topLayer(parent);
    const layer = await layers.register(tar, top ? { parent: top } : {});
    if (layer.diffId === emptyLayerDiffId) {
      layers.retain(layer.chainId);
      await layers.release(layer.chainId);
      return { diffId: null };
    }
    return { diffId: layer.diffId };
  }

  async #withScratch<T>(parent: ImageHandle, fn: (scratch: ScratchLayer) => Promise<T>): Promise<T> {
    const scratch = await this.#deps.layers.mountScratch(topLayer(parent));
    try {
      return await fn(scratch);
    } finally {
      await scratch.release();
    }
  }

  async workdir(step: WorkdirStep, options: { parent: ImageHandle; signal: AbortSignal }): Promise<LayerResult> {
    return this.#withScratch(options.parent, async (scratch) => {
      await mkdirAllInRoot(scratch.root, step.path, this.#deps.layers.driver.ownership?.root ?? { uid: 0, gid: 0 });
      await scratch.unmount();
      return this.#register(scratch.diff(), options.parent);
    });
  }

  // ---- COPY / ADD

  async prepareCopy(step: CopyStep, options: { source: { kind: 'context' } | { kind: 'image'; image: ImageHandle }; signal: AbortSignal }): Promise<Prepared> {
    let view: ScratchLayer | undefined;
    const downloads: string[] = [];
    const release = async () => {
      await view?.release();
      for (const d of downloads) await fsp.rm(d, { recursive: true, force: true });
    };
    try {
      let tree: SourceReader = this.#build.context;
      if (options.source.kind === 'image') {
        view = await this.#deps.layers.mountScratch(topLayer(options.source.image));
        tree = new DirectorySource(view.root, this.#deps.sys);
      }
      const sources: CopySource[] = [];
      const hashes: Array<{ kind: 'file' | 'dir'; digest: string }> = [];
      const records: FileRecord[] = [];
      const add = (i: number, list: FileRecord[], kind: 'file' | 'dir') => {
        hashes.push({ kind, digest: sourcesDigest(list) });
        for (const r of list) records.push({ ...r, path: `${i}/${r.path}` });
      };
      let n = 0;
      for (const raw of step.sources) {
        if (isUrl(raw)) {
          const dir = join(this.#build.dir, `download-${randomBytes(6).toString('hex')}`);
          downloads.push(dir);
          const name = await download(raw, dir, { signal: options.signal, ...(step.checksum ? { checksum: step.checksum } : {}) });
          const files = new DirectorySource(dir, this.#deps.sys);
          const [found] = await files.find([name], step.instructionName);
          sources.push({ ...found, download: true });
          add(n++, await files.records(found), 'file');
          continue;
        }
        const found = await tree.find([raw], step.instructionName);
        for (const f of found) {
          sources.push(f);
          add(n++, await tree.records(f), f.isDir ? 'dir' : 'file');
        }
      }
      for (const c of step.contents) {
        const digest = createHash('sha256').update(c.data).digest('hex');
        add(n++, [{ path: c.path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: Buffer.byteLength(c.data), contentDigest: digest }], 'file');
      }
      return { sources, fromContext: options.source.kind === 'context', sourceHash: historySourceHash(hashes), sourcesDigest: sourcesDigest(records), release };
    } catch (err) {
      await release();
      throw err;
    }
  }

  async copy(step: CopyStep, prepared: PreparedCopy, options: { parent: ImageHandle; signal: AbortSignal }): Promise<LayerResult> {
    const p = prepared as Prepared;
    return this.#withScratch(options.parent, async (scratch) => {
      const identity = step.chown !== '' ? await resolveChown(scratch.root, step.chown) : p.fromContext || p.sources.some((s) => s.download) ? { uid: 0, gid: 0 } : undefined;
      try {
        const toHost = this.#deps.layers.driver.ownership?.toHost;
        await performCopy(step, p.sources, { root: scratch.root, sys: this.#deps.sys, identity, ...(toHost ? { toHost } : {}) });
      } catch (err) {
        if (err instanceof Error && !err.message.startsWith(`${step.instructionName} failed`)) err.message = `${step.instructionName} failed: ${err.message}`;
        throw err;
      }
      await scratch.unmount();
      return this.#register(scratch.diff(), options.parent);
    });
  }

  // ---- RUN

  async run(step: RunStep, options: Parameters<StepRunner['run']>[1]): Promise<LayerResult> {
    const { parent, signal } = options;
    if (parent.id === '') throw new InvalidArgument(`The command '${step.args.join(' ')}' cannot run: the stage has no file system yet (FROM scratch)`);
    const mounts = await this.#mounts(step, options);
    const env = [...step.env, ...mounts.env];
    const network = step.network === 'default' ? this.#build.networkMode || 'default' : step.network;
    const req: CreateContainerRequest = {
      Image: parent.id,
      Cmd: step.args,
      Entrypoint: [],
      Env: env,
      User: step.user,
      WorkingDir: step.workingDir,
      Labels: { [buildContainerLabel]: this.#build.id },
      AttachStdout: true,
      AttachStderr: true,
      Healthcheck: { Test: ['NONE'] },
      HostConfig: {
        ...this.#build.resources,
        NetworkMode: network,
        ExtraHosts: options.extraHosts.length ? [...options.extraHosts] : null,
        Mounts: mounts.specs,
        LogConfig: { Type: 'none', Config: {} },
      },
    };
    let id: string | undefined;
    let removed = false;
    const containers = this.#deps.containers;
    try {
      id = (await containers.create(req)).Id;
      options.onStart(id);
      const stubs = mounts.specs.length ? await this.#missingTargets(id, mounts.specs.map((m) => m.Target)) : [];
      const session = await containers.attach(id, { stdin: false, stdout: true, stderr: true, logs: false, stream: true }, (stream, data) => options.output(stream, data));
      const exited = containers.wait(id, 'next-exit');
      exited.catch(() => {});
      const kill = () => void containers.kill(id!, 'SIGKILL').catch(() => {});
      signal.addEventListener('abort', kill, { once: true });
      let status: { StatusCode: number };
      try {
        await containers.start(id);
        status = await exited;
        await session.done.catch(() => {});
      } finally {
        signal.removeEventListener('abort', kill);
        session.close?.();
      }
      if (signal.aborted) throw signal.reason;
      if (status.StatusCode !== 0) {
        throw new StepFailed(`The command '${step.args.join(' ')}' returned a non-zero code: ${status.StatusCode}`, { code: status.StatusCode });
      }
      await this.#removeStubs(id, stubs);
      const layer = await this.#register(this.#deps.layers.rwDiff(id), parent);
      if (!this.#build.keepContainers) {
        await containers.remove(id, { force: true, removeVolumes: true });
        removed = true;
        options.onRemove(id);
      }
      return { ...layer, containerId: id };
    } catch (err) {
      // A failed step leaves nothing behind, whatever rm and forcerm say.
      if (id !== undefined && !removed) {
        await containers.remove(id, { force: true, removeVolumes: true }).catch((e: unknown) => this.#deps.log.warn('removing a failed build container failed', { container: id, error: e }));
      }
      throw err;
    } finally {
      await mounts.release();
    }
  }

  /** The mount targets (or their topmost ancestor) the parent image lacks: runc makes them. */
  async #missingTargets(id: string, targets: string[]): Promise<string[]> {
    const layers = this.#deps.layers;
    const root = await layers.mountRw(id);
    try {
      const out: string[] = [];
      for (const t of targets) {
        const parts = t.split('/').filter(Boolean);
        for (let i = 1; i <= parts.length; i++) {
          const p = `/${parts.slice(0, i).join('/')}`;
          try {
            await fsp.lstat(await secureJoin(root, p));
          } catch {
            out.push(p);
            break;
          }
        }
      }
      return out;
    } finally {
      await layers.unmountRw(id);
    }
  }

  /** Removes what runc made for mount points the image lacked, if the step left it empty. */
  async #removeStubs(id: string, stubs: string[]): Promise<void> {
    const rw = this.#deps.layers.rwLayer(id);
    if (!rw || stubs.length === 0) return;
    const upper = join(this.#deps.layers.driver.dir(rw.mountId), 'diff');
    const prune = async (path: string): Promise<boolean> => {
      let st;
      try {
        st = await fsp.lstat(path);
      } catch {
        return true;
      }
      if (st.isDirectory()) {
        let empty = true;
        for (const n of await fsp.readdir(path)) if (!(await prune(join(path, n)))) empty = false;
        if (!empty) return false;
        await fsp.rmdir(path);
        return true;
      }
      if (st.isFile() && st.size === 0) {
        await fsp.rm(path);
        return true;
      }
      return false;
    };
    for (const s of stubs) await prune(join(upper, posix.normalize(s)));
  }

  async #mounts(step: RunStep, options: Parameters<StepRunner['run']>[1]): Promise<{ specs: MountSpec[]; env: string[]; release(): Promise<void> }> {
    const specs: MountSpec[] = [];
    const env: string[] = [];
    const releases: Array<() => Promise<void>> = [];
    const release = async () => {
      for (const r of releases.reverse()) await r().catch((err: unknown) => this.#deps.log.warn('releasing a build mount failed', { error: err }));
    };
    try {
      for (const m of step.mounts) await this.#mount(m, { specs, env, releases, options });
      for (const f of step.inlineFiles) {
        const path = join(this.#build.dir, `inline-${randomBytes(6).toString('hex')}`);
        await fsp.writeFile(path, f.data, { mode: f.mode });
        releases.push(() => fsp.rm(path, { force: true }));
        specs.push({ Type: 'bind', Source: path, Target: f.path, ReadOnly: true });
      }
    } catch (err) {
      await release();
      throw err;
    }
    return { specs, env, release };
  }

  async #mount(
    m: ResolvedMount,
    o: { specs: MountSpec[]; env: string[]; releases: Array<() => Promise<void>>; options: Parameters<StepRunner['run']>[1] },
  ): Promise<void> {
    switch (m.type) {
      case 'tmpfs':
        o.specs.push({ Type: 'tmpfs', Target: m.target, ...(m.sizeLimit > 0 ? { TmpfsOptions: { SizeBytes: m.sizeLimit } } : {}) });
        return;
      case 'secret': {
        const value = o.options.secrets.get(m.id);
        if (value === undefined) {
          if (m.required) throw new InvalidArgument(`secret ${m.id}: not found`);
          return;
        }
        if (m.env !== undefined) o.env.push(`${m.env}=${value.toString()}`);
        if (m.target === undefined) return;
        const dir = join(this.#build.dir, 'secrets');
        await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
        const path = join(dir, randomBytes(8).toString('hex'));
        await fsp.writeFile(path, value, { mode: m.mode });
        await fsp.chmod(path, m.mode);
        await fsp.chown(path, m.uid, m.gid);
        o.releases.push(() => fsp.rm(path, { force: true }));
        o.specs.push({ Type: 'bind', Source: path, Target: m.target, ReadOnly: true });
        return;
      }
      case 'cache': {
        let seed: { path: string } | undefined;
        let view: ScratchLayer | undefined;
        if (m.from) {
          const source = await o.options.sources(m.from);
          if (source.kind === 'image') {
            view = await this.#deps.layers.mountScratch(topLayer(source.image));
            seed = { path: await secureJoin(view.root, m.source) };
          } else seed = { path: await secureJoin(await this.#build.context.directory(this.#deps.sys), m.source) };
        }
        try {
          const lease = await this.#deps.cacheMounts.acquire(m, { ...(seed ? { seed: seed.path } : {}), sys: this.#deps.sys, signal: o.options.signal });
          o.releases.push(() => lease.release());
          o.specs.push({ Type: 'bind', Source: lease.path, Target: m.target, ReadOnly: m.readOnly });
        } finally {
          await view?.release();
        }
        return;
      }
      case 'bind': {
        const source = await o.options.sources(m.from);
        let root: string;
        if (source.kind === 'image') {
          const view = await this.#deps.layers.mountScratch(topLayer(source.image));
          o.releases.push(() => view.release());
          root = view.root;
        } else if (!m.readOnly) {
          // Writes to a read-write bind of the context are thrown away: give the step a copy.
          const view = await this.#deps.layers.mountScratch(undefined);
          o.releases.push(() => view.release());
          const tree = await openPathTree(view.root, this.#deps.sys);
          try {
            await extractTar(packDirectory(await this.#build.context.directory(this.#deps.sys), { sys: this.#deps.sys, whiteouts: 'keep' }), tree, { whiteouts: 'keep' });
          } finally {
            tree.close();
          }
          root = view.root;
        } else root = await this.#build.context.directory(this.#deps.sys);
        const path = await secureJoin(root, m.source);
        try {
          await fsp.stat(path);
        } catch (err) {
          if (isErrno(err, 'ENOENT')) throw new InvalidArgument(`failed to compute cache key: failed to calculate checksum of ref: "${m.source}" not found`);
          throw err;
        }
        o.specs.push({ Type: 'bind', Source: path, Target: m.target, ReadOnly: m.readOnly });
        return;
      }
    }
  }
}

/**
 * ADD <url>: the file saved as dockerd names it (the URL's last path component, else the
 * Content-Disposition filename), mode 0600, its time from Last-Modified; --checksum verified.
 * Returns the file's name in `dir`.
 */
export async function download(url: string, dir: string, options: { signal: AbortSignal; checksum?: string }): Promise<string> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  let res: Response;
  try {
    res = await fetch(url, { signal: options.signal, redirect: 'follow' });
  } catch (err) {
    throw new InvalidArgument(`failed to GET ${url}: ${(err as Error).message}`, { cause: err });
  }
  if (res.status >= 400) throw new InvalidArgument(`failed to GET ${url} with status ${res.status} ${res.statusText}: ${await res.text().catch(() => '')}`.trim());
  const pathname = new URL(url).pathname;
  let name = pathname.endsWith('/') ? '' : posix.basename(pathname);
  if (!name) {
    const cd = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '');
    if (cd && !cd[1].endsWith('/')) name = posix.basename(cd[1]);
  }
  if (!name) throw new InvalidArgument(`cannot determine filename from url: ${url}`);
  const path = join(dir, name);
  const hash = createHash('sha256');
  const body = res.body ? Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>) : Readable.from([]);
  body.on('data', (c: Buffer) => hash.update(c));
  await pipeline(body, createWriteStream(path, { mode: 0o600 }));
  const digest = `sha256:${hash.digest('hex')}`;
  if (options.checksum && options.checksum !== digest) throw new InvalidArgument(`digest mismatch ${options.checksum}: ${digest}`);
  await fsp.chmod(path, 0o600);
  const modified = res.headers.get('last-modified');
  if (modified && !Number.isNaN(Date.parse(modified))) await fsp.utimes(path, new Date(), new Date(Date.parse(modified)));
  return name;
}
