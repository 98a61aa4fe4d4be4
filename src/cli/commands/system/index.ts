// The system group: `berth system df`, and the top-level version, info and inspect.
import { command, lazySpecs, type CommandGroup } from '../../command.ts';
const spec = lazySpecs(() => import('./specs.ts'));

export const systemGroup: CommandGroup = {
  management: { name: 'system', description: 'Manage Docker' },
  commands: [
    command(spec('version'), { top: ['version'] }, async () => (await import('./version.ts')).showVersion),
    command(spec('info'), { top: ['info'] }, async () => (await import('./info.ts')).showInfo),
    command(spec('inspect'), { top: ['inspect'] }, async () => (await import('./inspect.ts')).inspectObjects),
    command(spec('df'), { under: { system: ['df'] } }, async () => (await import('./df.ts')).diskUsage),
    command(spec('prune'), { under: { system: ['prune'] } }, async () => (await import('./prune.ts')).pruneSystem),
    command(spec('events'), { top: ['events'], under: { system: ['events'] } }, async () => (await import('./events.ts')).showEvents),
  ],
};
