// pull: an image from its registry, with docker's progress output.
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { showProgress } from '../../streams.ts';
import { dockerHubServer, registryAuthFor, registryOf } from './credentials.ts';
import type { pull } from './specs.ts';

export const pullImage: CommandRun<typeof pull.flags> = async (ctx, args, flags) => {
  const name = args[0];
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  const hasTag = /[:@]/.test(lastPart);
  if (flags['all-tags'] && hasTag) throw new StatusError(1, "tag can't be used with --all-tags/-a");
  try {
    if (!hasTag && !flags['all-tags']) ctx.stdout.write('Using default tag: latest\n');
    const fromImage = !hasTag && !flags['all-tags'] ? `${name}:latest` : name;
    const res = await ctx.client().images.pull(fromImage, { platform: flags.platform, registryAuth: registryAuthFor(ctx, registryOf(name)) });
    await showProgress(ctx, res, { quiet: !!flags.quiet });
    if (flags.quiet) {
      // docker prints the full reference: docker.io/library/busybox:latest, docker.io/user/app:1
      const hub = registryOf(name) === dockerHubServer && !/^(docker\.io|index\.docker\.io)\//.test(name);
      ctx.stdout.write(`${hub ? `docker.io/${name.includes('/') ? '' : 'library/'}` : ''}${fromImage}\n`);
    }
  } catch (err) {
    throw new StatusError(1, daemonError(err));
  }
};
