// top: the container's processes, as `ps` inside it would list them.
import { TabWriter } from '../../../template/index.ts';
import type { CommandRun } from '../../command.ts';
import { daemonCall } from '../../errors.ts';
import type { top } from './specs.ts';

export const topContainer: CommandRun<typeof top.flags> = async (ctx, args) => {
  const [ref, ...psArgs] = args as [string, ...string[]];
  const result = await daemonCall(ctx.client().containers.top(ref, psArgs.length ? psArgs.join(' ') : undefined));
  const w = new TabWriter({ minWidth: 20, tabWidth: 1, padding: 3, padChar: ' ' });
  w.write(result.Titles.join('\t') + '\n');
  for (const p of result.Processes) w.write(p.join('\t') + '\n');
  ctx.stdout.write(w.flush());
};
