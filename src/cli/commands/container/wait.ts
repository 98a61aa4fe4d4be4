// wait: each named container's exit code once it stops.
import type { CommandRun } from '../../command.ts';
import { forEachName } from '../../for-each-name.ts';
import type { wait } from './specs.ts';

export const waitContainers: CommandRun<typeof wait.flags> = async (ctx, args) =>
  (await forEachName(ctx, args, async (a) => String((await ctx.client().containers.wait(a)).StatusCode))).status;
