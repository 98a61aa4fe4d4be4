// kill: a signal to each named container.
import type { CommandRun } from '../../command.ts';
import { forEachName } from '../../for-each-name.ts';
import type { kill } from './specs.ts';

export const killContainers: CommandRun<typeof kill.flags> = async (ctx, args, flags) =>
  (
    await forEachName(ctx, args, async (a) => {
      await ctx.client().containers.kill(a, { signal: flags.signal || undefined });
      return a;
    })
  ).status;
