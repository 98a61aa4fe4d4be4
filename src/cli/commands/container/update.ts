// update: a container's restart policy, changed while it runs (resource limits join it in the
// same request when they are supported).
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { parseRestart } from './create-request.ts';
import type { update } from './specs.ts';

export const updateContainers: CommandRun<typeof update.flags> = async (ctx, args, flags) => {
  if (flags.restart === undefined) throw new StatusError(1, 'you must provide one or more flags when using this command');
  let policy;
  try {
    policy = parseRestart(flags.restart);
  } catch (err) {
    throw new StatusError(1, (err as Error).message);
  }
  const errors: string[] = [];
  for (const name of args) {
    try {
      await ctx.client().containers.update(name, { RestartPolicy: policy });
      ctx.stdout.write(`${name}\n`);
    } catch (err) {
      errors.push(daemonError(err));
    }
  }
  if (errors.length) throw new StatusError(1, errors.join('\n'));
};
