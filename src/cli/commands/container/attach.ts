// attach: our terminal on a running container's streams until it exits or we detach.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonCall } from '../../errors.ts';
import { attachedSession, detachKeysOption } from '../../streams.ts';
import type { attach } from './specs.ts';

export const attachContainer: CommandRun<typeof attach.flags> = async (ctx, args, flags) => {
  const client = ctx.client();
  const info = await daemonCall(client.containers.inspect(args[0]));
  if (!info.State.Running) throw new StatusError(1, 'You cannot attach to a stopped container, start it first');
  if (info.State.Paused) throw new StatusError(1, 'You cannot attach to a paused container, unpause it first');
  if (info.State.Restarting) throw new StatusError(1, 'You cannot attach to a restarting container, wait until it is running');
  const tty = info.Config.Tty;
  const stdin = info.Config.OpenStdin && !flags['no-stdin'];
  if (stdin && tty && !ctx.stdin.isTTY) throw new StatusError(1, 'the input device is not a TTY');
  const detachKeys = detachKeysOption(flags['detach-keys']);
  const stream = await daemonCall(client.containers.attach(info.Id, { stream: true, stdin, stdout: true, stderr: true, detachKeys: flags['detach-keys'] }));
  const outcome = await attachedSession(ctx, client, stream, {
    tty,
    stdin,
    detachKeys,
    resize: (size) => client.containers.resize(info.Id, size),
    ...(flags['sig-proxy'] ? { proxyTo: info.Id } : {}),
  });
  // docker's attach and exec report the detach as an error (run and start do not)
  if (outcome === 'detached') throw new StatusError(1, 'read escape sequence');
  // The output ended: the container exited (its code is ours), or the daemon saw the detach keys.
  for (let i = 0; i < 20; i++) {
    const now = await client.containers.inspect(info.Id).catch(() => undefined);
    if (!now) return 0;
    if (!now.State.Running) return now.State.ExitCode;
    await sleep(100);
  }
  return 0;
};
