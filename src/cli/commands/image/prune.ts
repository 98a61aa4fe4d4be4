// image prune: remove dangling (or, with -a, all unused) images after confirmation.
import type { ImagesPruneReport } from '../../../types/index.ts';
import type { CommandRun } from '../../command.ts';
import { daemonCall } from '../../errors.ts';
import { filterMap } from '../../flags.ts';
import { confirm, size } from '../../util.ts';
import type { prune } from './specs.ts';

export const pruneImages: CommandRun<typeof prune.flags> = async (ctx, _args, flags) => {
  const filters = filterMap(flags.filter);
  filters.dangling = [String(!flags.all)];
  const warning = flags.all
    ? 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?'
    : 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';
  let reclaimed = 0;
  if (flags.force || (await confirm(ctx, warning))) {
    const report: ImagesPruneReport = await daemonCall(ctx.client().images.prune(filters));
    if (report.ImagesDeleted?.length) {
      let out = 'Deleted Images:\n';
      for (const d of report.ImagesDeleted) out += d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`;
      ctx.stdout.write(`${out}\n`);
      reclaimed = report.SpaceReclaimed;
    }
  }
  ctx.stdout.write(`Total reclaimed space: ${size(reclaimed)}\n`);
};
