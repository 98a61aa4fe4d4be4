// The container group: `berth container …` and the top-level commands docker keeps for
// containers (run, ps, exec, …). The specs (specs.ts) load when one of them is used, each
// implementation when it runs.
import { command, lazySpecs, type CommandGroup } from '../../command.ts';
const spec = lazySpecs(() => import('./specs.ts'));

const both = (name: string, ...more: string[]) => ({ top: [name], under: { container: [name, ...more] } });

export const containerGroup: CommandGroup = {
  management: { name: 'container', description: 'Manage containers' },
  commands: [
    command(spec('run'), both('run'), async () => (await import('./run.ts')).runContainer),
    command(spec('create'), both('create'), async () => (await import('./run.ts')).createOnly),
    command(spec('start'), both('start'), async () => (await import('./start.ts')).startContainers),
    command(spec('stop'), both('stop'), async () => (await import('./stop.ts')).stopContainers),
    command(spec('restart'), both('restart'), async () => (await import('./stop.ts')).restartContainers),
    command(spec('kill'), both('kill'), async () => (await import('./kill.ts')).killContainers),
    command(spec('rm'), both('rm', 'remove'), async () => (await import('./rm.ts')).removeContainers),
    command(spec('ps'), both('ps', 'ls', 'list'), async () => (await import('./ps.ts')).listContainers),
    command(spec('logs'), both('logs'), async () => (await import('./logs.ts')).showLogs),
    command(spec('wait'), both('wait'), async () => (await import('./wait.ts')).waitContainers),
    command(spec('rename'), both('rename'), async () => (await import('./rename.ts')).renameContainer),
    command(spec('update'), both('update'), async () => (await import('./update.ts')).updateContainers),
    command(spec('prune'), { under: { container: ['prune'] } }, async () => (await import('./prune.ts')).pruneContainers),
    command(spec('inspect'), { under: { container: ['inspect'] } }, async () => (await import('./inspect.ts')).inspectContainers),
    command(spec('attach'), both('attach'), async () => (await import('./attach.ts')).attachContainer),
    command(spec('exec'), both('exec'), async () => (await import('./exec.ts')).execInContainer),
    command(spec('top'), both('top'), async () => (await import('./top.ts')).topContainer),
    command(spec('pause'), both('pause'), async () => (await import('./pause.ts')).pauseContainers),
    command(spec('unpause'), both('unpause'), async () => (await import('./pause.ts')).unpauseContainers),
    command(spec('port'), both('port'), async () => (await import('./port.ts')).listPorts),
    command(spec('exportContainer'), both('export'), async () => (await import('./export.ts')).exportFilesystem),
    command(spec('commit'), both('commit'), async () => (await import('./commit.ts')).commitContainer),
    command(spec('cp'), both('cp'), async () => (await import('./cp.ts')).copyFiles),
    command(spec('diff'), both('diff'), async () => (await import('./diff.ts')).diffContainer),
    command(spec('stats'), both('stats'), async () => (await import('./stats.ts')).showStats),
  ],
};
