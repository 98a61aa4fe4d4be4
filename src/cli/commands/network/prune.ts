// network prune: remove the networks no container uses, after confirmation.
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonCall } from '../../errors.ts';
import { filterMap } from '../../flags.ts';
import { confirm } from '../../util.ts';
import type { prune } from './specs.ts';

export const pruneNetworks: CommandRun<typeof prune.flags> = async (ctx, _args, flags) => {
  const filters = filterMap(flags.filter);
  if (!flags.force && !(await confirm(ctx, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?'))) {
    throw new StatusError(1, 'network prune has been cancelled');
  }
  const r = await daemonCall(ctx.client().networks.prune(filters));
  if (r.NetworksDeleted?.length) ctx.stdout.write(`Deleted Networks:\n${r.NetworksDeleted.map((n) => `${n}\n`).join('')}\n`);
};
