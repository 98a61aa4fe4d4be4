// `berth completion bash|zsh|fish`, as docker's (cobra's) completion command.
import { defineCommand } from '../../command.ts';

const noDescriptions = { 'no-descriptions': { type: 'bool', usage: 'disable completion descriptions' } } as const;

const install: Record<'bash' | 'zsh' | 'fish', string> = {
  bash: `To load completions in your current shell session:

	source <(berth completion bash)

To load completions for every new session, execute once:

	berth completion bash > /etc/bash_completion.d/berth

Without the 'bash-completion' package, source the script from ~/.bashrc instead.
You will need to start a new shell for this setup to take effect.`,
  zsh: `To load completions in your current shell session:

	source <(berth completion zsh)

To load completions for every new session, execute once:

	berth completion zsh > "\${fpath[1]}/_berth"

If shell completion is not already enabled in your environment you will need
to enable it. You can execute the following once:

	echo "autoload -U compinit; compinit" >> ~/.zshrc

You will need to start a new shell for this setup to take effect.`,
  fish: `To load completions in your current shell session:

	berth completion fish | source

To load completions for every new session, execute once:

	berth completion fish > ~/.config/fish/completions/berth.fish

You will need to start a new shell for this setup to take effect.`,
};

const shellCommand = (shell: 'bash' | 'zsh' | 'fish') =>
  defineCommand({
    usage: '',
    description: `Generate the autocompletion script for ${shell}`,
    help: `Generate the autocompletion script for the ${shell} shell.\n\n${install[shell]}`,
    maxArgs: 0,
    local: true,
    flags: noDescriptions,
  });

export const bash = shellCommand('bash');
export const zsh = shellCommand('zsh');
export const fish = shellCommand('fish');
