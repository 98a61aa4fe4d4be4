// ps: the container list, with docker's columns, truncation and --format.
import type { ContainerSummary } from '../../../types/index.ts';
import type { CommandRun } from '../../command.ts';
import { filterMap } from '../../flags.ts';
import { makeRow, printRows } from '../../format.ts';
import { ago, ellipsis, goQuote, goTimeString, size, truncateId } from '../../util.ts';
import type { ps } from './specs.ts';

/** The column headers of `ps` (docker's container formatter), by field. */
export const psHeaders: Readonly<Record<string, string>> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES',
  Platform: 'PLATFORM',
};

/** `ps`'s table when no --format is given (with -s, SIZE is added). */
export const psDefaultTable = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

export function formatPorts(ports: ContainerSummary['Ports']): string {
  const out: string[] = [];
  for (const p of [...ports].sort((a, b) => a.PrivatePort - b.PrivatePort || a.Type.localeCompare(b.Type))) {
    if (p.PublicPort) {
      const ip = p.IP ?? '0.0.0.0';
      const host = ip.includes(':') ? `[${ip}]` : ip;
      out.push(`${host}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`);
    } else {
      out.push(`${p.PrivatePort}/${p.Type}`);
    }
  }
  return [...new Set(out)].join(', ');
}

/** One `ps` row: the fields a --format template sees (docker's ContainerContext). */
export function containerRow(c: ContainerSummary, trunc: boolean, now: number) {
  const names = c.Names.map((n) => n.replace(/^\//, ''));
  let image = c.Image || '<no image>';
  if (trunc && c.Image) {
    if (truncateId(c.ImageID) === truncateId(c.Image) && c.Image.startsWith('sha256:')) image = truncateId(c.Image);
    else image = c.Image.replace(/@sha256:[0-9a-f]+$/, '');
  }
  const labels = c.Labels ?? {};
  return makeRow('ContainerContext', {
    ID: trunc ? truncateId(c.Id) : c.Id,
    Image: image,
    Command: goQuote(trunc ? ellipsis(c.Command, 20) : c.Command),
    CreatedAt: goTimeString(c.Created),
    RunningFor: ago(c.Created, now),
    Ports: formatPorts(c.Ports ?? []),
    State: c.State,
    Status: c.Status,
    Size: c.SizeRw === undefined ? '' : `${size(c.SizeRw)} (virtual ${size(c.SizeRootFs ?? 0)})`,
    Names: (trunc ? names.filter((n) => !n.includes('/')) : names).join(','),
    Labels: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Label: (name: string) => labels[name] ?? '',
    Mounts: (c.Mounts ?? []).map((m) => (m.Name ? (trunc ? ellipsis(m.Name, 15) : m.Name) : m.Source)).join(','),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Platform: '',
  });
}

export const listContainers: CommandRun<typeof ps.flags> = async (ctx, _args, flags) => {
  const filters = filterMap(flags.filter);
  let limit = flags.last;
  if (flags.latest) limit = 1;
  const format = flags.format;
  const wantSize = !!flags.size || (!!format && format.includes('.Size'));
  const list = await ctx.client().containers.list({
    all: !!flags.all,
    ...(limit > 0 ? { limit } : {}),
    size: wantSize,
    ...(Object.keys(filters).length ? { filters } : {}),
  });
  const trunc = !flags['no-trunc'];
  const now = Date.now();
  const rows = list.map((c) => containerRow(c, trunc, now));
  let defaultTable = psDefaultTable;
  if (flags.size) defaultTable += '\t{{.Size}}';
  printRows(ctx, rows, { format, quiet: !!flags.quiet, quietField: 'ID', defaultTable, headers: psHeaders });
};
