// import: an image from a tar of a file system (a file or stdin).
import { ApiError, jsonMessages } from '../../../client/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { parseRepoTag } from '../../util.ts';
import { openInput } from './input-file.ts';
import type { importImage } from './specs.ts';

export const importFilesystem: CommandRun<typeof importImage.flags> = async (ctx, args, flags) => {
  const [src, ref] = args;
  if (/^https?:\/\//.test(src)) throw new StatusError(1, 'importing from a URL is not supported; download the file and import it');
  const stream = src === '-' ? ctx.stdin : await openInput(src);
  const { repo, tag } = parseRepoTag(ref);
  try {
    const res = await ctx.client().images.import(stream, { repo, tag, message: flags.message, changes: flags.change ?? [] });
    for await (const m of jsonMessages(res)) {
      if (m.error || m.errorDetail) throw new ApiError(500, m.errorDetail?.message ?? m.error ?? 'import failed');
      if (m.status) ctx.stdout.write(`${m.status}\n`);
    }
  } catch (err) {
    throw new StatusError(1, daemonError(err));
  }
};
