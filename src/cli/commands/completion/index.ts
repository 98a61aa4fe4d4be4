// The completion group: `berth completion bash|zsh|fish` prints a shell's completion script; the
// script asks `berth __complete` (engine.ts, answered by main.ts) for candidates.
import { command, lazySpecs, type CommandGroup } from '../../command.ts';
const spec = lazySpecs(() => import('./specs.ts'));

const under = (name: string) => ({ under: { completion: [name] } });
const script = (shell: 'bash' | 'zsh' | 'fish') => async () => (await import('./print.ts')).printScript(shell);

export const completionGroup: CommandGroup = {
  management: { name: 'completion', description: 'Generate the autocompletion script for the specified shell' },
  commands: [command(spec('bash'), under('bash'), script('bash')), command(spec('zsh'), under('zsh'), script('zsh')), command(spec('fish'), under('fish'), script('fish'))],
};
