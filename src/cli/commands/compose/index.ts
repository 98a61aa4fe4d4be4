// The compose group: `berth compose …`, Docker Compose v2's commands over src/compose. The specs
// (specs.ts) load when one of them is used, each implementation (and src/compose with it) when it
// runs; the project options are at hand for the table (project-flags.ts).
import { command, lazySpecs, type CommandGroup } from '../../command.ts';
import { projectFlags } from './project-flags.ts';

const spec = lazySpecs(() => import('./specs.ts'));

const under = (...names: string[]) => ({ under: { compose: names } });

export const composeGroup: CommandGroup = {
  management: { name: 'compose', description: 'Define and run multi-container applications (Docker Compose)', flags: projectFlags, usageErrorStatus: 16 },
  commands: [
    command(spec('up'), under('up'), async () => (await import('./up.ts')).up),
    command(spec('create'), under('create'), async () => (await import('./up.ts')).create),
    command(spec('down'), under('down'), async () => (await import('./lifecycle.ts')).down),
    command(spec('start'), under('start'), async () => (await import('./lifecycle.ts')).start),
    command(spec('stop'), under('stop'), async () => (await import('./lifecycle.ts')).stop),
    command(spec('restart'), under('restart'), async () => (await import('./lifecycle.ts')).restart),
    command(spec('kill'), under('kill'), async () => (await import('./lifecycle.ts')).kill),
    command(spec('rm'), under('rm'), async () => (await import('./lifecycle.ts')).rm),
    command(spec('pause'), under('pause'), async () => (await import('./lifecycle.ts')).pause),
    command(spec('unpause'), under('unpause'), async () => (await import('./lifecycle.ts')).unpause),
    command(spec('ps'), under('ps'), async () => (await import('./list.ts')).ps),
    command(spec('ls'), under('ls'), async () => (await import('./list.ts')).ls),
    command(spec('images'), under('images'), async () => (await import('./list.ts')).images),
    command(spec('top'), under('top'), async () => (await import('./list.ts')).top),
    command(spec('port'), under('port'), async () => (await import('./list.ts')).port),
    command(spec('events'), under('events'), async () => (await import('./list.ts')).events),
    command(spec('wait'), under('wait'), async () => (await import('./list.ts')).wait),
    command(spec('version'), under('version'), async () => (await import('./list.ts')).version),
    command(spec('logs'), under('logs'), async () => (await import('./list.ts')).logs),
    command(spec('config'), under('config', 'convert'), async () => (await import('./config.ts')).config),
    command(spec('build'), under('build'), async () => (await import('./build.ts')).build),
    command(spec('pull'), under('pull'), async () => (await import('./build.ts')).pull),
    command(spec('push'), under('push'), async () => (await import('./build.ts')).push),
    command(spec('run'), under('run'), async () => (await import('./run.ts')).run),
    command(spec('exec'), under('exec'), async () => (await import('./run.ts')).exec),
    command(spec('cp'), under('cp'), async () => (await import('./run.ts')).cp),
  ],
};
