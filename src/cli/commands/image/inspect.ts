// image inspect: the daemon's view of each named image.
import type { CommandRun } from '../../command.ts';
import { daemonError, isNotFound } from '../../errors.ts';
import { inspectEach } from '../../format.ts';
import type { inspect } from './specs.ts';

export const inspectImages: CommandRun<typeof inspect.flags> = (ctx, args, flags) =>
  inspectEach(ctx, args, (a) => ctx.client().images.inspect(a), {
    format: flags.format,
    errorText: (a, err) => (isNotFound(err) ? `Error: No such image: ${a}` : daemonError(err)),
  });
