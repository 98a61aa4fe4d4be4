// Running a build plan over the execution ports: the stages the target needs, level by level
// (the stages of a level at once, at most `parallelism` together), each step looked up in the
// cache before it runs, and dockerd's classic output ("Step 2/5 : RUN …", " ---> Running in …",
// " ---> Using cache", " ---> 3f2a…"). Stages that run at the same time write into their own
// buffers, which reach the client in the plan's order, so the output reads as a sequential build.
import { InvalidArgument } from '../errors/index.ts';
import type { ContainerConfig, HistoryEntry, JsonMessage } from '../types/index.ts';
import { stepCacheKey } from './cache-key.ts';
import { copyCommit, type SourceRef, type StepPlan } from './dispatch.ts';
import type { BuildPlan } from './plan.ts';
import type { Platform } from '../lib/index.ts';
import { historyEntry, type BuildExecutor, type ImageHandle, type LayerResult, type ResolvedSource } from './ports.ts';

/** Where the build's messages go: dockerd's JSON stream items. */
export type BuildOutput = (message: JsonMessage) => void;

export interface ExecuteOptions {
  noCache: boolean;
  /** Pull base images even when present. */
  pull: boolean;
  /** --cache-from: images whose history may stand in for steps. */
  cacheFrom: readonly ImageHandle[];
  secrets: ReadonlyMap<string, Buffer>;
  extraHosts: readonly string[];
  hostPlatform: Platform;
  /** How many stages may run at once. */
  parallelism: number;
  signal: AbortSignal;
  /** The build's clock (tests fix it). */
  now?: () => Date;
}

export interface BuildResult {
  image: ImageHandle;
  /** The stage images, by stage index (those built). */
  stages: ReadonlyMap<number, ImageHandle>;
}

const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** A step that failed, with dockerd's message; `code` is a RUN's exit status. */
export class StepFailed extends InvalidArgument {
  readonly code: number | undefined;
  constructor(message: string, options: { code?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
  }
}

/**
 * The output of stages running side by side, released in the plan's order: the stage at the head
 * writes through, the others into their buffers until every stage before them has finished.
 */
class OrderedOutput {
  #out: BuildOutput;
  #order: number[];
  #head = 0;
  #buffers = new Map<number, JsonMessage[]>();
  #finished = new Set<number>();

  constructor(out: BuildOutput, order: number[]) {
    this.#out = out;
    this.#order = order;
  }

