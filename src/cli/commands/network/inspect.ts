// network inspect: the daemon's view of each named network.
import type { CommandRun } from '../../command.ts';
import { daemonError } from '../../errors.ts';
import { inspectEach } from '../../format.ts';
import type { inspect } from './specs.ts';

export const inspectNetworks: CommandRun<typeof inspect.flags> = (ctx, args, flags) =>
  inspectEach(ctx, args, (a) => ctx.client().networks.inspect(a), { format: flags.format, errorText: (_a, err) => daemonError(err) });
