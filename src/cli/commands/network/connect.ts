// network connect and disconnect: a container joins or leaves a network.
import type { CommandRun } from '../../command.ts';
import { daemonCall } from '../../errors.ts';
import type { connect, disconnect } from './specs.ts';

export const connectContainer: CommandRun<typeof connect.flags> = async (ctx, args, flags) => {
  const aliases = flags.alias ?? [];
  const links = flags.link ?? [];
  const ip = flags.ip;
  await daemonCall(
    ctx.client().networks.connect(args[0], {
      Container: args[1],
      EndpointConfig: {
        ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}),
        ...(aliases.length ? { Aliases: aliases } : {}),
        ...(links.length ? { Links: links } : {}),
      },
    }),
  );
};

export const disconnectContainer: CommandRun<typeof disconnect.flags> = async (ctx, args, flags) => {
  await daemonCall(ctx.client().networks.disconnect(args[0], { Container: args[1], Force: !!flags.force }));
};
