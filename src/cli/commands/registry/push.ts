// push: an image (one tag, or all with -a) to its registry.
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { showProgress } from '../../streams.ts';
import { registryAuthFor, registryOf } from './credentials.ts';
import type { push } from './specs.ts';

export const pushImage: CommandRun<typeof push.flags> = async (ctx, args, flags) => {
  let name = args[0];
  let tag: string | undefined;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (name.includes('@')) throw new StatusError(1, 'invalid reference format: cannot push a digest reference');
  if (colon > lastSlash) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  if (flags['all-tags'] && tag) throw new StatusError(1, "tag can't be used with --all-tags/-a");
  if (!flags['all-tags'] && !tag) {
    tag = 'latest';
    ctx.stdout.write('Using default tag: latest\n');
  }
  try {
    const res = await ctx.client().images.push(name, { tag, registryAuth: registryAuthFor(ctx, registryOf(name)) });
    await showProgress(ctx, res, { quiet: !!flags.quiet });
    if (flags.quiet) ctx.stdout.write(`${args[0]}\n`);
  } catch (err) {
    throw new StatusError(1, daemonError(err));
  }
};
