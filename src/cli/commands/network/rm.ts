// network rm: remove each named network (-f: a missing one is no error).
import type { CommandRun } from '../../command.ts';
import { forEachName } from '../../for-each-name.ts';
import type { rm } from './specs.ts';

export const removeNetworks: CommandRun<typeof rm.flags> = async (ctx, args, flags) =>
  (
    await forEachName(
      ctx,
      args,
      async (a) => {
        await ctx.client().networks.remove(a);
        return a;
      },
      { skip: (err) => !!flags.force && /not found/.test((err as Error).message) },
    )
  ).status;
