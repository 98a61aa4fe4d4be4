// compose run, exec and cp: one-off containers and processes of a service, attached to our
// terminal as `docker run` and `docker exec` attach (the CLI's session code), and copies to and
// from a service's container through `cp`'s own implementation.
import { prepareRun, splitShellWords } from '../../../compose/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonCall, daemonError } from '../../errors.ts';
import { attachedSession, detachKeysOption } from '../../streams.ts';
import { attachedStart } from '../container/attached-start.ts';
import { copyFiles } from '../container/cp.ts';
import { execExitCode } from '../container/exec.ts';
import { serviceContainer } from './list.ts';
import { composeCall, loadFromFlags, projectName, sessionFor } from './project.ts';
import type * as spec from './specs.ts';

export const run: CommandRun<typeof spec.run.flags> = async (ctx, args, flags) => {
  const [service, ...command] = args as [string, ...string[]];
  const detach = !!flags.detach;
  const interactive = !!flags.interactive && !detach;
  const tty = !flags['no-TTY'] && flags.tty && !!ctx.stdout.isTTY;
  if (interactive && tty && !ctx.stdin.isTTY) throw new StatusError(1, 'the input device is not a TTY');
  const loaded = loadFromFlags(ctx, flags, { services: [service] });
  const project = loaded.project;
  if (!project.services[service]) throw new StatusError(1, `no such service: ${service}`);
  const session = sessionFor(ctx, flags);
  let entrypoint: string[] | undefined;
  if (flags.entrypoint !== undefined) {
    try {
      entrypoint = splitShellWords(flags.entrypoint);
    } catch (err) {
      throw new StatusError(1, (err as Error).message);
    }
  }
  const { id } = await composeCall(
    prepareRun(
      session,
      project,
      service,
      {
        ...(command.length > 0 ? { command } : {}),
        ...(entrypoint ? { entrypoint } : {}),
        env: flags.env ?? [],
        labels: flags.label ?? [],
        ...(flags.name ? { name: flags.name } : {}),
        ...(flags.user ? { user: flags.user } : {}),
        ...(flags.workdir ? { workdir: flags.workdir } : {}),
        capAdd: flags['cap-add'] ?? [],
        capDrop: flags['cap-drop'] ?? [],
        volumes: flags.volume ?? [],
        publish: flags.publish ?? [],
        servicePorts: !!flags['service-ports'],
        tty,
        interactive,
      },
      {
        noDeps: !!flags['no-deps'],
        rm: !!flags.rm,
        useAliases: !!flags['use-aliases'],
        build: !!flags.build,
        quietPull: !!flags['quiet-pull'],
        removeOrphans: !!flags['remove-orphans'],
        cwd: process.cwd(),
      },
    ),
  );
  const client = ctx.client();
  if (detach) {
    await daemonCall(client.containers.start(id));
    ctx.stdout.write(`${id}\n`);
    return 0;
  }
  const result = await attachedStart(ctx, client, id, {
    tty,
    streams: { stdin: interactive, stdout: true, stderr: true },
    detachKeys: detachKeysOption(undefined),
    detachKeysFlag: undefined,
    condition: flags.rm ? 'removed' : 'next-exit',
    proxySignals: true,
    startError: (err) => new StatusError(1, daemonError(err)),
  });
  if (result.detached) return 0;
  const exit = await result.exit.catch(() => ({ StatusCode: 1, Error: null }));
  return exit.StatusCode;
};

export const exec: CommandRun<typeof spec.exec.flags> = async (ctx, args, flags) => {
  const [service, ...cmd] = args as [string, ...string[]];
  const session = sessionFor(ctx, flags);
  const c = await serviceContainer(session, projectName(ctx, flags), service, flags.index, { running: true });
  const client = ctx.client();
  const detach = !!flags.detach;
  const tty = !flags['no-TTY'] && flags.tty && !!ctx.stdout.isTTY && !detach;
  const stdin = !!flags.interactive && !detach;
  if (stdin && tty && !ctx.stdin.isTTY) throw new StatusError(1, 'the input device is not a TTY');
  const env = (flags.env ?? []).flatMap((e) => (e.includes('=') ? [e] : process.env[e] !== undefined ? [`${e}=${process.env[e]}`] : []));
  const { Id: execId } = await daemonCall(
    client.exec.create(c.Id, {
      User: flags.user ?? '',
      Privileged: !!flags.privileged,
      Tty: tty,
      AttachStdin: stdin,
      AttachStdout: !detach,
      AttachStderr: !detach,
      Env: env,
      WorkingDir: flags.workdir ?? '',
      Cmd: cmd,
    }),
  );
  if (detach) {
    await daemonCall(client.exec.start(execId, { Detach: true, Tty: tty }));
    return 0;
  }
  const stream = await daemonCall(client.exec.startAttached(execId, { Detach: false, Tty: tty }));
  await attachedSession(ctx, client, stream, { tty, stdin, detachKeys: detachKeysOption(undefined), resize: (size) => client.exec.resize(execId, size) });
  return execExitCode(client, execId);
};

export const cp: CommandRun<typeof spec.cp.flags> = async (ctx, args, flags) => {
  const session = sessionFor(ctx, flags);
  const name = projectName(ctx, flags);
  const side = (arg: string) => {
    if (arg.startsWith('/') || arg.startsWith('.') || arg === '-') return undefined;
    const i = arg.indexOf(':');
    return i > 0 ? { service: arg.slice(0, i), path: arg.slice(i + 1) } : undefined;
  };
  const [src, dst] = [side(args[0]), side(args[1])];
  if (src && dst) throw new StatusError(1, 'copying between services is not supported');
  if (!src && !dst) throw new StatusError(1, 'unknown copy direction');
  const target = (src ?? dst)!;
  const containers = flags.all && dst
    ? (await composeCall(session.engine.listContainers({ all: true, labels: { 'com.docker.compose.project': name, 'com.docker.compose.service': target.service, 'com.docker.compose.oneoff': 'False' } })))
    : [await serviceContainer(session, name, target.service, flags.index, { running: false })];
  if (containers.length === 0) throw new StatusError(1, `no container found for service ${JSON.stringify(target.service)}`);
  for (const c of containers) {
    const ref = `${c.Id}:${target.path}`;
    await copyFiles(ctx, src ? [ref, args[1]] : [args[0], ref], { archive: !!flags.archive, 'follow-link': !!flags['follow-link'], quiet: true });
  }
};
