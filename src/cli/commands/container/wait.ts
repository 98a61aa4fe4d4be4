// wait: each named container's exit code once it stops (or, with --condition, once it exits
// next, or is removed).
import type { WaitCondition } from '../../../client/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError } from '../../errors.ts';
import { forEachName } from '../../for-each-name.ts';
import type { wait } from './specs.ts';

const conditions = new Set(['not-running', 'next-exit', 'removed']);

export const waitContainers: CommandRun<typeof wait.flags> = async (ctx, args, flags) => {
  const condition = flags.condition;
  if (!conditions.has(condition)) throw new StatusError(1, `invalid condition: "${condition}" (not-running, next-exit or removed)`);
  return (await forEachName(ctx, args, async (a) => String((await ctx.client().containers.wait(a, condition as WaitCondition)).StatusCode))).status;
};
