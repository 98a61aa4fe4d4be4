// The builder group: `berth builder build|prune`, with build also at the top level and under
// `image`, as docker places it.
import { command, lazySpecs, type CommandGroup } from '../../command.ts';
const spec = lazySpecs(() => import('./specs.ts'));

export const builderGroup: CommandGroup = {
  management: { name: 'builder', description: 'Manage builds' },
  commands: [
    command(spec('build'), { top: ['build'], under: { builder: ['build'], image: ['build'] } }, async () => (await import('./build.ts')).buildImage),
    command(spec('prune'), { under: { builder: ['prune'] } }, async () => (await import('./prune.ts')).pruneBuildCache),
  ],
};
