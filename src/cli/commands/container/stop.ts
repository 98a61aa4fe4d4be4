// stop and restart: each named container, with docker's -t and -s.
import type { CommandRun } from '../../command.ts';
import { forEachName } from '../../for-each-name.ts';
import type { restart, stop } from './specs.ts';

export const stopContainers: CommandRun<typeof stop.flags> = async (ctx, args, flags) =>
  (
    await forEachName(ctx, args, async (a) => {
      await ctx.client().containers.stop(a, { t: flags.time, signal: flags.signal });
      return a;
    })
  ).status;

export const restartContainers: CommandRun<typeof restart.flags> = async (ctx, args, flags) =>
  (
    await forEachName(ctx, args, async (a) => {
      await ctx.client().containers.restart(a, { t: flags.time, signal: flags.signal });
      return a;
    })
  ).status;
