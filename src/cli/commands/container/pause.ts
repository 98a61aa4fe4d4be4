// pause and unpause: freeze and thaw each named container's processes.
import type { CommandRun } from '../../command.ts';
import { forEachName } from '../../for-each-name.ts';
import type { pause, unpause } from './specs.ts';

export const pauseContainers: CommandRun<typeof pause.flags> = async (ctx, args) =>
  (
    await forEachName(ctx, args, async (a) => {
      await ctx.client().containers.pause(a);
      return a;
    })
  ).status;

export const unpauseContainers: CommandRun<typeof unpause.flags> = async (ctx, args) =>
  (
    await forEachName(ctx, args, async (a) => {
      await ctx.client().containers.unpause(a);
      return a;
    })
  ).status;
