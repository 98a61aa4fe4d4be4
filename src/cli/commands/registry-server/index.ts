// The registry server group: `berth registry …` runs Berth's own registry (src/registry), as
// distribution's `registry serve|garbage-collect` does; login, push and pull stay in the
// registry client group.
import { command, lazySpecs, type CommandGroup } from '../../command.ts';
const spec = lazySpecs(() => import('./specs.ts'));

const under = (...names: string[]) => ({ under: { registry: names } });

export const registryServerGroup: CommandGroup = {
  management: { name: 'registry', description: 'Run a registry server' },
  commands: [
    command(spec('serve'), under('serve'), async () => (await import('./run.ts')).serve),
    command(spec('garbageCollect'), under('garbage-collect'), async () => (await import('./run.ts')).garbageCollect),
    command(spec('du'), under('du'), async () => (await import('./run.ts')).du),
  ],
};
