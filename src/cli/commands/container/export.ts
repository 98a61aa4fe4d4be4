// export: a container's file system as a tar archive.
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { refuseTerminal, writeTarOutput } from '../../tar-output.ts';
import type { exportContainer } from './specs.ts';

export const exportFilesystem: CommandRun<typeof exportContainer.flags> = async (ctx, args, flags) => {
  refuseTerminal(ctx, flags.output);
  try {
    await writeTarOutput(ctx, flags.output, await ctx.client().containers.export(args[0]));
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw new StatusError(1, daemonError(err));
  }
};
