// load: images from a `docker save` tar archive (a file or stdin).
import { ApiError, jsonMessages } from '../../../client/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { openInput } from './input-file.ts';
import type { load } from './specs.ts';

export const loadImages: CommandRun<typeof load.flags> = async (ctx, _args, flags) => {
  let stream: NodeJS.ReadableStream;
  if (flags.input) stream = await openInput(flags.input);
  else {
    if (ctx.stdin.isTTY) throw new StatusError(1, 'requested load from stdin, but stdin is empty');
    stream = ctx.stdin;
  }
  // as docker: progress bars only for a terminal
  const quiet = !!flags.quiet || !ctx.stdout.isTTY;
  try {
    const res = await ctx.client().images.load(stream, { quiet });
    for await (const m of jsonMessages(res)) {
      if (m.error || m.errorDetail) throw new ApiError(500, m.errorDetail?.message ?? m.error ?? 'load failed');
      if (m.stream) ctx.stdout.write(m.stream);
      else if (m.status && m.id) ctx.stdout.write(`${m.id}: ${m.status} ${m.progress ?? ''}\n`);
    }
  } catch (err) {
    throw new StatusError(1, err instanceof ApiError && err.status === 500 ? err.message : daemonError(err));
  }
};
