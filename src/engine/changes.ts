// GET /containers/{id}/changes (`diff`): what the container changed relative to its image, from
// its read-write layer's upper directory (whiteouts are deletions), in dockerd's shape.
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';

/** dockerd's archive.ChangeType: 0 modified, 1 added, 2 deleted. */
const kinds = { C: 0, A: 1, D: 2 } as const;

export async function containerChanges(ctx: Pick<EngineContext, 'layers'>, c: Container): Promise<Array<{ Path: string; Kind: 0 | 1 | 2 }> | null> {
  const list = await ctx.layers.rwChanges(c.id);
  if (list.length === 0) return null;
  return list.map((ch) => ({ Path: ch.path, Kind: kinds[ch.kind] }));
}
