// volume rm: remove each named volume.
import type { CommandRun } from '../../command.ts';
import { forEachName } from '../../for-each-name.ts';
import type { rm } from './specs.ts';

export const removeVolumes: CommandRun<typeof rm.flags> = async (ctx, args, flags) =>
  (
    await forEachName(ctx, args, async (name) => {
      await ctx.client().volumes.remove(name, { force: !!flags.force });
      return name;
    })
  ).status;
