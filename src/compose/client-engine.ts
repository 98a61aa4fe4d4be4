// ComposeEngine over src/client's typed Engine API client: only documented API calls, so compose
// works against berthd and any Docker-compatible daemon. The daemon's refusals come back as
// EngineError (status and message); streams are read line by line.
import type { Duplex, Readable } from 'node:stream';
import { ApiError, demux, jsonLines, jsonMessages, type ApiResponse, type Client, type EventMessage } from '../client/index.ts';
import type { AuthConfig, ContainerSummary, JsonMessage } from '../types/index.ts';
import type { ComposeEngine, ContainerInspectView, EngineEvent, ImageView, LabelFilter, LogLine, NetworkView, Stream, VolumeView } from './engine.ts';
import { EngineError } from './engine.ts';

export interface ClientEngineOptions {
  client: Client;
  /** X-Registry-Auth for an image reference (the user's credentials for its registry). */
  registryAuth(ref: string): string;
  /** X-Registry-Config for builds: credentials for every registry known. */
  registryConfig?(): Record<string, unknown>;
}

function toEngineError(err: unknown): unknown {
  return err instanceof ApiError ? new EngineError(err.status, err.message) : err;
}

async function call<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw toEngineError(err);
  }
}

function labelFilters(labels: LabelFilter | undefined): Record<string, string[]> | undefined {
  if (!labels || Object.keys(labels).length === 0) return undefined;
  return { label: Object.entries(labels).map(([k, v]) => (v === true ? k : `${k}=${v}`)) };
}

