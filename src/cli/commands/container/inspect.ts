// container inspect: the daemon's view of each named container.
import type { CommandRun } from '../../command.ts';
import { daemonError, isNotFound } from '../../errors.ts';
import { inspectEach } from '../../format.ts';
import type { inspect } from './specs.ts';

export const inspectContainers: CommandRun<typeof inspect.flags> = (ctx, args, flags) =>
  inspectEach(ctx, args, (a) => ctx.client().containers.inspect(a, { size: !!flags.size }), {
    format: flags.format,
    errorText: (a, err) => (isNotFound(err) ? `Error: No such container: ${a}` : daemonError(err)),
  });
