// POST /containers/prune: dockerd's ContainersPrune. Every container that is not running (nor
// restarting) goes, narrowed by `until` (created before) and `label`/`label!`; one that cannot be
// removed is skipped with a warning. The space reclaimed is what their read-write layers held.
import { InvalidArgument } from '../errors/index.ts';
import { parseTimestamp } from '../lib/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { labelMatches } from './list.ts';

const acceptedFilters = new Set(['label', 'label!', 'until']);

export interface ContainersPruneReport {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

export async function pruneContainers(
  ctx: Pick<EngineContext, 'store' | 'layers' | 'events' | 'log' | 'clock'>,
  filters: ReadonlyMap<string, readonly string[]>,
  remove: (c: Container) => Promise<void>,
): Promise<ContainersPruneReport> {
  for (const key of filters.keys()) if (!acceptedFilters.has(key)) throw new InvalidArgument(`invalid filter '${key}'`);
  const untils = filters.get('until') ?? [];
  if (untils.length > 1) throw new InvalidArgument('more than one until filter specified');
  let until: bigint | undefined;
  if (untils.length) {
    try {
      until = parseTimestamp(untils[0], ctx.clock.now());
    } catch (err) {
      throw new InvalidArgument(`${(err as Error).message}`);
    }
  }
  const want = filters.get('label') ?? [];
  const notWant = filters.get('label!') ?? [];
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const c of ctx.store.all()) {
    if (c.state.Running) continue;
    if (until !== undefined && BigInt(Date.parse(c.record.Created)) * 1_000_000n > until) continue;
    const labels = c.record.Config.Labels ?? {};
    if (!want.every((l) => labelMatches(labels, l)) || (notWant.length && notWant.some((l) => labelMatches(labels, l)))) continue;
    const size = await ctx.layers.rwSize(c.id).catch(() => 0);
    try {
      await remove(c);
    } catch (err) {
      ctx.log.warn('failed to prune container', { container: c.id, error: err });
      continue;
    }
    deleted.push(c.id);
    reclaimed += size;
  }
  ctx.events.publish('container', 'prune', '', { reclaimed: String(reclaimed) });
  return { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
}
