// save: images as a `docker save` tar archive.
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { refuseTerminal, writeTarOutput } from '../../tar-output.ts';
import type { save } from './specs.ts';

export const saveImages: CommandRun<typeof save.flags> = async (ctx, args, flags) => {
  refuseTerminal(ctx, flags.output);
  try {
    await writeTarOutput(ctx, flags.output, await ctx.client().images.save(args));
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw new StatusError(1, daemonError(err));
  }
};
