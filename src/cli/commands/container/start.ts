// start: several containers, or one with our terminal attached (-a, -i) until it exits.
import type { CommandRun } from '../../command.ts';
import { forEachName } from '../../for-each-name.ts';
import { StatusError, daemonCall, daemonError } from '../../errors.ts';
import { detachKeysOption } from '../../streams.ts';
import { attachedStart } from './attached-start.ts';
import type { start } from './specs.ts';

export const startContainers: CommandRun<typeof start.flags> = async (ctx, args, flags) => {
  const client = ctx.client();
  if (flags.attach || flags.interactive) {
    if (args.length > 1) throw new StatusError(1, 'you cannot start and attach multiple containers at once');
    const info = await daemonCall(client.containers.inspect(args[0]));
    const stdin = !!flags.interactive && info.Config.OpenStdin;
    const session = await attachedStart(ctx, client, info.Id, {
      tty: info.Config.Tty,
      streams: { stdin, stdout: true, stderr: true },
      detachKeys: detachKeysOption(flags['detach-keys']),
      detachKeysFlag: flags['detach-keys'],
      condition: 'next-exit',
      proxySignals: false,
      startError: (err) => new StatusError(1, `${daemonError(err)}\nError: failed to start containers: ${args[0]}`),
    });
    if (session.detached) return 0;
    return (await session.exit).StatusCode;
  }
  const { failed } = await forEachName(ctx, args, async (a) => {
    await client.containers.start(a);
    return a;
  });
  if (failed.length) throw new StatusError(1, `Error: failed to start containers: ${failed.join(', ')}`);
};
