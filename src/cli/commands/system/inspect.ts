// inspect: any object by name or ID, a container first, then an image (or only the --type asked).
import type { Client } from '../../../client/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError, isNotFound } from '../../errors.ts';
import { inspectEach } from '../../format.ts';
import type { inspect } from './specs.ts';

async function inspectAny(client: Client, ref: string, type: string | undefined, size: boolean): Promise<unknown> {
  const tries: Array<() => Promise<unknown>> = [];
  if (!type || type === 'container') tries.push(() => client.containers.inspect(ref, { size }));
  if (!type || type === 'image') tries.push(() => client.images.inspect(ref));
  for (const attempt of tries) {
    try {
      return await attempt();
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return undefined;
}

export const inspectObjects: CommandRun<typeof inspect.flags> = async (ctx, args, flags) => {
  const type = flags.type;
  if (type && !['container', 'image'].includes(type)) throw new StatusError(1, `"${type}" is not a valid value for --type`);
  const client = ctx.client();
  return inspectEach(ctx, args, (a) => inspectAny(client, a, type, !!flags.size), {
    format: flags.format,
    errorText: (a, err) => (err === undefined ? `Error: No such object: ${a}` : daemonError(err)),
  });
};
