// /containers/*: translation between the wire format and the container engine, and the two
// verbs that turn a container's file system into something else: export (a tar) and commit
// (an image; POST /commit).
import type { Readable } from 'node:stream';
import { InvalidArgument } from '../errors/index.ts';
import { byteOrder, parseUnixTimestamp } from '../lib/index.ts';
import { rfc3339NanoFixed } from '../logging/index.ts';
import type { AttachOptions, AttachSession, ContainersPruneReport, HostConfigRequest, ListOptions, LogOptions, LogRecord, OutputWriter, RemoveOptions, StatsOptions, WaitCondition } from '../engine/index.ts';
import { containerConfig, containerConfigFields, go, hostConfig, networkingConfig, signalProblem, updateConfig } from '../schema/index.ts';
import { encodeStats, type StatsJson } from '../stats/index.ts';
import type { ContainerConfig, ContainerSummary, CreateContainerRequest } from '../types/index.ts';
import { jsonText, sendJson } from './json.ts';
import { apiVersionAtLeast, q } from './query.ts';
import type { Router } from './router.ts';
import { detachKeysParam, pumpSession } from './session.ts';
import { frame, frameHeader, sendTar, streamContentType, writeAsync } from './stream.ts';

export interface ContainersBackend {
  create(req: CreateContainerRequest, options: { name?: string }): Promise<{ Id: string; Warnings: string[] }>;
  list(options: ListOptions): Promise<ContainerSummary[]>;
  inspect(ref: string, options: { size?: boolean }): Promise<Record<string, unknown>>;
  start(ref: string): Promise<void>;
  stop(ref: string, options: { timeout?: number; signal?: string }): Promise<void>;
  restart(ref: string, options: { timeout?: number; signal?: string }): Promise<void>;
  kill(ref: string, signal?: string): Promise<void>;
  remove(ref: string, options: RemoveOptions): Promise<void>;
  rename(ref: string, name: string): Promise<void>;
  wait(ref: string, condition: WaitCondition, signal?: AbortSignal): Promise<{ StatusCode: number; Error: { Message: string } | null }>;
  /** Throws (before the first entry) when the container's log driver keeps no log. */
  logs(ref: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogRecord[]>;
  attach(ref: string, options: AttachOptions, write: OutputWriter): Promise<AttachSession>;
  resize(ref: string, size: { height: number; width: number }): Promise<void>;
  /** Whether the container has a tty (its streams are then raw, not multiplexed). */
  isTty(ref: string): boolean;
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
  top(ref: string, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  update(ref: string, request: HostConfigRequest): Promise<{ Warnings: string[] | null }>;
  /** Throws (NotFound…) before yielding when the container cannot be reported on. */
  stats(ref: string, options: StatsOptions, signal?: AbortSignal): AsyncGenerator<StatsJson>;
  prune(filters: Map<string, string[]>): Promise<ContainersPruneReport>;
}

/** export and commit: a container's file system as a tar, or as a new image. */
export interface ContainerSnapshotBackend {
  export(ref: string): Promise<Readable>;
  commit(
    ref: string,
    options: {
      repo?: string;
      tag?: string;
      author?: string;
      comment?: string;
      changes: string[];
      config: Partial<ContainerConfig> | null;
      pause: boolean;
    },
  ): Promise<{ Id: string }>;
}

/** Go's url.QueryEscape: unreserved characters kept, space as '+', everything else %XX. */
function queryEscape(s: string): string {
  return [...Buffer.from(s)].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : b === 0x20 ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** `logs --details`: the entry's attributes as key=value pairs, sorted, comma-separated. */
function detailsText(attrs: ReadonlyArray<[string, string]> | undefined): string {
  return [...(attrs ?? [])]
    .sort(([a], [b]) => byteOrder(a, b))
    .map(([k, v]) => `${queryEscape(k)}=${queryEscape(v)}`)
    .join(',');
}

function timeParamNs(v: string | undefined): bigint | undefined {
  if (!v || v === '0') return undefined;
  return parseUnixTimestamp(v);
}

/** POST /containers/create's body: container.Config with the host and network settings beside it. */
const createBody = go.struct('runconfig.ContainerConfigWrapper', {
  ...containerConfigFields,
  HostConfig: hostConfig,
  NetworkingConfig: networkingConfig,
  Platform: go.string(),
});

const none = { query: {}, body: 'none' } as const;
const stopQuery = { t: q.int(), signal: q.string({ check: signalProblem }) };
/** A terminal's size: the kernel's winsize holds unsigned shorts. */
const ttySize = { h: q.int({ min: 0, max: 65535 }), w: q.int({ min: 0, max: 65535 }) };
const waitConditions = ['not-running', 'next-exit', 'removed'];

export function registerContainerRoutes(router: Router, backend: ContainersBackend): void {
  router.post('/containers/create', { query: { name: q.string() }, body: createBody }, async (ctx) => {
    const name = ctx.query.name || undefined;
    sendJson(ctx.res, 201, await backend.create(ctx.body, { ...(name ? { name } : {}) }));
  });
  router.get('/containers/json', { query: { all: q.bool(), limit: q.int(), size: q.bool(), filters: q.filters() }, body: 'none' }, async (ctx) => {
    const { all, limit, size, filters } = ctx.query;
    sendJson(ctx.res, 200, await backend.list({ all, ...(limit !== undefined ? { limit } : {}), size, filters }));
  });
  router.post('/containers/prune', { query: { filters: q.filters() }, body: 'none' }, async (ctx) => {
    sendJson(ctx.res, 200, await backend.prune(ctx.query.filters));
  });
  router.get('/containers/:id/json', { query: { size: q.bool() }, body: 'none' }, async (ctx) => {
    sendJson(ctx.res, 200, await backend.inspect(ctx.params.id, { size: ctx.query.size }));
  });
  router.post('/containers/:id/start', none, async (ctx) => {
    await backend.start(ctx.params.id);
    ctx.res.writeHead(204).end();
  });
  const stopOptions = ({ t, signal }: { t: number | undefined; signal: string | undefined }) => ({
    ...(t !== undefined ? { timeout: t } : {}),
    ...(signal ? { signal } : {}),
  });
  router.post('/containers/:id/stop', { query: stopQuery, body: 'none' }, async (ctx) => {
    await backend.stop(ctx.params.id, stopOptions(ctx.query));
    ctx.res.writeHead(204).end();
  });
  router.post('/containers/:id/restart', { query: stopQuery, body: 'none' }, async (ctx) => {
    await backend.restart(ctx.params.id, stopOptions(ctx.query));
    ctx.res.writeHead(204).end();
  });
  router.post('/containers/:id/kill', { query: { signal: q.string({ check: signalProblem }) }, body: 'none' }, async (ctx) => {
    await backend.kill(ctx.params.id, ctx.query.signal || undefined);
    ctx.res.writeHead(204).end();
  });
  router.delete('/containers/:id', { query: { force: q.bool(), v: q.bool() }, body: 'none' }, async (ctx) => {
    await backend.remove(ctx.params.id, { force: ctx.query.force, removeVolumes: ctx.query.v });
    ctx.res.writeHead(204).end();
  });
  router.post('/containers/:id/rename', { query: { name: q.string() }, body: 'none' }, async (ctx) => {
    await backend.rename(ctx.params.id, ctx.query.name ?? '');
    ctx.res.writeHead(204).end();
  });
  router.post('/containers/:id/resize', { query: ttySize, body: 'none' }, async (ctx) => {
    await backend.resize(ctx.params.id, { height: ctx.query.h ?? 0, width: ctx.query.w ?? 0 });
    ctx.res.writeHead(200).end();
  });
  const waitQuery = { condition: q.string({ check: (v) => (v === '' || waitConditions.includes(v) ? undefined : `invalid condition: "${v}"`) }) };
  router.post('/containers/:id/wait', { query: waitQuery, body: 'none' }, async (ctx) => {
    const condition = (ctx.query.condition || 'not-running') as WaitCondition;
    // Register the waiter, then send the head: the client starts the container once it has it.
    const result = backend.wait(ctx.params.id, condition, ctx.signal);
    const res = ctx.res;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    try {
      res.end(jsonText(await result));
    } catch {
      res.destroy();
    }
  });
  const logsQuery = {
    stdout: q.bool(),
    stderr: q.bool(),
    follow: q.bool(),
    timestamps: q.bool(),
    details: q.bool(),
    since: q.string(),
    until: q.string(),
    tail: q.string(),
  };
  router.get('/containers/:id/logs', { query: logsQuery, body: 'none' }, async (ctx) => {
    const { stdout, stderr, follow, timestamps, details } = ctx.query;
    if (!stdout && !stderr) throw new InvalidArgument('Bad parameters: you must choose at least one stream');
    const tailRaw = ctx.query.tail;
    const tail = tailRaw && tailRaw !== 'all' ? Number.parseInt(tailRaw, 10) : undefined;
    const sinceNs = timeParamNs(ctx.query.since);
    const untilNs = timeParamNs(ctx.query.until);
    const options: LogOptions = {
      stdout,
      stderr,
      follow,
      ...(sinceNs !== undefined ? { sinceNs } : {}),
      ...(untilNs !== undefined ? { untilNs } : {}),
      ...(tail !== undefined && !Number.isNaN(tail) && tail >= 0 ? { tail } : {}),
    };
    const tty = backend.isTty(ctx.params.id);
    const records = backend.logs(ctx.params.id, options, ctx.signal);
    const res = ctx.res;
    res.writeHead(200, { 'Content-Type': streamContentType(ctx.version, tty) });
    // a follower sees the stream open at once; otherwise the headers go with the entries and
    // the end, in as few writes as there are batches (one for a --tail)
    if (options.follow) res.flushHeaders();
    let held: Buffer | undefined;
    try {
      for await (const batch of records) {
        // dockerd's WriteLogStream framing, details (attrs) and time first
        const parts: Buffer[] = [];
        for (const rec of batch) {
          let prefix = details ? `${detailsText(rec.attrs)} ` : '';
          if (timestamps) prefix = `${rfc3339NanoFixed(rec.time)} ${prefix}`;
          const size = rec.data.length + Buffer.byteLength(prefix);
          if (!tty) parts.push(frameHeader(rec.stream, size));
          if (prefix) parts.push(Buffer.from(prefix));
          parts.push(rec.data);
        }
        const data = Buffer.concat(parts);
        if (options.follow) await writeAsync(res, data);
        else {
          if (held) await writeAsync(res, held);
          held = data;
        }
      }
      if (held) res.end(held);
      else res.end();
    } catch {
      res.destroy();
    }
  });
  const attachQuery = { stdin: q.bool(), stdout: q.bool(), stderr: q.bool(), logs: q.bool(), stream: q.bool(), detachKeys: q.string() };
  router.post('/containers/:id/attach', { query: attachQuery, body: 'none' }, async (ctx) => {
    const { detachKeys, ...streams } = ctx.query;
    const tty = backend.isTty(ctx.params.id);
    const options: AttachOptions = { ...streams };
    if (options.stdin) options.detachKeys = detachKeysParam(detachKeys);
    const conn = await ctx.hijack(streamContentType(ctx.version, tty));
    const write: OutputWriter = (stream, data) => writeAsync(conn, tty ? data : frame(stream, data));
    let session: AttachSession;
    try {
      session = await backend.attach(ctx.params.id, options, write);
    } catch (err) {
      conn.destroy(err as Error);
      return;
    }
    await pumpSession(conn, session, { stdin: options.stdin });
  });
  router.post('/containers/:id/pause', none, async (ctx) => {
    await backend.pause(ctx.params.id);
    ctx.res.writeHead(204).end();
  });
  router.post('/containers/:id/unpause', none, async (ctx) => {
    await backend.unpause(ctx.params.id);
    ctx.res.writeHead(204).end();
  });
  router.get('/containers/:id/top', { query: { ps_args: q.string() }, body: 'none' }, async (ctx) => {
    sendJson(ctx.res, 200, await backend.top(ctx.params.id, ctx.query.ps_args ?? ''));
  });
  router.post('/containers/:id/update', { query: {}, body: updateConfig }, async (ctx) => {
    sendJson(ctx.res, 200, await backend.update(ctx.params.id, ctx.body as HostConfigRequest));
  });
  router.get('/containers/:id/stats', { query: { stream: q.bool(true), 'one-shot': q.bool() }, body: 'none' }, async (ctx) => {
    const { stream } = ctx.query;
    // one-shot arrived with API 1.41; older clients always get the two-reading report.
    const oneShot = apiVersionAtLeast(ctx.version, 1, 41) && ctx.query['one-shot'];
    if (stream && oneShot) throw new InvalidArgument('cannot have stream=true and one-shot=true');
    const frames = backend.stats(ctx.params.id, { stream, oneShot }, ctx.signal);
    const res = ctx.res;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    try {
      for await (const s of frames) await writeAsync(res, `${encodeStats(s)}\n`);
      res.end();
    } catch {
      res.destroy();
    }
  });
}

export function registerContainerSnapshotRoutes(router: Router, backend: ContainerSnapshotBackend): void {
  router.get('/containers/:id/export', none, async (ctx) => {
    await sendTar(ctx, await backend.export(ctx.params.id));
  });
  const commitQuery = { container: q.string(), repo: q.string(), tag: q.string(), author: q.string(), comment: q.string(), changes: q.strings(), pause: q.bool(true) };
  router.post('/commit', { query: commitQuery, body: containerConfig }, async (ctx) => {
    const { container, repo, tag, author, comment, changes, pause } = ctx.query;
    if (!container) throw new InvalidArgument('No container name or ID supplied');
    const config = Object.keys(ctx.body).length ? ctx.body : null;
    const result = await backend.commit(container, {
      ...(repo ? { repo } : {}),
      ...(tag ? { tag } : {}),
      ...(author ? { author } : {}),
      ...(comment ? { comment } : {}),
      changes,
      config,
      pause,
    });
    sendJson(ctx.res, 201, result);
  });
}
