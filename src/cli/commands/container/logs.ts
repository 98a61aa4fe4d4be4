// logs: a container's output, demultiplexed onto our stdout and stderr.
import { demux } from '../../../client/index.ts';
import type { CommandRun } from '../../command.ts';
import { parseTimestampArg } from '../../time.ts';
import type { logs } from './specs.ts';

export const showLogs: CommandRun<typeof logs.flags> = async (ctx, args, flags) => {
  const client = ctx.client();
  const info = await client.containers.inspect(args[0]);
  const res = await client.containers.logs(info.Id, {
    stdout: true,
    stderr: true,
    follow: !!flags.follow,
    timestamps: !!flags.timestamps,
    details: !!flags.details,
    tail: flags.tail,
    ...(flags.since ? { since: parseTimestampArg(flags.since) } : {}),
    ...(flags.until ? { until: parseTimestampArg(flags.until) } : {}),
  });
  await demux(
    res,
    (which, data) =>
      new Promise<void>((resolve) => {
        const out = which === 'stderr' ? ctx.stderr : ctx.stdout;
        if (out.write(data)) resolve();
        else out.once('drain', resolve);
      }),
    { raw: info.Config.Tty },
  );
};
