// network ls: the network list, sorted by name, with docker's columns and --format.
import type { CommandRun } from '../../command.ts';
import { daemonCall } from '../../errors.ts';
import { filterMap } from '../../flags.ts';
import { makeRow, printRows } from '../../format.ts';
import { goTimeString, truncateId } from '../../util.ts';
import type { ls } from './specs.ts';

const lsHeaders: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv6: 'IPV6',
  IPv4: 'IPV4',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

export const listNetworks: CommandRun<typeof ls.flags> = async (ctx, _args, flags) => {
  const filters = filterMap(flags.filter);
  const list = await daemonCall(ctx.client().networks.list(Object.keys(filters).length ? filters : undefined));
  const trunc = !flags['no-trunc'];
  list.sort((a, b) => a.Name.localeCompare(b.Name));
  const rows = list.map((n) => {
    const labels = n.Labels ?? {};
    return makeRow('networkContext', {
      ID: trunc ? truncateId(n.Id) : n.Id,
      Name: n.Name,
      Driver: n.Driver,
      Scope: n.Scope,
      IPv6: String(n.EnableIPv6),
      IPv4: 'true',
      Internal: String(n.Internal),
      Labels: Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      Label: (name: string) => labels[name] ?? '',
      CreatedAt: goTimeString(Math.floor(Date.parse(n.Created) / 1000)),
    });
  });
  printRows(ctx, rows, { format: flags.format, quiet: !!flags.quiet, quietField: 'ID', defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}', headers: lsHeaders });
};
