// The network group: `berth network …`.
import { command, lazySpecs, type CommandGroup } from '../../command.ts';
const spec = lazySpecs(() => import('./specs.ts'));

const under = (...names: string[]) => ({ under: { network: names } });

export const networkGroup: CommandGroup = {
  management: { name: 'network', description: 'Manage networks' },
  commands: [
    command(spec('connect'), under('connect'), async () => (await import('./connect.ts')).connectContainer),
    command(spec('create'), under('create'), async () => (await import('./create.ts')).createNetwork),
    command(spec('disconnect'), under('disconnect'), async () => (await import('./connect.ts')).disconnectContainer),
    command(spec('inspect'), under('inspect'), async () => (await import('./inspect.ts')).inspectNetworks),
    command(spec('ls'), under('ls', 'list'), async () => (await import('./list.ts')).listNetworks),
    command(spec('prune'), under('prune'), async () => (await import('./prune.ts')).pruneNetworks),
    command(spec('rm'), under('rm', 'remove'), async () => (await import('./rm.ts')).removeNetworks),
  ],
};
