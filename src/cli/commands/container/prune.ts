// container prune: remove every stopped container after confirmation (docker's runPrune, which
// `system prune` reuses).
import type { CliContext, CommandRun } from '../../command.ts';
import { StatusError, daemonCall } from '../../errors.ts';
import { filterMap } from '../../flags.ts';
import { confirm, size } from '../../util.ts';
import type { prune } from './specs.ts';

/** Prunes and returns docker's report text ("" when nothing went) and the bytes reclaimed. */
export async function runContainerPrune(ctx: CliContext, filters: Record<string, string[]>): Promise<{ reclaimed: number; output: string }> {
  const report = await daemonCall(ctx.client().containers.prune(filters));
  if (!report.ContainersDeleted?.length) return { reclaimed: 0, output: '' };
  return { reclaimed: report.SpaceReclaimed, output: `Deleted Containers:\n${report.ContainersDeleted.map((id) => `${id}\n`).join('')}` };
}

export const pruneContainers: CommandRun<typeof prune.flags> = async (ctx, _args, flags) => {
  if (!flags.force && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) {
    throw new StatusError(1, 'container prune has been cancelled');
  }
  const { reclaimed, output } = await runContainerPrune(ctx, filterMap(flags.filter));
  if (output) ctx.stdout.write(`${output}\n`);
  ctx.stdout.write(`Total reclaimed space: ${size(reclaimed)}\n`);
};
