// Commands that work with a running container's processes: attach, exec, top, pause, unpause.
import { setTimeout as sleep } from 'node:timers/promises';
import { TabWriter } from '../../template/index.ts';
import { StatusError, type CliContext, type Command } from '../command.ts';
import { parseEnvFile } from '../run-options.ts';
import { attachedSession } from '../streams.ts';
import { daemonCall, daemonError, detachKeysFlag } from './container.ts';

const enc = encodeURIComponent;

interface ContainerInfo {
  Id: string;
  State: { Running: boolean; Paused: boolean; Restarting: boolean; ExitCode: number };
  Config: { Tty: boolean; OpenStdin: boolean };
}

async function inspect(ctx: CliContext, ref: string): Promise<ContainerInfo> {
  return daemonCall(ctx.client().get<ContainerInfo>(`/containers/${enc(ref)}/json`));
}

function inputIsTerminal(ctx: CliContext): boolean {
  return !!ctx.stdin.isTTY;
}

const attachCommand: Command = {
  name: 'attach',
  usage: '[OPTIONS] CONTAINER',
  description: 'Attach local standard input, output, and error streams to a running container',
  aliases: ['container attach'],
  minArgs: 1,
  maxArgs: 1,
  flags: {
    'detach-keys': { type: 'string', usage: 'Override the key sequence for detaching a container' },
    'no-stdin': { type: 'bool', usage: 'Do not attach STDIN' },
    'sig-proxy': { type: 'bool', usage: 'Proxy all received signals to the process', default: true },
  },
  async run(ctx, args, flags) {
    const client = ctx.client();
    const info = await inspect(ctx, args[0]!);
    if (!info.State.Running) throw new StatusError(1, 'You cannot attach to a stopped container, start it first');
    if (info.State.Paused) throw new StatusError(1, 'You cannot attach to a paused container, unpause it first');
    if (info.State.Restarting) throw new StatusError(1, 'You cannot attach to a restarting container, wait until it is running');
    const tty = info.Config.Tty;
    const stdin = info.Config.OpenStdin && !flags['no-stdin'];
    if (stdin && tty && !inputIsTerminal(ctx)) throw new StatusError(1, 'the input device is not a TTY');
    const detachKeys = detachKeysFlag(flags);
    const { stream } = await daemonCall(client
      .hijack(`/containers/${info.Id}/attach`, {
        query: { stream: true, stdin, stdout: true, stderr: true, detachKeys: flags['detach-keys'] as string | undefined },
      }));
    const outcome = await attachedSession(ctx, client, stream, {
      tty,
      stdin,
      detachKeys,
      resizePath: `/containers/${info.Id}/resize`,
      ...(flags['sig-proxy'] !== false ? { proxyTo: info.Id } : {}),
    });
    // docker's attach and exec report the detach as an error (run and start do not)
    if (outcome === 'detached') throw new StatusError(1, 'read escape sequence');
    // The output ended: the container exited (its code is ours), or the daemon saw the detach keys.
    for (let i = 0; i < 20; i++) {
      const now = await inspect(ctx, info.Id).catch(() => undefined);
      if (!now) return 0;
      if (!now.State.Running) return now.State.ExitCode;
      await sleep(100);
    }
    return 0;
  },
};

