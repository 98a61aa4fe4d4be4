// volume ls: the volume list, sorted by name, with docker's columns and --format.
import { byteOrder } from '../../../lib/index.ts';
import type { CommandRun } from '../../command.ts';
import { daemonCall } from '../../errors.ts';
import { filterMap } from '../../flags.ts';
import { makeRow, printRows } from '../../format.ts';
import type { ls } from './specs.ts';

const headers: Record<string, string> = {
  Name: 'VOLUME NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  Group: 'GROUP',
  Availability: 'AVAILABILITY',
  Status: 'STATUS',
};

function labelString(labels: Record<string, string> | null): string {
  return Object.entries(labels ?? {})
    .sort(([a], [b]) => byteOrder(a, b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export const listVolumes: CommandRun<typeof ls.flags> = async (ctx, _args, flags) => {
  const filters = filterMap(flags.filter);
  const list = await daemonCall(ctx.client().volumes.list(Object.keys(filters).length ? filters : undefined));
  const volumes = [...(list.Volumes ?? [])].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  const rows = volumes.map((v) =>
    makeRow('volumeContext', {
      Name: v.Name,
      Driver: v.Driver,
      Scope: v.Scope,
      Mountpoint: v.Mountpoint,
      Labels: labelString(v.Labels),
      Links: 'N/A',
      Size: 'N/A',
      Group: 'N/A',
      Availability: 'N/A',
      Status: 'N/A',
      Label: (name: string) => v.Labels?.[name] ?? '',
    }),
  );
  printRows(ctx, rows, { format: flags.format, quiet: !!flags.quiet, quietField: 'Name', defaultTable: 'table {{.Driver}}\t{{.Name}}', headers });
};
