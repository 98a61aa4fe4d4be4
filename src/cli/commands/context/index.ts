// The context group: `berth context create|ls|use|show|inspect|rm|export|import|update`, stored in
// docker's layout (context-store.ts) and resolved with docker's precedence (endpoint.ts).
import { command, lazySpecs, type CommandGroup } from '../../command.ts';
const spec = lazySpecs(() => import('./specs.ts'));

const under = (...names: string[]) => ({ under: { context: names } });

export const contextGroup: CommandGroup = {
  management: { name: 'context', description: 'Manage contexts' },
  commands: [
    command(spec('create'), under('create'), async () => (await import('./create.ts')).createContext),
    command(spec('update'), under('update'), async () => (await import('./create.ts')).updateContext),
    command(spec('list'), under('ls', 'list'), async () => (await import('./list.ts')).listContexts),
    command(spec('use'), under('use'), async () => (await import('./use.ts')).useContext),
    command(spec('show'), under('show'), async () => (await import('./use.ts')).showContext),
    command(spec('inspect'), under('inspect'), async () => (await import('./inspect.ts')).inspectContexts),
    command(spec('rm'), under('rm', 'remove'), async () => (await import('./rm.ts')).removeContexts),
    command(spec('exportContext'), under('export'), async () => (await import('./transfer.ts')).exportContext),
    command(spec('importContext'), under('import'), async () => (await import('./transfer.ts')).importContext),
  ],
};
