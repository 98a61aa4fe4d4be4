// POST /containers/{id}/rename
import { InvalidArgument } from '../errors/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { announce } from './announce.ts';

export async function renameContainer(ctx: Pick<EngineContext, 'store' | 'events'>, c: Container, newName: string): Promise<void> {
  if (!newName) throw new InvalidArgument('Neither old nor new names may be empty');
  const bare = newName.replace(/^\//, '');
  const old = c.name;
  if (bare === old) throw new InvalidArgument('Renaming a container with the same name as its current name');
  ctx.store.reserveName(bare, c.id);
  c.record.Name = `/${bare}`;
  try {
    await ctx.store.saveState(c);
  } catch (err) {
    c.record.Name = `/${old}`;
    ctx.store.releaseName(bare);
    throw err;
  }
  ctx.store.releaseName(old);
  announce(ctx, c, 'rename', { oldName: `/${old}` });
}
