// The ports the execution phase plugs into the pure builder. The builder owns these interfaces
// (the consumer owns the port); the engine, storage, image and distribution subsystems provide
// the real implementations in the daemon's wiring, and tests provide fakes. Nothing here runs yet.
import type { Readable, Writable } from 'node:stream';
import type { ContainerConfig, HistoryEntry } from '../types/index.ts';
import type { FileRecord } from './cache-key.ts';
import type { CopyStep, RunStep, SourceRef, StepPlan, WorkdirStep } from './dispatch.ts';
import type { Platform } from './platform.ts';

/** An image the build starts from or made: what a step needs to mount its root file system. */
export interface ImageHandle {
  /** "sha256:…"; "" for scratch. */
  id: string;
  config: Partial<ContainerConfig> | null;
  /** The layer chain, bottom first; empty for scratch. */
  diffIds: string[];
  platform: Platform;
}

/**
 * The build context as the daemon received it (a tar streamed to disk, never held in memory).
 * Paths are relative to the context root; the reader refuses paths that leave it.
 */
export interface BuildContextReader {
  /** The files under `path` (the path itself included), metadata and content digests, no mtimes. */
  walk(path: string, options?: { exclude?: readonly string[] }): AsyncIterable<FileRecord>;
  /** A regular file's content. */
  open(path: string): Readable;
}

/** Finds a base image or a `COPY --from` image: local, else pulled (always pulled with pull). */
export interface BaseImageResolver {
  resolve(ref: string, options: { pull: boolean; platform: Platform; signal: AbortSignal }): Promise<ImageHandle>;
}

/** A step's changed files, committed through the layer store commit uses. */
export interface LayerResult {
  /** The new layer's diff ID, or null when nothing changed (an empty_layer history entry). */
  diffId: string | null;
}

/** Where a mount's or a COPY's files come from once the graph is resolved. */
export type ResolvedSource = { kind: 'context' } | { kind: 'image'; image: ImageHandle };

export interface StepIO {
  /** Step output (RUN's stdout and stderr) as the /build stream relays it. */
  output: Writable;
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
    options: StepIO & { parent: ImageHandle; sources: (ref: SourceRef) => Promise<ResolvedSource>; secrets: ReadonlyMap<string, Buffer>; extraHosts: readonly string[] },
  ): Promise<LayerResult>;
  /**
   * COPY/ADD: the sources (context, a stage's image or an image) into step.destPath with dockerd's
   * rules (names from the image's /etc/passwd and /etc/group for --chown; ADD unpacks local
   * archives and downloads URLs). Returns the layer and the source hash for the history
   * (cache-key.ts historySourceHash) and the digest of the files read (sourcesDigest).
   */
  copy(step: CopyStep, options: StepIO & { parent: ImageHandle; source: ResolvedSource }): Promise<LayerResult & { sourceHash: string; sourcesDigest: string }>;
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
  }): Promise<ImageHandle>;
}

/**
 * The build cache, surviving daemon restarts: cache key (cache-key.ts stepCacheKey) → image ID.
 * Entries whose image is gone are misses. `--cache-from` images add entries for their history.
 */
export interface BuildCacheStore {
  get(key: string): Promise<string | undefined>;
  put(key: string, imageId: string): Promise<void>;
}

/** What the execution phase's build orchestrator depends on, in one place for the wiring. */
export interface BuildExecutor {
  context: BuildContextReader;
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
