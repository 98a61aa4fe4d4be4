// completion bash|zsh|fish: the script, on stdout.
import type { CommandRun } from '../../command.ts';
import { completionScript, type Shell } from './scripts.ts';
import type * as spec from './specs.ts';

export function printScript(shell: Shell): CommandRun<typeof spec.bash.flags> {
  return async (ctx, _args, flags) => {
    ctx.stdout.write(completionScript(shell, ctx.prog, { descriptions: !flags['no-descriptions'] }));
  };
}