  for(stage: number): BuildOutput {
    return (m) => {
      if (this.#order[this.#head] === stage) this.#out(m);
      else {
        let list = this.#buffers.get(stage);
        if (!list) this.#buffers.set(stage, (list = []));
        list.push(m);
      }
    };
  }

  finish(stage: number): void {
    this.#finished.add(stage);
    while (this.#head < this.#order.length && this.#finished.has(this.#order[this.#head])) {
      this.#head++;
      const next = this.#order[this.#head];
      if (next === undefined) break;
      for (const m of this.#buffers.get(next) ?? []) this.#out(m);
      this.#buffers.delete(next);
    }
  }

  /** On failure: whatever the stages printed, in order, so the error follows their last lines. */
  flushAll(): void {
    for (const stage of this.#order.slice(this.#head)) {
      for (const m of this.#buffers.get(stage) ?? []) this.#out(m);
      this.#buffers.delete(stage);
    }
    this.#head = this.#order.length;
  }
}

/** "Step N/M" numbers as dockerd gives them: meta ARGs first, then each stage's FROM and commands. */
function stepNumbers(plan: BuildPlan): { total: number; first: Map<number, number> } {
  const file = plan.dockerfile;
  let n = file.metaArgs.length;
  const first = new Map<number, number>();
  for (const index of plan.graph.order) {
    first.set(index, n + 1);
    n += 1 + file.stages[index].commands.length + (index === plan.graph.target ? plan.labelSteps : 0);
  }
  return { total: n, first };
}

/**
 * Runs `run` over the items, at most `limit` at once. The first failure is reported to `onError`
 * at once (so that the build can stop the tasks still running) and thrown once all have ended.
 */
async function pool<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>, onError: (err: unknown) => void): Promise<void> {
  const queue = [...items];
  const errors: unknown[] = [];
  const worker = async () => {
    for (let item = errors.length ? undefined : queue.shift(); item !== undefined; item = errors.length ? undefined : queue.shift()) {
      try {
        await run(item);
      } catch (err) {
        if (errors.length === 0) onError(err);
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (errors.length > 0) throw errors[0];
}

/** A `--cache-from` image whose history may match the steps from `parent` on. */
function cacheFromMatch(candidates: readonly ImageHandle[], parent: ImageHandle, createdBy: string): { image: ImageHandle; entry: HistoryEntry; diffId: string | null } | undefined {
  const n = parent.history.length;
  for (const target of candidates) {
    if (target.history.length <= n) continue;
    // The target must extend the parent: the same history and layers so far.
    let same = true;
    for (let i = 0; i < n && same; i++) same = historyEqual(target.history[i], parent.history[i]);
    if (!same || parent.diffIds.some((d, i) => target.diffIds[i] !== d)) continue;
    const entry = target.history[n];
    if (entry.created_by !== createdBy) continue;
    const diffId = entry.empty_layer ? null : (target.diffIds[parent.diffIds.length] ?? null);
    if (!entry.empty_layer && diffId === null) continue;
    return { image: target, entry, diffId };
  }
  return undefined;
}

function historyEqual(a: HistoryEntry, b: HistoryEntry): boolean {
  return a.created_by === b.created_by && !!a.empty_layer === !!b.empty_layer && (a.author ?? '') === (b.author ?? '');
}

export async function executeBuild(plan: BuildPlan, executor: BuildExecutor, options: ExecuteOptions, out: BuildOutput): Promise<BuildResult> {
  const file = plan.dockerfile;
  const { total, first } = stepNumbers(plan);
  const now = options.now ?? (() => new Date());
  const stream = (o: BuildOutput, text: string) => o({ stream: text });
  for (let i = 0; i < file.metaArgs.length; i++) {
    stream(out, `Step ${i + 1}/${total} : ${file.metaArgs[i].code}`);
    stream(out, '\n');
  }

  const done = new Map<number, ImageHandle>();
  const ordered = new OrderedOutput(out, plan.graph.order);
  const abort = new AbortController();
  const onAbort = () => abort.abort(options.signal.reason);
  options.signal.addEventListener('abort', onAbort, { once: true });
  const signal = abort.signal;

  const imageSource = async (ref: string, o: BuildOutput): Promise<ImageHandle> =>
    executor.images.resolve(ref, { pull: options.pull, platform: options.hostPlatform, signal, progress: o });
  const resolveSource = async (ref: SourceRef, o: BuildOutput): Promise<ResolvedSource> => {
    if (ref.kind === 'context') return { kind: 'context' };
    if (ref.kind === 'stage') {
      const image = done.get(ref.index);
      if (!image) throw new InvalidArgument(`stage ${ref.name || ref.index} is not built yet`);
      return { kind: 'image', image };
    }
    return { kind: 'image', image: await imageSource(ref.ref, o) };
  };

  const runStage = async (index: number): Promise<void> => {
    const o = ordered.for(index);
    const stage = file.stages[index];
    let number = first.get(index)!;
    stream(o, `Step ${number++}/${total} : ${stage.code}`);
    stream(o, '\n');
    const base = plan.stageBase(index);
    let image: ImageHandle;
    if (base.kind === 'scratch') image = { id: '', config: null, diffIds: [], history: [], platform: options.hostPlatform };
    else if (base.kind === 'stage') image = done.get(base.index)!;
    else image = await imageSource(plan.baseNames[index], o);
    const stagePlan = plan.planStage(index, { id: image.id, config: image.config });
    // dockerd runs the base's ONBUILD triggers as part of FROM: their containers show, and the
    // image ID once they are all done
    if (stagePlan.triggerMessage) stream(o, `${stagePlan.triggerMessage}\n`);
    else if (image.id !== '') stream(o, ` ---> ${shortId(image.id)}\n`);
    const triggers = stagePlan.steps.length - stage.commands.length - (index === plan.graph.target ? plan.labelSteps : 0);
    for (let s = 0; s < stagePlan.steps.length; s++) {
      if (signal.aborted) throw signal.reason;
      const step = stagePlan.steps[s];
      if (s >= triggers) {
        stream(o, `Step ${number++}/${total} : ${step.code}`);
        stream(o, '\n');
      }
      for (const note of step.notes) stream(o, `${note}\n`);
      image = await runStep(step, image, o);
      if (s >= triggers - 1) stream(o, ` ---> ${shortId(image.id)}\n`);
    }
    done.set(index, image);
    if (image.id !== '') o({ aux: { ID: image.id } });
    ordered.finish(index);
  };

  const runStep = async (step: StepPlan, parent: ImageHandle, o: BuildOutput): Promise<ImageHandle> => {
    let prepared: Awaited<ReturnType<BuildExecutor['steps']['prepareCopy']>> | undefined;
    try {
      let createdBy: string;
      let containerConfig: ContainerConfig;
      let sources: string | undefined;
      if (step.kind === 'copy') {
        prepared = await executor.steps.prepareCopy(step, { source: await resolveSource(step.from, o), signal });
        sources = prepared.sourcesDigest;
        ({ createdBy, containerConfig } = copyCommit(step, prepared.sourceHash));
      } else {
        createdBy = step.createdBy;
        containerConfig = step.containerConfig;
      }
      const key = stepCacheKey({ parent: parent.id, step: step.cacheText, buildArgs: step.buildArgsInUse, ...(sources !== undefined ? { sources } : {}) });
      if (!options.noCache) {
        const hit = await cached(key, parent, createdBy, step, containerConfig);
        if (hit) {
          stream(o, ' ---> Using cache\n');
          return hit;
        }
      }
      const io = { output: outputSink(o), signal };
      let layer: LayerResult;
      switch (step.kind) {
        case 'metadata':
          layer = { diffId: null };
          break;
        case 'workdir':
          layer = await executor.steps.workdir(step, { ...io, parent });
          break;
        case 'run':
          layer = await executor.steps.run(step, {
            ...io,
            parent,
            sources: (ref) => resolveSource(ref, o),
            secrets: options.secrets,
            extraHosts: options.extraHosts,
            onStart: (id) => stream(o, ` ---> Running in ${shortId(id)}\n`),
            onRemove: (id) => stream(o, `Removing intermediate container ${shortId(id)}\n`),
          });
          break;
        case 'copy':
          layer = await executor.steps.copy(step, prepared!, { ...io, parent });
          break;
      }
      const image = await executor.committer.commit({
        parent,
        layer,
        config: { ...structuredClone(step.config), Image: parent.id },
        containerConfig: { ...structuredClone(containerConfig), Image: parent.id },
        history: historyEntry({ author: step.author, createdBy }, { created: now().toISOString(), emptyLayer: layer.diffId === null }),
        ...(layer.containerId ? { containerId: layer.containerId } : {}),
      });
      await executor.cache.put(key, image.id, { description: createdBy });
      return image;
    } finally {
      await prepared?.release();
    }
  };

  /** The cache's image for `key`, or one restored from a --cache-from image's history. */
  const cached = async (key: string, parent: ImageHandle, createdBy: string, step: StepPlan, containerConfig: ContainerConfig): Promise<ImageHandle | undefined> => {
    const id = await executor.cache.get(key);
    const hit = id === undefined ? undefined : executor.images.byId(id);
    if (hit) return hit;
    const match = cacheFromMatch(options.cacheFrom, parent, createdBy);
    if (!match) return undefined;
    const restored = await executor.committer.commit({
      parent,
      layer: { diffId: match.diffId },
      config: { ...structuredClone(step.config), Image: parent.id },
      containerConfig: { ...structuredClone(containerConfig), Image: parent.id },
      history: { ...match.entry },
    });
    await executor.cache.put(key, restored.id, { description: createdBy });
    return restored;
  };

  try {
    for (const level of plan.graph.levels) await pool(level, options.parallelism, runStage, (err) => abort.abort(err));
  } catch (err) {
    abort.abort(err);
    ordered.flushAll();
    throw err;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
  return { image: done.get(plan.graph.target)!, stages: done };
}

/** RUN's output as stream messages: stderr in dockerd's red (ESC[91m … ESC[0m). */
function outputSink(o: BuildOutput): (stream: 'stdout' | 'stderr', data: Buffer) => void {
  return (stream, data) => o({ stream: stream === 'stderr' ? `\u001b[91m${data.toString()}\u001b[0m` : data.toString() });
}
