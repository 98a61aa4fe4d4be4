// /containers/*: translation between the wire format and the container engine, and the two
// verbs that turn a container's file system into something else: export (a tar) and commit
// (an image; POST /commit).
import type { Readable } from 'node:stream';
import { InvalidArgument } from '../errors/index.ts';
import { parseUnixTimestamp } from '../lib/index.ts';
import { rfc3339NanoFixed } from '../logging/index.ts';
import type { AttachOptions, AttachSession, ListOptions, LogOptions, LogRecord, OutputWriter, RemoveOptions, WaitCondition } from '../engine/index.ts';
import type { ContainerConfig, ContainerSummary, CreateContainerRequest } from '../types/index.ts';
import { jsonText, sendJson } from './json.ts';
import { boolParam, filtersParam, intParam } from './params.ts';
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
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${queryEscape(k)}=${queryEscape(v)}`)
    .join(',');
}

function timeParamNs(q: URLSearchParams, name: string): bigint | undefined {
  const v = q.get(name);
  if (!v || v === '0') return undefined;
  return parseUnixTimestamp(v);
}

export function registerContainerRoutes(router: Router, backend: ContainersBackend): void {
  router.post('/containers/create', async (ctx) => {
    const body = await ctx.json<CreateContainerRequest>();
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidArgument('invalid JSON: expected an object');
    const name = ctx.query.get('name') || undefined;
    sendJson(ctx.res!, 201, await backend.create(body, { ...(name ? { name } : {}) }));
  });
  router.get('/containers/json', async (ctx) => {
    const q = ctx.query;
    const limit = intParam(q, 'limit');
    const list = await backend.list({
      all: boolParam(q, 'all'),
      ...(limit !== undefined ? { limit } : {}),
      size: boolParam(q, 'size'),
      filters: filtersParam(q),
    });
    sendJson(ctx.res!, 200, list);
  });
  router.get('/containers/:id/json', async (ctx) => {
    sendJson(ctx.res!, 200, await backend.inspect(ctx.params.id, { size: boolParam(ctx.query, 'size') }));
  });
  router.post('/containers/:id/start', async (ctx) => {
    await backend.start(ctx.params.id);
    ctx.res!.writeHead(204).end();
  });
  const stopOptions = (q: URLSearchParams) => {
    const t = intParam(q, 't');
    const signal = q.get('signal') || undefined;
    return { ...(t !== undefined ? { timeout: t } : {}), ...(signal ? { signal } : {}) };
  };
  router.post('/containers/:id/stop', async (ctx) => {
    await backend.stop(ctx.params.id, stopOptions(ctx.query));
    ctx.res!.writeHead(204).end();
  });
  router.post('/containers/:id/restart', async (ctx) => {
    await backend.restart(ctx.params.id, stopOptions(ctx.query));
    ctx.res!.writeHead(204).end();
  });
  router.post('/containers/:id/kill', async (ctx) => {
    await backend.kill(ctx.params.id, ctx.query.get('signal') || undefined);
    ctx.res!.writeHead(204).end();
  });
  router.delete('/containers/:id', async (ctx) => {
    await backend.remove(ctx.params.id, { force: boolParam(ctx.query, 'force'), removeVolumes: boolParam(ctx.query, 'v') });
    ctx.res!.writeHead(204).end();
  });
  router.post('/containers/:id/rename', async (ctx) => {
    await backend.rename(ctx.params.id, ctx.query.get('name') ?? '');
    ctx.res!.writeHead(204).end();
  });
  router.post('/containers/:id/resize', async (ctx) => {
    const h = intParam(ctx.query, 'h') ?? 0;
    const w = intParam(ctx.query, 'w') ?? 0;
    await backend.resize(ctx.params.id, { height: h, width: w });
    ctx.res!.writeHead(200).end();
  });
  router.post('/containers/:id/wait', async (ctx) => {
    const condition = (ctx.query.get('condition') || 'not-running') as WaitCondition;
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new InvalidArgument(`invalid condition: "${condition}"`);
    // Register the waiter, then send the head: the client starts the container once it has it.
    const result = backend.wait(ctx.params.id, condition, ctx.signal);
    const res = ctx.res!;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    try {
      res.end(jsonText(await result));
    } catch {
      res.destroy();
    }
  });
  router.get('/containers/:id/logs', async (ctx) => {
    const q = ctx.query;
    const stdout = boolParam(q, 'stdout');
    const stderr = boolParam(q, 'stderr');
    if (!stdout && !stderr) throw new InvalidArgument('Bad parameters: you must choose at least one stream');
    const tailRaw = q.get('tail');
    const tail = tailRaw && tailRaw !== 'all' ? Number.parseInt(tailRaw, 10) : undefined;
    const sinceNs = timeParamNs(q, 'since');
    const untilNs = timeParamNs(q, 'until');
    const options: LogOptions = {
      stdout,
      stderr,
      follow: boolParam(q, 'follow'),
      ...(sinceNs !== undefined ? { sinceNs } : {}),
      ...(untilNs !== undefined ? { untilNs } : {}),
      ...(tail !== undefined && !Number.isNaN(tail) && tail >= 0 ? { tail } : {}),
    };
    const tty = backend.isTty(ctx.params.id);
    const timestamps = boolParam(q, 'timestamps');
    const details = boolParam(q, 'details');
    const records = backend.logs(ctx.params.id, options, ctx.signal);
    const res = ctx.res!;
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
  router.post('/containers/:id/attach', async (ctx) => {
    const q = ctx.query;
    const tty = backend.isTty(ctx.params.id);
    const options: AttachOptions = {
      stdin: boolParam(q, 'stdin'),
      stdout: boolParam(q, 'stdout'),
      stderr: boolParam(q, 'stderr'),
      logs: boolParam(q, 'logs'),
      stream: boolParam(q, 'stream'),
    };
    if (options.stdin) options.detachKeys = detachKeysParam(q.get('detachKeys'));
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
  router.post('/containers/:id/pause', async (ctx) => {
    await backend.pause(ctx.params.id);
    ctx.res!.writeHead(204).end();
  });
  router.post('/containers/:id/unpause', async (ctx) => {
    await backend.unpause(ctx.params.id);
    ctx.res!.writeHead(204).end();
  });
  router.get('/containers/:id/top', async (ctx) => {
    sendJson(ctx.res!, 200, await backend.top(ctx.params.id, ctx.query.get('ps_args') ?? ''));
  });
}

export function registerContainerSnapshotRoutes(router: Router, backend: ContainerSnapshotBackend): void {
  router.get('/containers/:id/export', async (ctx) => {
    await sendTar(ctx, await backend.export(ctx.params.id));
  });
  router.post('/commit', async (ctx) => {
    const q = ctx.query;
    const container = q.get('container');
    if (!container) throw new InvalidArgument('No container name or ID supplied');
    const body = await ctx.json<Partial<ContainerConfig> | null>();
    const config = body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length ? body : null;
    const result = await backend.commit(container, {
      ...(q.get('repo') ? { repo: q.get('repo')! } : {}),
      ...(q.get('tag') ? { tag: q.get('tag')! } : {}),
      ...(q.get('author') ? { author: q.get('author')! } : {}),
      ...(q.get('comment') ? { comment: q.get('comment')! } : {}),
      changes: q.getAll('changes'),
      config,
      pause: boolParam(q, 'pause', true),
    });
    sendJson(ctx.res!, 201, result);
  });
}
