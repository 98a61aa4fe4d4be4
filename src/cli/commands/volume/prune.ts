// volume prune: remove the local volumes no container uses (anonymous ones unless -a).
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonCall } from '../../errors.ts';
import { filterMap } from '../../flags.ts';
import { confirm, size } from '../../util.ts';
import type { prune } from './specs.ts';

export const pruneVolumes: CommandRun<typeof prune.flags> = async (ctx, _args, flags) => {
  const filters = filterMap(flags.filter);
  if (flags.all) {
    if (filters.all) throw new StatusError(1, 'conflicting options: cannot specify both --all and --filter all=1');
    filters.all = ['true'];
  }
  const warning = flags.all
    ? 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?'
    : 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
  if (!flags.force && !(await confirm(ctx, warning))) return 0;
  const report = await daemonCall(ctx.client().volumes.prune(filters));
  let out = '';
  if (report.VolumesDeleted?.length) out += `Deleted Volumes:\n${report.VolumesDeleted.join('\n')}\n\n`;
  out += `Total reclaimed space: ${size(report.SpaceReclaimed ?? 0)}\n`;
  ctx.stdout.write(out);
};