/** Splits a byte stream into lines per stream, as compose's line writers do. */
function lineStream(source: Readable | Duplex, tty: boolean): Stream<LogLine> {
  const queue: LogLine[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let error: unknown;
  const partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const push = (stream: 'stdout' | 'stderr', data: Buffer) => {
    const text = partial[stream] + data.toString('utf8');
    const lines = text.split('\n');
    partial[stream] = lines.pop() ?? '';
    for (const l of lines) queue.push({ stream, text: l.endsWith('\r') ? l.slice(0, -1) : l });
    wake?.();
  };
  demux(source as Readable, (stream, data) => push(stream, data), { raw: tty }).then(
    () => {
      for (const s of ['stdout', 'stderr'] as const) if (partial[s]) queue.push({ stream: s, text: partial[s] });
      ended = true;
      wake?.();
    },
    (err: unknown) => {
      error = (err as NodeJS.ErrnoException)?.code === 'ECONNRESET' || (err as Error)?.message === 'aborted' ? undefined : err;
      ended = true;
      wake?.();
    },
  );
  return {
    close: () => {
      ended = true;
      source.destroy();
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (ended) {
          if (error) throw error;
          return;
        }
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    },
  };
}

async function* messages(res: ApiResponse): AsyncGenerator<JsonMessage> {
  yield* jsonMessages(res);
}

export function clientEngine(options: ClientEngineOptions): ComposeEngine {
  const c = options.client;
  return {
    apiVersion: () => call(c.apiVersion()),

    listContainers: (o) => call(c.containers.list({ all: o.all, size: false, filters: labelFilters(o.labels) })) as Promise<ContainerSummary[]>,
    inspectContainer: (id) => call(c.containers.inspect(id)) as Promise<unknown> as Promise<ContainerInspectView>,
    createContainer: async (request) => {
      const r = await call(c.containers.create(request.body, { name: request.name, ...(request.platform ? { platform: request.platform } : {}) }));
      return { id: r.Id, warnings: r.Warnings ?? [] };
    },
    startContainer: (id) => call(c.containers.start(id)),
    stopContainer: (id, o) => call(c.containers.stop(id, o.timeoutSeconds !== undefined ? { t: o.timeoutSeconds } : {})),
    restartContainer: (id, o) => call(c.containers.restart(id, o.timeoutSeconds !== undefined ? { t: o.timeoutSeconds } : {})),
    killContainer: (id, o) => call(c.containers.kill(id, o.signal ? { signal: o.signal } : {})),
    pauseContainer: (id) => call(c.containers.pause(id)),
    unpauseContainer: (id) => call(c.containers.unpause(id)),
    removeContainer: (id, o) => call(c.containers.remove(id, { force: o.force, v: o.volumes, link: false })),
    renameContainer: (id, name) => call(c.containers.rename(id, name)),
    waitContainer: async (id) => {
      const r = await call(c.containers.wait(id));
      return { exitCode: r.StatusCode };
    },
    putArchive: (id, path, tar) => call(c.archive.put(id, path, tar, { noOverwriteDirNonDir: true, copyUIDGID: true })),
    logs: async (id, o) => {
      const res = await call(
        c.containers.logs(id, {
          stdout: true,
          stderr: true,
          follow: o.follow,
          timestamps: o.timestamps,
          tail: o.tail ?? 'all',
          ...(o.since ? { since: o.since } : {}),
          ...(o.until ? { until: o.until } : {}),
        }),
      );
      return lineStream(res, o.tty);
    },
    attach: async (id, o) => {
      const stream = await call(c.containers.attach(id, { stream: true, stdin: false, stdout: true, stderr: true }));
      return lineStream(stream, o.tty);
    },
    top: (id, psArgs) => call(c.containers.top(id, psArgs)),
    execAndWait: async (id, o) => {
      const { Id } = await call(
        c.exec.create(id, { Cmd: o.cmd, User: o.user ?? '', WorkingDir: o.workingDir ?? '', Env: o.env ?? [], Privileged: !!o.privileged, AttachStdout: true, AttachStderr: true, Tty: false }),
      );
      const stream = await call(c.exec.startAttached(Id, { Detach: false, Tty: false }));
      let output = '';
      await demux(stream as Readable, (_s, data) => void (output = (output + data.toString('utf8')).slice(-2048)), { raw: false }).catch(() => {});
      // The stream ends as the process exits; its exit code lands a moment later.
      for (let i = 0; i < 100; i++) {
        const info = await call(c.exec.inspect(Id));
        if (!info.Running && info.ExitCode !== null) return { exitCode: info.ExitCode, output };
        await new Promise((r) => setTimeout(r, 20));
      }
      return { exitCode: -1, output };
    },

    listNetworks: async (o) => (await call(c.networks.list(labelFilters(o.labels)))).map((n): NetworkView => ({ Id: n.Id, Name: n.Name, Labels: n.Labels ?? null })),
    createNetwork: async (request) => ({ id: (await call(c.networks.create(request))).Id }),
    removeNetwork: (ref) => call(c.networks.remove(ref)),
    connectNetwork: (network, container, endpoint) => call(c.networks.connect(network, { Container: container, EndpointConfig: endpoint } as never)),

    listVolumes: async (o) => ((await call(c.volumes.list(labelFilters(o.labels)))).Volumes ?? []).map((v): VolumeView => ({ Name: v.Name, Labels: v.Labels, Driver: v.Driver })),
    createVolume: async (request) => {
      const v = await call(c.volumes.create(request as never));
      return { Name: v.Name, Labels: v.Labels, Driver: v.Driver };
    },
    removeVolume: (name, o) => call(c.volumes.remove(name, o)),

    inspectImage: async (ref) => {
      try {
        const i = (await c.images.inspect(ref)) as unknown as ImageView & { Metadata?: { LastTagTime?: string } };
        return { Id: i.Id, RepoTags: i.RepoTags, Created: i.Created, Size: i.Size, Config: i.Config, ...(i.Metadata?.LastTagTime ? { LastTagTime: i.Metadata.LastTagTime } : {}) };
      } catch (err) {
        const e = toEngineError(err);
        if (e instanceof EngineError && e.status === 404) return undefined;
        throw e;
      }
    },
    pullImage: async (ref, o) => messages(await call(c.images.pull(ref, { ...(o.platform ? { platform: o.platform } : {}), registryAuth: options.registryAuth(ref) }))),
    pushImage: async (ref) => {
      const at = ref.lastIndexOf(':');
      const slash = ref.lastIndexOf('/');
      const [name, tag] = at > slash ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, 'latest'];
      return messages(await call(c.images.push(name, { tag, registryAuth: options.registryAuth(ref) })));
    },
    buildImage: async (context, o) =>
      messages(
        await call(
          c.images.build(context, {
            tags: o.tags,
            dockerfile: o.dockerfile,
            buildArgs: o.buildArgs ?? {},
            labels: o.labels ?? {},
            cacheFrom: o.cacheFrom ?? [],
            extraHosts: o.extraHosts ?? [],
            quiet: false,
            noCache: o.noCache ?? false,
            pull: o.pull ?? false,
            rm: true,
            forceRm: false,
            ...(o.target ? { target: o.target } : {}),
            ...(o.network ? { networkMode: o.network } : {}),
            ...(o.shmSize ? { shmSize: o.shmSize } : {}),
            ...(o.platform ? { platform: o.platform } : {}),
            ...(o.isolation ? { isolation: o.isolation } : {}),
            registryConfig: (options.registryConfig?.() ?? {}) as Record<string, AuthConfig>,
          }),
        ),
      ),
    removeImage: async (ref, o) => {
      await call(c.images.remove(ref, { force: o.force, noprune: false }));
    },

    events: async (o) => {
      const res = await call(c.system.events({ ...(o.since ? { since: o.since } : {}), ...(o.until ? { until: o.until } : {}), ...(o.filters ? { filters: o.filters } : {}) }));
      const iterator = jsonLines<EventMessage>(res);
      return {
        close: () => res.destroy(),
        async *[Symbol.asyncIterator]() {
          try {
            for await (const e of iterator) yield e as EngineEvent;
          } catch (err) {
            if (!res.destroyed) throw err;
          }
        },
      };
    },
  };
}
