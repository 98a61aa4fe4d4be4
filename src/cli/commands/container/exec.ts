// exec: a process in a running container, attached to our terminal unless detached.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonCall } from '../../errors.ts';
import { attachedSession, detachKeysOption } from '../../streams.ts';
import { parseEnvFile } from './create-request.ts';
import type { exec } from './specs.ts';

export const execInContainer: CommandRun<typeof exec.flags> = async (ctx, args, flags) => {
  const client = ctx.client();
  const [ref, ...cmd] = args as [string, ...string[]];
  const detach = !!flags.detach;
  const tty = !!flags.tty;
  const stdin = !!flags.interactive && !detach;
  if (stdin && tty && !ctx.stdin.isTTY) throw new StatusError(1, 'the input device is not a TTY');
  const detachKeys = detachKeysOption(flags['detach-keys']);
  const env = [
    ...(flags['env-file'] ?? []).flatMap(parseEnvFile),
    ...(flags.env ?? []).flatMap((e) => (e.includes('=') ? [e] : process.env[e] !== undefined ? [`${e}=${process.env[e]}`] : [])),
  ];
  const out = ctx.stdout as NodeJS.WriteStream;
  const consoleSize: [number, number] | undefined =
    tty && out.isTTY && typeof out.getWindowSize === 'function' ? [out.getWindowSize()[1], out.getWindowSize()[0]] : undefined;
  const { Id: execId } = await daemonCall(
    client.exec.create(ref, {
      User: flags.user ?? '',
      Privileged: !!flags.privileged,
      Tty: tty,
      AttachStdin: stdin,
      AttachStdout: !detach,
      AttachStderr: !detach,
      DetachKeys: flags['detach-keys'] ?? '',
      Env: env,
      WorkingDir: flags.workdir ?? '',
      Cmd: cmd,
      ...(consoleSize ? { ConsoleSize: consoleSize } : {}),
    }),
  );
  if (detach) {
    await daemonCall(client.exec.start(execId, { Detach: true, Tty: tty }));
    return 0;
  }
  const stream = await daemonCall(client.exec.startAttached(execId, { Detach: false, Tty: tty, ...(consoleSize ? { ConsoleSize: consoleSize } : {}) }));
  const outcome = await attachedSession(ctx, client, stream, { tty, stdin, detachKeys, resize: (size) => client.exec.resize(execId, size) });
  // docker's attach and exec report the detach as an error (run and start do not)
  if (outcome === 'detached') throw new StatusError(1, 'read escape sequence');
  return execExitCode(client, execId);
};

/**
 * The exit code of an exec whose stream has ended. berthd records it before it ends the stream;
 * another daemon may record it a moment later, so a few reads are allowed for.
 */
export async function execExitCode(client: { exec: { inspect(id: string): Promise<{ Running: boolean; ExitCode: number | null }> } }, execId: string): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const info = await client.exec.inspect(execId).catch(() => undefined);
    if (!info) return 0;
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await sleep(20);
  }
  return 0;
}
