// compose down, start, stop, restart, kill, rm, pause and unpause: the project from its files or
// by name, then src/compose's operation.
import { downProject, killProject, pauseProject, removeStopped, restartProject, startProject, stopProject, unpauseProject } from '../../../compose/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError } from '../../errors.ts';
import { confirm } from '../../util.ts';
import { composeCall, projectOrName, sessionFor } from './project.ts';
import type * as spec from './specs.ts';

export const down: CommandRun<typeof spec.down.flags> = async (ctx, args, flags) => {
  if (flags.rmi !== undefined && flags.rmi !== 'local' && flags.rmi !== 'all') throw new StatusError(1, `invalid value for --rmi: ${flags.rmi}`);
  const session = sessionFor(ctx, flags);
  const { project, fromFiles } = await composeCall(projectOrName(ctx, flags, session));
  const removeOrphans = flags['remove-orphans'] || ['1', 'true'].includes((process.env.COMPOSE_REMOVE_ORPHANS ?? '').toLowerCase());
  await composeCall(
    downProject(session, project, {
      services: args,
      fromFiles,
      volumes: !!flags.volumes,
      ...(flags.rmi ? { rmi: flags.rmi as 'local' | 'all' } : {}),
      removeOrphans,
      ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
    }),
  );
};

export const start: CommandRun<typeof spec.start.flags> = async (ctx, args, flags) => {
  const session = sessionFor(ctx, flags);
  const { project } = await composeCall(projectOrName(ctx, flags, session, args));
  await composeCall(startProject(session, project, { services: args }));
};

export const stop: CommandRun<typeof spec.stop.flags> = async (ctx, args, flags) => {
  const session = sessionFor(ctx, flags);
  const { project } = await composeCall(projectOrName(ctx, flags, session));
  await composeCall(stopProject(session, project, { services: args, ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}) }));
};

export const restart: CommandRun<typeof spec.restart.flags> = async (ctx, args, flags) => {
  const session = sessionFor(ctx, flags);
  const { project } = await composeCall(projectOrName(ctx, flags, session));
  await composeCall(restartProject(session, project, { services: args, ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}) }));
};

export const kill: CommandRun<typeof spec.kill.flags> = async (ctx, args, flags) => {
  const session = sessionFor(ctx, flags);
  const { project } = await composeCall(projectOrName(ctx, flags, session));
  await composeCall(killProject(session, project, { services: args, signal: flags.signal, removeOrphans: !!flags['remove-orphans'] }));
};

export const rm: CommandRun<typeof spec.rm.flags> = async (ctx, args, flags) => {
  if (flags.all) ctx.stderr.write('WARN[0000] --all flag is obsolete and has no effect\n');
  const session = sessionFor(ctx, flags);
  const { project } = await composeCall(projectOrName(ctx, flags, session));
  await composeCall(
    removeStopped(session, project, {
      services: args,
      force: !!flags.force,
      stop: !!flags.stop,
      volumes: !!flags.volumes,
      confirm: (message) => confirm(ctx, message),
    }),
  );
};

export const pause: CommandRun<typeof spec.pause.flags> = async (ctx, args, flags) => {
  const session = sessionFor(ctx, flags);
  const { project } = await composeCall(projectOrName(ctx, flags, session));
  await composeCall(pauseProject(session, project, { services: args }));
};

export const unpause: CommandRun<typeof spec.unpause.flags> = async (ctx, args, flags) => {
  const session = sessionFor(ctx, flags);
  const { project } = await composeCall(projectOrName(ctx, flags, session));
  await composeCall(unpauseProject(session, project, { services: args }));
};
