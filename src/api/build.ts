// POST /build, /build/prune, /build/cancel: dockerd's classic build protocol. The context tar is
// the request body, streamed to the builder; the response is dockerd's JSON message stream
// (`stream`, `aux` with the image ID, `errorDetail`), begun only once the build has something to
// say, so that a bad request (an unknown instruction, a missing Dockerfile) gets its own status.
// A client that goes away cancels its build.
import type { Readable } from 'node:stream';
import { InvalidArgument, errorMessage } from '../errors/index.ts';
import type { BuildCachePruneReport, JsonMessage } from '../types/index.ts';
import { jsonLine, sendJson } from './json.ts';
import type { BuildParams } from '../builder-backend/index.ts';
import { q, type QueryOf } from './query.ts';
import type { Router } from './router.ts';

/** The parameters of one build, as the build service takes them. */
export type BuildRequestParams = BuildParams;

export interface BuildBackend {
  /** Throws before calling `out` for errors that are the request's; returns the image ID. */
  build(params: BuildRequestParams, body: Readable, out: (m: JsonMessage) => void, signal: AbortSignal): Promise<string>;
  prune(options: { all: boolean; filters: Map<string, string[]>; keepStorage: number }): Promise<BuildCachePruneReport>;
  cancel(buildId: string): void;
}

/** Berth's own header for `berth build --secret`: base64 of {"id": "<base64 value>", …}. */
export const buildSecretsHeader = 'x-berth-build-secrets';

/**
 * Every parameter dockerd's classic builder reads: those Berth carries out, and those it reads
 * only to refuse (squash, securityopt, outputs, ulimits, isolation, session, version=2).
 */
export const buildQuery = {
  dockerfile: q.string(),
  t: q.strings(),
  extrahosts: q.strings(),
  remote: q.string(),
  q: q.bool(),
  nocache: q.bool(),
  cachefrom: q.string(),
  pull: q.bool(),
  rm: q.bool(true),
  forcerm: q.bool(),
  memory: q.int(),
  memswap: q.int(),
  cpushares: q.int(),
  cpusetcpus: q.string(),
  cpusetmems: q.string(),
  cpuperiod: q.int(),
  cpuquota: q.int(),
  cgroupparent: q.string(),
  buildargs: q.string(),
  shmsize: q.int(),
  squash: q.bool(),
  labels: q.string(),
  networkmode: q.string(),
  platform: q.string(),
  target: q.string(),
  outputs: q.string(),
  version: q.string(),
  securityopt: q.strings(),
  ulimits: q.string(),
  isolation: q.string(),
  session: q.string(),
  buildid: q.string(),
};

export type BuildQuery = QueryOf<typeof buildQuery>;

function jsonParam<T>(raw: string | undefined, name: string, check: (v: unknown) => v is T): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw new InvalidArgument(`invalid ${name} value: ${(err as Error).message}`);
  }
  if (v === null) return undefined;
  if (!check(v)) throw new InvalidArgument(`invalid ${name} value: ${raw}`);
  return v;
}

const isStringMap = (v: unknown): v is Record<string, string | null> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => x === null || typeof x === 'string');
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function decodeHeaderJson(value: string | string[] | undefined, name: string): Record<string, unknown> {
  if (typeof value !== 'string' || value === '') return {};
  try {
    const v = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    throw new InvalidArgument(`invalid ${name} header`);
  }
}

