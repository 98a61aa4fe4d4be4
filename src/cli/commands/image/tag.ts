// tag: another name for an image.
import type { CommandRun } from '../../command.ts';
import { daemonCall } from '../../errors.ts';
import type { tag } from './specs.ts';

export const tagImage: CommandRun<typeof tag.flags> = async (ctx, args) => {
  const [source, target] = args;
  let repo = target;
  let tagName: string | undefined;
  const at = target.indexOf('@');
  if (at < 0) {
    const i = target.lastIndexOf(':');
    if (i > target.lastIndexOf('/')) {
      repo = target.slice(0, i);
      tagName = target.slice(i + 1);
    }
  }
  await daemonCall(ctx.client().images.tag(source, { repo, tag: tagName }));
};
