// POST /containers/{id}/update: new resource limits (and restart policy) for a container, as
// dockerd's ContainerUpdate does it — checked, merged into the HostConfig and saved, then applied
// to the running container's cgroup. A failure to apply restores and saves the old HostConfig; a
// stopped container keeps the new values for its next start.
import { Conflict, SystemError, errorMessage } from '../errors/index.ts';
import { updateResources } from '../runtime/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { announce } from './announce.ts';
import { cgroupsPathOf, validationContext } from './governance.ts';
import { mergeResourceUpdate, verifyHostConfig, type HostConfigRequest } from './host-config-validate.ts';
import { updateRestartPolicy } from './restart.ts';

export async function updateContainer(
  ctx: Pick<EngineContext, 'store' | 'cgroups' | 'host' | 'config' | 'events'>,
  c: Container,
  request: HostConfigRequest,
): Promise<{ Warnings: string[] | null }> {
  const { hostConfig: checked, warnings } = verifyHostConfig(request, validationContext(ctx), { update: true });
  const cannot = (reason: string) => `Cannot update container ${c.id}: ${reason}`;
  if (c.state.RemovalInProgress || c.state.Dead) throw new Conflict(cannot('container is marked for removal and cannot be "update"'));
  const before = c.hostConfig;
  c.hostConfig = mergeResourceUpdate(c.id, before, checked);
  try {
    // the restart policy's checks and rules are the restart manager's (restart.ts)
    if (checked.RestartPolicy) updateRestartPolicy(c, checked.RestartPolicy);
  } catch (err) {
    c.hostConfig = before;
    throw err;
  }
  try {
    await ctx.store.save(c);
    if (c.state.Running && !c.state.Restarting) await ctx.cgroups.update(cgroupsPathOf(ctx, c), updateResources(checked));
  } catch (err) {
    c.hostConfig = before;
    await ctx.store.save(c).catch(() => {});
    throw new SystemError(cannot(errorMessage(err)), { cause: err });
  }
  announce(ctx, c, 'update');
  // dockerd's nil slice when there is nothing to say
  return { Warnings: warnings.length ? warnings : null };
}
