// GET /containers/{id}/export: the container's whole file system (image and changes, as mounted)
// as one tar stream, for `docker export` and then `docker import`.
import type { Readable } from 'node:stream';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { announce } from './announce.ts';

export async function exportContainer(ctx: Pick<EngineContext, 'layers' | 'events'>, c: Container): Promise<Readable> {
  const stream = await ctx.layers.exportRw(c.id);
  announce(ctx, c, 'export');
  return stream;
}
