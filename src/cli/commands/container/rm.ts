// rm: remove each named container.
import type { CommandRun } from '../../command.ts';
import { forEachName } from '../../for-each-name.ts';
import type { rm } from './specs.ts';

export const removeContainers: CommandRun<typeof rm.flags> = async (ctx, args, flags) =>
  (
    await forEachName(ctx, args, async (a) => {
      await ctx.client().containers.remove(a.replace(/^\//, ''), { force: !!flags.force, v: !!flags.volumes, link: !!flags.link });
      return a;
    })
  ).status;
