// GET /containers/{id}/export: the container's whole file system (image and changes, as mounted)
// as one tar stream, for `docker export` and then `docker import`.
import type { Readable } from 'node:stream';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';

export interface ContainerExporter {
  /** The mounted file system as a tar; the mount is held until the stream closes. */
  exportTar(containerId: string): Promise<Readable>;
}

export async function exportContainer(ctx: EngineContext, c: Container, exporter: ContainerExporter): Promise<Readable> {
  const stream = await exporter.exportTar(c.id);
  ctx.events.publish('container', 'export', c.id, { image: c.record.Config.Image, name: c.name });
  return stream;
}
