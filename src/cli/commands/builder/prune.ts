// builder prune: remove the build cache no tagged image uses (all of it with -a).
import { parseRamInBytes } from '../../../lib/index.ts';
import type { CommandRun } from '../../command.ts';
import { daemonCall } from '../../errors.ts';
import { filterMap } from '../../flags.ts';
import { confirm, size } from '../../util.ts';
import type { prune } from './specs.ts';

export const pruneBuildCache: CommandRun<typeof prune.flags> = async (ctx, _args, flags) => {
  const all = !!flags.all;
  if (!flags.force) {
    const warning = all ? 'WARNING! This will remove all build cache. Are you sure you want to continue?' : 'WARNING! This will remove all dangling build cache. Are you sure you want to continue?';
    if (!(await confirm(ctx, warning))) return 0;
  }
  const keep = flags['keep-storage'];
  const report = await daemonCall(ctx.client().builder.prune({ all, filters: filterMap(flags.filter), ...(keep ? { keepStorage: parseRamInBytes(keep) } : {}) }));
  if (report.CachesDeleted?.length) ctx.stdout.write(`Deleted build cache objects:\n${report.CachesDeleted.map((id) => `${id}\n`).join('')}\n`);
  else ctx.stdout.write('\n');
  ctx.stdout.write(`Total reclaimed space: ${size(report.SpaceReclaimed)}\n`);
};
