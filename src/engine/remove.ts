// DELETE /containers/{id}: the container directory is first renamed out of the store's namespace,
// which is the commit point: after a crash a renamed directory and its layers are swept, never
// half-loaded.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Conflict } from '../errors/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { killContainer } from './kill.ts';
import { releaseMounts, removeAnonymousVolumes } from './mounts.ts';
import { announce } from './announce.ts';

export interface RemoveOptions {
  force: boolean;
  removeVolumes: boolean;
}

export async function removeContainer(ctx: EngineContext, c: Container, options: RemoveOptions): Promise<void> {
  if (c.state.RemovalInProgress) throw new Conflict(`removal of container ${c.name} is already in progress`);
  if (c.state.Running) {
    if (!options.force) {
      const what = c.status; // running, paused or restarting
      throw new Conflict(
        `You cannot remove a ${what} container ${c.id}. ${c.state.Paused ? 'Unpause and then stop' : 'Stop'} the container before attempting removal or force remove`,
      );
    }
    await killContainer(ctx, c, 9);
  }
  ctx.health.stop(c);
  c.record.State.RemovalInProgress = true;
  try {
    if (await ctx.runtime.hasState(c.id)) await ctx.runtime.delete(c.id);
    await ctx.layers.unmountRw(c.id);
    await ctx.network.tearDown(c.id);
    const gone = join(ctx.store.root, `.removing-${c.id}`);
    await fsp.rename(c.dir, gone);
    ctx.store.delete(c);
    await ctx.layers.removeRwLayer(c.id);
    await fsp.rm(gone, { recursive: true, force: true });
  } catch (err) {
    c.record.State.RemovalInProgress = false;
    c.record.State.Dead = ctx.store.find(c.id) === undefined;
    throw err;
  }
  await releaseMounts(ctx, c);
  if (options.removeVolumes) await removeAnonymousVolumes(ctx, c);
  announce(ctx, c, 'destroy');
  c.notifyRemoved();
}
