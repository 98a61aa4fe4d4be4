// The registry group: login, logout, pull, push and search (no management command of its own;
// pull and push are also `berth image pull|push`).
import { command, lazySpecs, type CommandGroup } from '../../command.ts';
const spec = lazySpecs(() => import('./specs.ts'));

export const registryGroup: CommandGroup = {
  commands: [
    command(spec('login'), { top: ['login'] }, async () => (await import('./login.ts')).login),
    command(spec('logout'), { top: ['logout'] }, async () => (await import('./login.ts')).logout),
    command(spec('pull'), { top: ['pull'], under: { image: ['pull'] } }, async () => (await import('./pull.ts')).pullImage),
    command(spec('push'), { top: ['push'], under: { image: ['push'] } }, async () => (await import('./push.ts')).pushImage),
    command(spec('search'), { top: ['search'] }, async () => (await import('./search.ts')).searchImages),
  ],
};