const execCommand: Command = {
  name: 'exec',
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  description: 'Execute a command in a running container',
  aliases: ['container exec'],
  stopAtFirstArg: true,
  minArgs: 2,
  flags: {
    detach: { type: 'bool', short: 'd', usage: 'Detached mode: run command in the background' },
    'detach-keys': { type: 'string', usage: 'Override the key sequence for detaching a container' },
    env: { type: 'stringArray', short: 'e', usage: 'Set environment variables', valueName: 'list' },
    'env-file': { type: 'stringArray', usage: 'Read in a file of environment variables', valueName: 'list' },
    interactive: { type: 'bool', short: 'i', usage: 'Keep STDIN open even if not attached' },
    privileged: { type: 'bool', usage: 'Give extended privileges to the command' },
    tty: { type: 'bool', short: 't', usage: 'Allocate a pseudo-TTY' },
    user: { type: 'string', short: 'u', usage: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    workdir: { type: 'string', short: 'w', usage: 'Working directory inside the container' },
  },
  async run(ctx, args, flags) {
    const client = ctx.client();
    const [ref, ...cmd] = args as [string, ...string[]];
    const detach = !!flags.detach;
    const tty = !!flags.tty;
    const stdin = !!flags.interactive && !detach;
    if (stdin && tty && !inputIsTerminal(ctx)) throw new StatusError(1, 'the input device is not a TTY');
    const detachKeys = detachKeysFlag(flags);
    const envList = (name: string) => (flags[name] as string[] | undefined) ?? [];
    const env = [
      ...envList('env-file').flatMap(parseEnvFile),
      ...envList('env').flatMap((e) => (e.includes('=') ? [e] : process.env[e] !== undefined ? [`${e}=${process.env[e]}`] : [])),
    ];
    const out = ctx.stdout as NodeJS.WriteStream;
    const consoleSize = tty && out.isTTY && typeof out.getWindowSize === 'function' ? [out.getWindowSize()[1], out.getWindowSize()[0]] : undefined;
    const { Id: execId } = await daemonCall(client
      .post<{ Id: string }>(`/containers/${enc(ref)}/exec`, {
        body: {
          User: (flags.user as string | undefined) ?? '',
          Privileged: !!flags.privileged,
          Tty: tty,
          AttachStdin: stdin,
          AttachStdout: !detach,
          AttachStderr: !detach,
          DetachKeys: (flags['detach-keys'] as string | undefined) ?? '',
          Env: env,
          WorkingDir: (flags.workdir as string | undefined) ?? '',
          Cmd: cmd,
          ...(consoleSize ? { ConsoleSize: consoleSize } : {}),
        },
      }));
    if (detach) {
      await daemonCall(client.post(`/exec/${execId}/start`, { body: { Detach: true, Tty: tty } }));
      return 0;
    }
    const { stream } = await daemonCall(client
      .hijack(`/exec/${execId}/start`, { body: { Detach: false, Tty: tty, ...(consoleSize ? { ConsoleSize: consoleSize } : {}) } }));
    const outcome = await attachedSession(ctx, client, stream, { tty, stdin, detachKeys, resizePath: `/exec/${execId}/resize` });
    // docker's attach and exec report the detach as an error (run and start do not)
    if (outcome === 'detached') throw new StatusError(1, 'read escape sequence');
    // The stream ends as the process exits; its exit code lands a moment later.
    for (let i = 0; i < 50; i++) {
      const info = await client.get<{ Running: boolean; ExitCode: number | null }>(`/exec/${execId}/json`).catch(() => undefined);
      if (!info) return 0;
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      await sleep(20);
    }
    return 0;
  },
};

const topCommand: Command = {
  name: 'top',
  usage: 'CONTAINER [ps OPTIONS]',
  description: 'Display the running processes of a container',
  aliases: ['container top'],
  stopAtFirstArg: true,
  minArgs: 1,
  flags: {},
  async run(ctx, args) {
    const [ref, ...psArgs] = args as [string, ...string[]];
    const top = await daemonCall(ctx
      .client()
      .get<{ Titles: string[]; Processes: string[][] }>(`/containers/${enc(ref)}/top`, { ps_args: psArgs.length ? psArgs.join(' ') : undefined }));
    const w = new TabWriter({ minWidth: 20, tabWidth: 1, padding: 3, padChar: ' ' });
    w.write(top.Titles.join('\t') + '\n');
    for (const p of top.Processes) w.write(p.join('\t') + '\n');
    ctx.stdout.write(w.flush());
  },
};

function eachContainer(verb: 'pause' | 'unpause'): Command['run'] {
  return async (ctx, args) => {
    const failed: string[] = [];
    for (const a of args) {
      try {
        await ctx.client().post(`/containers/${enc(a)}/${verb}`);
        ctx.stdout.write(`${a}\n`);
      } catch (err) {
        ctx.stderr.write(`${daemonError(err)}\n`);
        failed.push(a);
      }
    }
    if (failed.length) return 1;
  };
}

const pauseCommand: Command = {
  name: 'pause',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Pause all processes within one or more containers',
  aliases: ['container pause'],
  minArgs: 1,
  flags: {},
  run: eachContainer('pause'),
};

const unpauseCommand: Command = {
  name: 'unpause',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Unpause all processes within one or more containers',
  aliases: ['container unpause'],
  minArgs: 1,
  flags: {},
  run: eachContainer('unpause'),
};

export const interactiveCommands: Command[] = [attachCommand, execCommand, topCommand, pauseCommand, unpauseCommand];
