// rename: a container's new name.
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import type { rename } from './specs.ts';

export const renameContainer: CommandRun<typeof rename.flags> = async (ctx, args) => {
  const [old, name] = args;
  if (!name.trim()) throw new StatusError(1, 'Error: Neither old nor new names may be empty');
  try {
    await ctx.client().containers.rename(old, name);
  } catch (err) {
    throw new StatusError(1, `${daemonError(err)}\nError: failed to rename container named ${old}`);
  }
};
