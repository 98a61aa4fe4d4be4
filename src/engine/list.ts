// GET /containers/json: docker ps's selection, filters and order.
import { InvalidArgument } from '../errors/index.ts';
import type { ContainerSummary } from '../types/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { summarize } from './inspect.ts';

export interface ListOptions {
  all: boolean;
  /** Show the n most recently created containers (in any state). */
  limit?: number;
  size: boolean;
  filters: Map<string, string[]>;
}

const acceptedFilters = new Set(['id', 'name', 'label', 'status', 'ancestor', 'exited', 'before', 'since', 'health', 'volume', 'network', 'publish', 'expose', 'is-task']);
const statuses = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);
const healthStatuses = new Set(['starting', 'healthy', 'unhealthy', 'none']);

/** `key`, `key=value` or `key!=value` against a container's labels (ps and prune filters). */
export function labelMatches(labels: Record<string, string>, expr: string): boolean {
  const eq = expr.indexOf('=');
  if (eq < 0) return expr in labels;
  const k = expr.slice(0, eq);
  const v = expr.slice(eq + 1);
  if (k.endsWith('!')) return labels[k.slice(0, -1)] !== v;
  return labels[k] === v;
}

export async function listContainers(ctx: Pick<EngineContext, 'store' | 'images' | 'layers' | 'clock'>, options: ListOptions): Promise<ContainerSummary[]> {
  const f = options.filters;
  for (const key of f.keys()) if (!acceptedFilters.has(key)) throw new InvalidArgument(`invalid filter '${key}'`);
  for (const s of f.get('status') ?? []) if (!statuses.has(s)) throw new InvalidArgument(`invalid filter 'status=${s}'`);
  for (const h of f.get('health') ?? []) if (!healthStatuses.has(h)) throw new InvalidArgument(`Unrecognised filter value for health: ${h}`);
  const exited = (f.get('exited') ?? []).map((v) => {
    if (!/^-?\d+$/.test(v)) throw new InvalidArgument(`invalid filter 'exited=${v}'`);
    return Number(v);
  });

  let list = ctx.store.all().sort((a, b) => Date.parse(b.record.Created) - Date.parse(a.record.Created) || b.id.localeCompare(a.id));
  const since = (f.get('since') ?? []).map((ref) => ctx.store.get(ref));
  const before = (f.get('before') ?? []).map((ref) => ctx.store.get(ref));
  const ancestors = (f.get('ancestor') ?? []).map((ref) => {
    try {
      return ctx.images.resolve(ref).id;
    } catch {
      return ref;
    }
  });

  const created = (c: Container) => Date.parse(c.record.Created);
  list = list.filter((c) => {
    if (since.some((s) => created(c) <= created(s) || c === s)) return false;
    if (before.some((b) => created(c) >= created(b) || c === b)) return false;
    return true;
  });
  const hasFilters = f.size > 0;
  if (options.limit !== undefined && options.limit > 0) list = list.slice(0, options.limit);
  else if (!options.all && !f.has('status') && !f.has('exited')) list = list.filter((c) => c.state.Running);

  list = list.filter((c) => {
    if (!hasFilters) return true;
    const ids = f.get('id');
    if (ids && !ids.some((p) => c.id.startsWith(p))) return false;
    const names = f.get('name');
    if (names && !names.some((n) => safeRegex(n).test(c.record.Name) || safeRegex(n).test(c.name))) return false;
    const labels = f.get('label');
    if (labels && !labels.every((l) => labelMatches(c.record.Config.Labels ?? {}, l))) return false;
    const st = f.get('status');
    if (st && !st.includes(c.status)) return false;
    if (exited.length && (c.status !== 'exited' || !exited.includes(c.state.ExitCode))) return false;
    const health = f.get('health');
    if (health && !health.includes(c.state.Health?.Status ?? 'none')) return false;
    if (ancestors.length && !ancestors.some((a) => c.record.Image === a || c.record.Config.Image === a)) return false;
    return true;
  });
  const now = ctx.clock.now().getTime();
  return Promise.all(list.map((c) => summarize(ctx, c, { size: options.size, now })));
}

function safeRegex(s: string): RegExp {
  try {
    return new RegExp(s);
  } catch {
    return new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}
