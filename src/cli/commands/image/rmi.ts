// rmi: remove each named image, printing what was untagged and deleted.
import type { CommandRun } from '../../command.ts';
import { forEachName } from '../../for-each-name.ts';
import type { rmi } from './specs.ts';

export const removeImages: CommandRun<typeof rmi.flags> = async (ctx, args, flags) =>
  (
    await forEachName(ctx, args, async (a) => {
      const items = await ctx.client().images.remove(a, { force: !!flags.force, noprune: !!flags['no-prune'] });
      return items.flatMap((item) => [...(item.Untagged ? [`Untagged: ${item.Untagged}`] : []), ...(item.Deleted ? [`Deleted: ${item.Deleted}`] : [])]);
    })
  ).status;
