// The volume group: `berth volume …`.
import { command, lazySpecs, type CommandGroup } from '../../command.ts';
const spec = lazySpecs(() => import('./specs.ts'));

const under = (...names: string[]) => ({ under: { volume: names } });

export const volumeGroup: CommandGroup = {
  management: { name: 'volume', description: 'Manage volumes' },
  commands: [
    command(spec('create'), under('create'), async () => (await import('./create.ts')).createVolume),
    command(spec('inspect'), under('inspect'), async () => (await import('./inspect.ts')).inspectVolumes),
    command(spec('ls'), under('ls', 'list'), async () => (await import('./list.ts')).listVolumes),
    command(spec('prune'), under('prune'), async () => (await import('./prune.ts')).pruneVolumes),
    command(spec('rm'), under('rm', 'remove'), async () => (await import('./rm.ts')).removeVolumes),
  ],
};
