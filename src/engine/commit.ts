// POST /commit: a container's changes become an image. The container is paused meanwhile (unless
// asked not to) so the layer is a consistent snapshot; the new config is the container's own with
// the -c changes applied and the container's settings merged in (dockerd's merge()).
import { applyChanges } from '../builder/index.ts';
import { Conflict } from '../errors/index.ts';
import { familiarString, parseReference } from '../image/index.ts';
import type { ContainerConfig } from '../types/index.ts';
import type { Container } from './container.ts';
import type { EngineContext, ImageCommitter } from './context.ts';
import { pauseContainer, unpauseContainer } from './pause.ts';
import { announce } from './announce.ts';

export interface CommitOptions {
  repo?: string;
  tag?: string;
  author?: string;
  comment?: string;
  /** Dockerfile instructions (CMD, ENV, …) applied to the new image's config. */
  changes?: string[];
  /** A config from the request body; the container's when absent. */
  config?: Partial<ContainerConfig> | null;
  pause: boolean;
}

const envKey = (e: string) => e.split('=')[0];

/** dockerd's merge(): what the user's config leaves out comes from the container's. */
export function mergeCommitConfig(user: ContainerConfig, base: ContainerConfig): void {
  if (!user.User) user.User = base.User;
  if (!user.ExposedPorts || Object.keys(user.ExposedPorts).length === 0) {
    if (base.ExposedPorts) user.ExposedPorts = base.ExposedPorts;
  } else if (base.ExposedPorts) {
    for (const p of Object.keys(base.ExposedPorts)) user.ExposedPorts[p] ??= {};
  }
  if (!user.Env || user.Env.length === 0) user.Env = base.Env;
  else for (const e of base.Env ?? []) if (!user.Env.some((u) => envKey(u) === envKey(e))) user.Env.push(e);
  user.Labels ??= {};
  for (const [k, v] of Object.entries(base.Labels ?? {})) if (!(k in user.Labels)) user.Labels[k] = v;
  if (!user.Entrypoint || user.Entrypoint.length === 0) {
    if (!user.Cmd || user.Cmd.length === 0) {
      user.Cmd = base.Cmd;
      if (base.ArgsEscaped !== undefined) user.ArgsEscaped = base.ArgsEscaped;
    }
    if (user.Entrypoint == null) user.Entrypoint = base.Entrypoint;
  }
  if (!user.WorkingDir) user.WorkingDir = base.WorkingDir;
  if (!user.Volumes || Object.keys(user.Volumes).length === 0) user.Volumes = base.Volumes;
  else Object.assign(user.Volumes, base.Volumes ?? {});
  if (!user.StopSignal && base.StopSignal) user.StopSignal = base.StopSignal;
  if (!user.Healthcheck && base.Healthcheck) user.Healthcheck = base.Healthcheck;
}

/** Runs under the container's lock. */
export async function commitContainer(ctx: EngineContext, c: Container, committer: ImageCommitter, options: CommitOptions): Promise<{ Id: string }> {
  if (c.state.RemovalInProgress) throw new Conflict(`You cannot commit container ${c.id} which is being removed`);
  if (c.state.Dead) throw new Conflict(`You cannot commit container ${c.id} which is Dead`);
  const containerConfig = structuredClone(c.record.Config);
  const config: ContainerConfig = structuredClone({ ...containerConfig, ...(options.config ?? {}) }) as ContainerConfig;
  applyChanges(config, options.changes ?? []);
  mergeCommitConfig(config, containerConfig);

  const pause = options.pause && c.state.Running && !c.state.Paused;
  if (pause) await pauseContainer(ctx, c);
  let result: { id: string; ref?: string };
  try {
    result = await committer.commit({
      ...(c.record.Image ? { parentImageId: c.record.Image } : {}),
      diff: ctx.layers.rwDiff(c.id),
      containerId: c.id,
      containerConfig,
      config,
      ...(options.author ? { author: options.author } : {}),
      ...(options.comment ? { comment: options.comment } : {}),
      ...(options.repo ? { repo: options.repo } : {}),
      ...(options.tag ? { tag: options.tag } : {}),
    });
    // dockerd's imageRef: the reference as the user would write it (evimg:1)
    announce(ctx, c, 'commit', { comment: options.comment ?? '', imageID: result.id, imageRef: result.ref ? familiarString(parseReference(result.ref)) : '' });
  } finally {
    if (pause && c.state.Paused) await unpauseContainer(ctx, c).catch((err: unknown) => ctx.log.warn('unpausing after commit failed', { container: c.id, error: err }));
  }
  return { Id: result.id };
}
