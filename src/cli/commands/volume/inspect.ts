// volume inspect: the daemon's view of each named volume.
import type { CommandRun } from '../../command.ts';
import { daemonError } from '../../errors.ts';
import { inspectEach } from '../../format.ts';
import type { inspect } from './specs.ts';

export const inspectVolumes: CommandRun<typeof inspect.flags> = (ctx, args, flags) =>
  inspectEach(ctx, args, (name) => ctx.client().volumes.inspect(name), { format: flags.format, errorText: (_n, err) => daemonError(err) });
