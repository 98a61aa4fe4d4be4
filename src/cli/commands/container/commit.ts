// commit: a new image from a container's changes.
import type { CommandRun } from '../../command.ts';
import { daemonCall } from '../../errors.ts';
import { parseRepoTag } from '../../util.ts';
import type { commit } from './specs.ts';

export const commitContainer: CommandRun<typeof commit.flags> = async (ctx, args, flags) => {
  const [container, ref] = args;
  const { repo, tag } = parseRepoTag(ref);
  const res = await daemonCall(
    ctx.client().containers.commit(container, { repo, tag, comment: flags.message, author: flags.author, changes: flags.change ?? [], pause: flags.pause }),
  );
  ctx.stdout.write(`${res.Id}\n`);
};
