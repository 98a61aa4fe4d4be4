// The ports the execution phase (execute.ts) plugs into. The builder owns these interfaces (the
// consumer owns the port); src/builder-backend implements them over the engine, storage, image and
// distribution subsystems, and unit tests over fakes.
import type { ContainerConfig, HistoryEntry, JsonMessage } from '../types/index.ts';
import type { CopyStep, RunStep, SourceRef, StepPlan, WorkdirStep } from './dispatch.ts';
import type { Platform } from '../lib/index.ts';

/** An image the build starts from or made: what a step needs to mount its root file system. */
export interface ImageHandle {
  /** "sha256:…"; "" for scratch. */
  id: string;
  config: Partial<ContainerConfig> | null;
  /** The layer chain, bottom first; empty for scratch. */
  diffIds: string[];
  /** The image's history (what --cache-from matches steps against). */
  history: HistoryEntry[];
  platform: Platform;
}

/** Finds a base image or a `COPY --from` image: local, else pulled (always pulled with pull). */
export interface BaseImageResolver {
  resolve(ref: string, options: { pull: boolean; platform: Platform; signal: AbortSignal; progress: (m: JsonMessage) => void }): Promise<ImageHandle>;
  /** An image by its full ID, if it is (still) there: what a cache entry names. */
  byId(id: string): ImageHandle | undefined;
}

/** A step's changed files, committed through the layer store commit uses. */
export interface LayerResult {
  /** The new layer's diff ID, or null when nothing changed (an empty_layer history entry). */
  diffId: string | null;
  /** The container that ran the step, recorded as the image's `container`. */
  containerId?: string;
}

/** What COPY/ADD will read, looked at before the cache is asked (its digest is in the key). */
export interface PreparedCopy {
  /** The history's "file:…", "dir:…" or "multi:…" (cache-key.ts historySourceHash). */
  sourceHash: string;
  /** sourcesDigest of every file read. */
  sourcesDigest: string;
  /** Drops what preparing held (downloads, a mounted source image). */
  release(): Promise<void>;
}

/** Where a mount's or a COPY's files come from once the graph is resolved. */
export type ResolvedSource = { kind: 'context' } | { kind: 'image'; image: ImageHandle };

export interface StepIO {
  /** Step output (RUN's stdout and stderr) as the /build stream relays it. */
  output: (stream: 'stdout' | 'stderr', data: Buffer) => void;
  signal: AbortSignal;
}

/**
 * Runs what needs a container or the file system. Each call works on a fresh read-write layer over
 * `parent` and returns the diff of its upper directory; on failure (or abort) it leaves no
 * container, mount or temporary directory behind.
 */
export interface StepRunner {
  /**
   * RUN: step.args as the process with step.env, step.user and step.workingDir, the config's
   * Entrypoint cleared and healthcheck off; step.mounts mounted (`sources` resolves their `from`;
   * cache mounts persist by id under the data root with their sharing mode; secrets come from
   * `secrets` and never reach the layer); step.network as the network. A non-zero exit is an
   * error with dockerd's text: "The command '<args joined>' returned a non-zero code: <n>".
   */
  run(
    step: RunStep,
    options: StepIO & {
      parent: ImageHandle;
      sources: (ref: SourceRef) => Promise<ResolvedSource>;
      secrets: ReadonlyMap<string, Buffer>;
      extraHosts: readonly string[];
      /** Called with the container's ID once it exists (" ---> Running in …"), and when it is removed. */
      onStart: (containerId: string) => void;
      onRemove: (containerId: string) => void;
    },
  ): Promise<LayerResult>;
  /**
   * COPY/ADD, first half: finds and hashes the sources (context, a stage's image or an image;
   * ADD downloads URLs) with dockerd's errors for missing files.
   */
  prepareCopy(step: CopyStep, options: { source: ResolvedSource; signal: AbortSignal }): Promise<PreparedCopy>;
  /**
   * COPY/ADD, second half: the prepared sources into step.destPath with dockerd's rules (names
   * from the image's /etc/passwd and /etc/group for --chown; ADD unpacks local archives).
   */
  copy(step: CopyStep, prepared: PreparedCopy, options: StepIO & { parent: ImageHandle }): Promise<LayerResult>;
  /** WORKDIR: the directory created (owned by root, as dockerd's classic builder does). */
  workdir(step: WorkdirStep, options: StepIO & { parent: ImageHandle }): Promise<LayerResult>;
}

/** Writes a step's image: the parent's layers plus the step's (if any), config and history. */
export interface ImageCommitter {
  commit(input: {
    parent: ImageHandle;
    layer: LayerResult;
    /** The step's config with Image set to the parent's ID. */
    config: ContainerConfig;
    containerConfig: ContainerConfig;
    history: HistoryEntry;
    containerId?: string;
  }): Promise<ImageHandle>;
}

/**
 * The build cache, surviving daemon restarts: cache key (cache-key.ts stepCacheKey) → image ID.
 * Entries whose image is gone are misses. `--cache-from` images add entries for their history.
 */
export interface BuildCacheStore {
  /** The image a key names (and the entry counts as used now). */
  get(key: string): Promise<string | undefined>;
  /** `description` is the step's created_by, as `system df -v` lists it. */
  put(key: string, imageId: string, info: { description: string }): Promise<void>;
}

/** What the execution phase's build orchestrator depends on, in one place for the wiring. */
export interface BuildExecutor {
  images: BaseImageResolver;
  steps: StepRunner;
  committer: ImageCommitter;
  cache: BuildCacheStore;
}

/** The history entry dockerd writes for a step. */
export function historyEntry(step: Pick<StepPlan, 'author'> & { createdBy: string }, options: { created: string; emptyLayer: boolean }): HistoryEntry {
  return {
    created: options.created,
    ...(step.author ? { author: step.author } : {}),
    created_by: step.createdBy,
    ...(options.emptyLayer ? { empty_layer: true } : {}),
  };
}
