// diff: what changed in a container's file system since it was created.
import type { CommandRun } from '../../command.ts';
import { daemonCall } from '../../errors.ts';
import type { diff } from './specs.ts';

export const diffContainer: CommandRun<typeof diff.flags> = async (ctx, args) => {
  const changes = await daemonCall(ctx.client().containers.changes(args[0]));
  const letter = ['C', 'A', 'D'];
  for (const ch of changes ?? []) ctx.stdout.write(`${letter[ch.Kind] ?? '?'} ${ch.Path}\n`);
};
