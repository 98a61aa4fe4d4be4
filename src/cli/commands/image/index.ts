// The image group: `berth image …` and the top-level image commands (images, rmi, tag, …).
// pull and push belong to the registry group and are placed under `image` from there.
import { command, lazySpecs, type CommandGroup } from '../../command.ts';
const spec = lazySpecs(() => import('./specs.ts'));

const both = (name: string, ...under: string[]) => ({ top: [name], under: { image: under.length ? under : [name] } });

export const imageGroup: CommandGroup = {
  management: { name: 'image', description: 'Manage images' },
  commands: [
    command(spec('images'), both('images', 'ls', 'list'), async () => (await import('./list.ts')).listImages),
    command(spec('rmi'), both('rmi', 'rm', 'remove'), async () => (await import('./rmi.ts')).removeImages),
    command(spec('tag'), both('tag'), async () => (await import('./tag.ts')).tagImage),
    command(spec('history'), both('history'), async () => (await import('./history.ts')).showHistory),
    command(spec('importImage'), both('import'), async () => (await import('./import.ts')).importFilesystem),
    command(spec('inspect'), { under: { image: ['inspect'] } }, async () => (await import('./inspect.ts')).inspectImages),
    command(spec('save'), both('save'), async () => (await import('./save.ts')).saveImages),
    command(spec('load'), both('load'), async () => (await import('./load.ts')).loadImages),
    command(spec('prune'), { under: { image: ['prune'] } }, async () => (await import('./prune.ts')).pruneImages),
  ],
};