export function parseBuildParams(query: BuildQuery, headers: Record<string, string | string[] | undefined>): BuildRequestParams {
  const version = query.version;
  if (version !== undefined && version !== '' && version !== '1') {
    if (version === '2') throw new InvalidArgument('BuildKit is not supported by this daemon (it builds with the classic /build protocol): build without DOCKER_BUILDKIT=1');
    throw new InvalidArgument(`unsupported builder version ${version}`);
  }
  if (query.squash) throw new InvalidArgument('squash is only supported with experimental mode');
  if (query.securityopt.length > 0) throw new InvalidArgument('The daemon on this platform does not support setting security options on build');
  if (query.outputs) throw new InvalidArgument('outputs are only supported with BuildKit');
  if (query.ulimits && query.ulimits !== '[]' && query.ulimits !== 'null') throw new InvalidArgument('ulimits on build are not supported by this daemon');
  if (query.isolation && query.isolation !== 'default') throw new InvalidArgument(`Unsupported isolation: "${query.isolation}"`);
  if (query.session) throw new InvalidArgument('build sessions (BuildKit) are not supported by this daemon');
  // as dockerd: rm defaults to true, and forcerm implies it (a failed step's container always goes)
  const rm = query.forcerm || query.rm;
  const buildArgs = new Map(Object.entries(jsonParam(query.buildargs, 'buildargs', isStringMap) ?? {}));
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(jsonParam(query.labels, 'labels', isStringMap) ?? {})) labels[k] = v ?? '';
  if (query.shmsize !== undefined && query.shmsize <= 0) throw new InvalidArgument('The shm size must be greater than 0');
  const resources: BuildRequestParams['resources'] = {
    ...(query.memory ? { Memory: query.memory } : {}),
    ...(query.memswap ? { MemorySwap: query.memswap } : {}),
    ...(query.cpushares ? { CpuShares: query.cpushares } : {}),
    ...(query.cpuperiod ? { CpuPeriod: query.cpuperiod } : {}),
    ...(query.cpuquota ? { CpuQuota: query.cpuquota } : {}),
    ...(query.cpusetcpus ? { CpusetCpus: query.cpusetcpus } : {}),
    ...(query.cpusetmems ? { CpusetMems: query.cpusetmems } : {}),
    ...(query.cgroupparent ? { CgroupParent: query.cgroupparent } : {}),
    ...(query.shmsize ? { ShmSize: query.shmsize } : {}),
  };
  const secrets = new Map<string, Buffer>();
  for (const [id, value] of Object.entries(decodeHeaderJson(headers[buildSecretsHeader], 'X-Berth-Build-Secrets'))) {
    if (typeof value !== 'string') throw new InvalidArgument(`invalid secret ${id}`);
    secrets.set(id, Buffer.from(value, 'base64'));
  }
  return {
    tags: query.t.filter((t) => t !== ''),
    dockerfile: query.dockerfile ?? '',
    quiet: query.q,
    noCache: query.nocache,
    cacheFrom: jsonParam(query.cachefrom, 'cachefrom', isStringList) ?? [],
    pull: query.pull,
    rm,
    buildArgs,
    labels,
    target: query.target ?? '',
    networkMode: query.networkmode ?? '',
    extraHosts: query.extrahosts.flatMap((h) => h.split(',')).filter((h) => h !== ''),
    resources,
    platform: query.platform ?? '',
    remote: query.remote ?? '',
    registryConfig: decodeHeaderJson(headers['x-registry-config'], 'X-Registry-Config'),
    secrets,
    buildId: query.buildid ?? '',
  };
}

export function registerBuildRoutes(router: Router, backend: BuildBackend): void {
  router.post('/build', { query: buildQuery, body: 'stream' }, async (ctx) => {
    const params = parseBuildParams(ctx.query, ctx.req.headers);
    const res = ctx.res;
    let started = false;
    const out = (m: JsonMessage) => {
      if (!started) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        started = true;
      }
      if (!res.destroyed) res.write(jsonLine(m));
    };
    try {
      await backend.build(params, ctx.bodyStream(), out, ctx.signal);
      if (!started) res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end();
    } catch (err) {
      if (!started) throw err;
      const code = (err as { code?: unknown }).code;
      res.end(jsonLine({ errorDetail: { ...(typeof code === 'number' ? { code } : {}), message: errorMessage(err) }, error: errorMessage(err) }));
    }
  });
  router.post('/build/prune', { query: { 'keep-storage': q.int(), all: q.bool(), filters: q.filters() }, body: 'none' }, async (ctx) => {
    const keepStorage = ctx.query['keep-storage'] ?? 0;
    if (keepStorage !== 0) throw new InvalidArgument('keep-storage is not supported by this daemon: prune with filters (until=) instead');
    const result = await backend.prune({ all: ctx.query.all, filters: ctx.query.filters, keepStorage });
    sendJson(ctx.res, 200, result);
  });
  router.post('/build/cancel', { query: { id: q.string() }, body: 'none' }, (ctx) => {
    const id = ctx.query.id;
    if (!id) throw new InvalidArgument('build ID not provided');
    backend.cancel(id);
    ctx.res.writeHead(200).end();
  });
}
