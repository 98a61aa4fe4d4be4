// POST /build, /build/prune, /build/cancel: dockerd's classic build protocol. The context tar is
// the request body, streamed to the builder; the response is dockerd's JSON message stream
// (`stream`, `aux` with the image ID, `errorDetail`), begun only once the build has something to
// say, so that a bad request (an unknown instruction, a missing Dockerfile) gets its own status.
// A client that goes away cancels its build.
import type { Readable } from 'node:stream';
import { InvalidArgument, errorMessage } from '../errors/index.ts';
import type { BuildCachePruneReport, JsonMessage } from '../types/index.ts';
import { boolParam, filtersParam, intParam } from './params.ts';
import type { Router } from './router.ts';
import { jsonLine, sendJson } from './json.ts';

export interface BuildRequestParams {
  tags: string[];
  dockerfile: string;
  quiet: boolean;
  noCache: boolean;
  cacheFrom: string[];
  pull: boolean;
  rm: boolean;
  buildArgs: Map<string, string | null>;
  labels: Record<string, string>;
  target: string;
  networkMode: string;
  extraHosts: string[];
  resources: {
    Memory?: number;
    MemorySwap?: number;
    CpuShares?: number;
    CpusetCpus?: string;
    CpusetMems?: string;
    CpuPeriod?: number;
    CpuQuota?: number;
    ShmSize?: number;
    CgroupParent?: string;
  };
  platform: string;
  remote: string;
  registryConfig: Record<string, unknown>;
  secrets: Map<string, Buffer>;
  buildId: string;
}

export interface BuildBackend {
  /** Throws before calling `out` for errors that are the request's; returns the image ID. */
  build(params: BuildRequestParams, body: Readable, out: (m: JsonMessage) => void, signal: AbortSignal): Promise<string>;
  prune(options: { all: boolean; filters: Map<string, string[]>; keepStorage: number }): Promise<BuildCachePruneReport>;
  cancel(buildId: string): void;
}

/** Berth's own header for `berth build --secret`: base64 of {"id": "<base64 value>", …}. */
export const buildSecretsHeader = 'x-berth-build-secrets';

function jsonParam<T>(q: URLSearchParams, name: string, check: (v: unknown) => v is T): T | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
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

export function parseBuildParams(q: URLSearchParams, headers: Record<string, string | string[] | undefined>): BuildRequestParams {
  const version = q.get('version');
  if (version !== null && version !== '' && version !== '1') {
    if (version === '2') throw new InvalidArgument('BuildKit is not supported by this daemon (it builds with the classic /build protocol): build without DOCKER_BUILDKIT=1');
    throw new InvalidArgument(`unsupported builder version ${version}`);
  }
  if (boolParam(q, 'squash')) throw new InvalidArgument('squash is only supported with experimental mode');
  if (q.getAll('securityopt').length > 0) throw new InvalidArgument('The daemon on this platform does not support setting security options on build');
  if (q.get('outputs')) throw new InvalidArgument('outputs are only supported with BuildKit');
  if (q.get('ulimits') && q.get('ulimits') !== '[]' && q.get('ulimits') !== 'null') throw new InvalidArgument('ulimits on build are not supported by this daemon');
  const isolation = q.get('isolation');
  if (isolation && isolation !== 'default') throw new InvalidArgument(`Unsupported isolation: "${isolation}"`);
  if (q.get('session')) throw new InvalidArgument('build sessions (BuildKit) are not supported by this daemon');
  // as dockerd: rm defaults to true, and forcerm implies it (a failed step's container always goes)
  const rm = boolParam(q, 'forcerm') || boolParam(q, 'rm', true);
  const buildArgs = new Map(Object.entries(jsonParam(q, 'buildargs', isStringMap) ?? {}));
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(jsonParam(q, 'labels', isStringMap) ?? {})) labels[k] = v ?? '';
  const shmSize = intParam(q, 'shmsize');
  if (shmSize !== undefined && shmSize <= 0) throw new InvalidArgument('The shm size must be greater than 0');
  const num = (name: string) => intParam(q, name) || undefined;
  const resources: BuildRequestParams['resources'] = {
    ...(num('memory') ? { Memory: num('memory') } : {}),
    ...(num('memswap') ? { MemorySwap: num('memswap') } : {}),
    ...(num('cpushares') ? { CpuShares: num('cpushares') } : {}),
    ...(num('cpuperiod') ? { CpuPeriod: num('cpuperiod') } : {}),
    ...(num('cpuquota') ? { CpuQuota: num('cpuquota') } : {}),
    ...(q.get('cpusetcpus') ? { CpusetCpus: q.get('cpusetcpus')! } : {}),
    ...(q.get('cpusetmems') ? { CpusetMems: q.get('cpusetmems')! } : {}),
    ...(q.get('cgroupparent') ? { CgroupParent: q.get('cgroupparent')! } : {}),
    ...(shmSize ? { ShmSize: shmSize } : {}),
  };
  const secrets = new Map<string, Buffer>();
  for (const [id, value] of Object.entries(decodeHeaderJson(headers[buildSecretsHeader], 'X-Berth-Build-Secrets'))) {
    if (typeof value !== 'string') throw new InvalidArgument(`invalid secret ${id}`);
    secrets.set(id, Buffer.from(value, 'base64'));
  }
  return {
    tags: q.getAll('t').filter((t) => t !== ''),
    dockerfile: q.get('dockerfile') ?? '',
    quiet: boolParam(q, 'q'),
    noCache: boolParam(q, 'nocache'),
    cacheFrom: jsonParam(q, 'cachefrom', isStringList) ?? [],
    pull: boolParam(q, 'pull'),
    rm,
    buildArgs,
    labels,
    target: q.get('target') ?? '',
    networkMode: q.get('networkmode') ?? '',
    extraHosts: q.getAll('extrahosts').flatMap((h) => h.split(',')).filter((h) => h !== ''),
    resources,
    platform: q.get('platform') ?? '',
    remote: q.get('remote') ?? '',
    registryConfig: decodeHeaderJson(headers['x-registry-config'], 'X-Registry-Config'),
    secrets,
    buildId: q.get('buildid') ?? '',
  };
}

export function registerBuildRoutes(router: Router, backend: BuildBackend): void {
  router.post('/build', async (ctx) => {
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
  router.post('/build/prune', async (ctx) => {
    const keepStorage = intParam(ctx.query, 'keep-storage') ?? 0;
    if (keepStorage !== 0) throw new InvalidArgument('keep-storage is not supported by this daemon: prune with filters (until=) instead');
    const result = await backend.prune({ all: boolParam(ctx.query, 'all'), filters: filtersParam(ctx.query), keepStorage });
    sendJson(ctx.res, 200, result);
  });
  router.post('/build/cancel', (ctx) => {
    const id = ctx.query.get('id');
    if (!id) throw new InvalidArgument('build ID not provided');
    backend.cancel(id);
    ctx.res.writeHead(200).end();
  });
}
